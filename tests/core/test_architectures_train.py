"""Training on every BERT-family architecture (tiny stand-ins from arch_models.py): LoRA reaches every
encoder layer and trains the architecture's own head modules; `--lora` runs for classification, NER and
SRL on each architecture and its output loads and predicts; full fine-tuning runs on a non-BERT
architecture for every family; bert2bert refuses an architecture that cannot decode, clearly.
"""
import json

import pytest
import torch

import arch_models
import bertkit
from arch_models import ARCHS
from train_data import REVIEWS, write_csv

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained", "ignore::FutureWarning", "ignore::UserWarning"),
              pytest.mark.usefixtures("one_thread")]




@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """base(arch) -> a tiny masked-LM checkpoint of `arch` (what hub base models are); built once."""
    import gc

    built = {}

    def get(arch):
        if arch not in built:
            built[arch] = arch_models.build_model(arch, "mlm", tmp_path_factory.mktemp(f"{arch}-base"))
            gc.collect()
            gc.freeze()  # keep the session's objects out of the gc.collect every bertkit.load runs
        return built[arch]

    return get


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Tiny training files per task (train = validation: the runs only have to run)."""
    folder = tmp_path_factory.mktemp("arch-data")
    write_csv(folder / "sst2.csv", [(t, lab) for t, lab in REVIEWS * 2], header=("text", "label"))
    write_csv(folder / "stsb.csv", [("a man plays", "a person plays", "4.5"), ("a cat", "the stock market", "0.5")] * 2,
              header=("text", "text_pair", "label"))
    ner = [{"tokens": ["John", "met", "Mary", "in", "Paris"], "tags": ["B-PER", "O", "B-PER", "O", "B-LOC"]},
           {"tokens": ["EU", "rejects", "German", "call"], "tags": ["B-ORG", "O", "B-MISC", "O"]}] * 2
    write_jsonl(folder / "ner.jsonl", ner)
    srl = [{"tokens": ["John", "met", "Mary", "yesterday"], "predicate_index": 1,
            "tags": ["B-ARG0", "B-V", "B-ARG1", "B-ARGM-TMP"]},
           {"tokens": ["Mary", "sold", "the", "house"], "predicate_index": 1,
            "tags": ["B-ARG0", "B-V", "B-ARG1", "I-ARG1"]}] * 2
    write_jsonl(folder / "srl.jsonl", srl)
    context = "France is a country in Western Europe. Its capital is Paris."
    answers = {"text": ["Paris"], "answer_start": [context.index("Paris")]}
    write_jsonl(folder / "squad.jsonl", [{"question": "What is the capital of France?", "context": context,
                                          "answers": answers}] * 4)
    write_csv(folder / "fill-mask.csv", [("Paris is the capital of France and its largest city. " * 12,)] * 4,
              header=("text",))
    write_csv(folder / "translation.csv", [("Ein Mann fährt Rad.", "A man rides a bike.")] * 4,
              header=("source", "target"))
    return folder


def train(task, model, data, out, **kw):
    file = next(p for p in data.iterdir() if p.stem == task)
    args = dict(model=str(model), train_file=str(file), validation_file=str(file), output=str(out), batch_size=2,
                max_steps=2, progress=False, seed=1, precision="fp32", max_length=64)
    args.update(kw)
    return bertkit.train(task, **args)


EXAMPLES = {"sst2": "a wonderful, moving film", "ner": "John met Mary in Paris",
            "srl": {"text": "John met Mary yesterday", "predicate": 1},
            "stsb": {"text": "a man plays", "text_pair": "a person plays"},
            "squad": {"question": "What is the capital of France?", "context": "Its capital is Paris."},
            "fill-mask": "Paris is the [MASK] of France.", "translation": "Ein Mann fährt Rad."}


def predict(task, folder):
    predictor = bertkit.load(task, str(folder), cache=False, precision="fp32")
    example = EXAMPLES[task]
    if isinstance(example, str) and predictor.tokenizer.mask_token:
        example = example.replace("[MASK]", predictor.tokenizer.mask_token)
    assert predictor.head_trained
    return predictor(example)


# ---- LoRA: where it lands ---------------------------------------------------------------------------
DECODERS = ("bert", "roberta", "electra")  # the architectures bert2bert can decode with
PLACES = [(a, t) for a in ARCHS for t in ("fill-mask", "sst2", "squad", "ner")] + [(a, "translation") for a in DECODERS]


@pytest.mark.parametrize("arch,task_name", PLACES)
def test_lora_reaches_every_layer_and_trains_the_new_head(arch, task_name, base):
    """Every encoder layer gets LoRA on its attention and feed-forward linears (peft's per-model defaults
    among them); every weight the base checkpoint lacks is trained in full; the encoder stays frozen."""
    from peft.utils import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as PEFT_DEFAULTS

    from bertkit.lora import add_lora, count_lora_layers, is_trained, layer_linears

    task = bertkit.get_task(task_name)
    builds = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        model, _ = task.family.build_model(task, base(arch))
        builds.append(dict(model.named_parameters()))
    random = [n for n, p in builds[0].items() if not torch.equal(p, builds[1][n])]
    if task_name == "translation":  # bert2bert reads the encoder's hidden states, never its pooler
        random = [n for n in random if not n.startswith("encoder.pooler.")]
    per_layer = len(layer_linears(model))
    settings = add_lora(model, task.family.head_modules, r=2)
    counts = count_lora_layers(model)
    layers = 1 if arch == "albert" else arch_models.LAYERS  # ALBERT: one layer shared by every pass
    layers *= 2 if task_name == "translation" else 1  # encoder and decoder
    assert len(counts) == layers and set(counts.values()) == {per_layer} and per_layer >= 4
    wrapped = {n.rsplit(".", 1)[-1] for n, m in model.named_modules() if hasattr(m, "lora_A")}
    assert set(PEFT_DEFAULTS.get(model.config.model_type, [])) <= wrapped
    assert [n for n in random if not is_trained(n, settings)] == []
    trained = [n for n, p in model.named_parameters() if p.requires_grad and "lora_" not in n]
    if task_name == "translation":  # bert2bert: the encoder, and the decoder's own encoder stack
        encoder = ("encoder.", f"decoder.{model.decoder.base_model_prefix}.")
    else:
        encoder = (model.base_model_prefix + ".",)
    assert all(not n.startswith(encoder) or ".pooler." in f".{n}" or "crossattention" in n for n in trained), trained


def test_bert_keeps_the_shipped_target_regex(tiny_bert):
    """Adapters shipped before per-architecture targets store this string: BERT must keep it."""
    from bertkit.lora import TARGET_MODULES, add_lora

    task = bertkit.get_task("sst2")
    model, _ = task.family.build_model(task, tiny_bert)
    settings = add_lora(model, task.family.head_modules, r=2)
    assert settings["target_modules"] == TARGET_MODULES
    assert settings["trainable"] == ["classifier", "pooler"]


# ---- LoRA and full training runs -------------------------------------------------------------------
@pytest.mark.parametrize("task_name", ["sst2", "ner", "srl"])
@pytest.mark.parametrize("arch", ARCHS)
def test_lora_training_runs_and_its_output_predicts(arch, task_name, base, data, tmp_path):
    result = train(task_name, base(arch), data, tmp_path / "out", lora=True, lora_r=2, lr=1e-2)
    assert result["metrics"] and (tmp_path / "out" / "adapter.safetensors").exists()
    out = predict(task_name, tmp_path / "out")
    assert out  # the reloaded adapter serves


FULL = [("sst2", "distilbert"), ("stsb", "deberta-v2"), ("ner", "roberta"), ("srl", "modernbert"),
        ("srl", "distilbert"), ("squad", "albert"), ("fill-mask", "roberta"), ("fill-mask", "modernbert"),
        ("translation", "roberta")]


@pytest.mark.parametrize("task_name,arch", FULL)
def test_full_training_on_non_bert_architectures(task_name, arch, base, data, tmp_path):
    result = train(task_name, base(arch), data, tmp_path / "out", lr=1e-3)
    assert result["metrics"]
    out = predict(task_name, tmp_path / "out")
    assert out


@pytest.mark.parametrize("arch", ["distilbert", "modernbert"])
def test_bert2bert_refuses_an_encoder_that_cannot_decode(arch, base, data, tmp_path):
    with pytest.raises(bertkit.ModelError, match="translation"):
        train("translation", base(arch), data, tmp_path / "out")
