"""Every BERT-family architecture in every task family, on tiny random stand-ins built here
(arch_models.py): bertkit's outputs against transformers' own pipelines on the same saved folder
(text-classification, token-classification, fill-mask) or the model's raw logits (QA, SRL), fp32,
scores within 1e-4. Training with LoRA (and in full on a non-BERT architecture per family): test_architectures_train.py.
"""
import pytest
import torch

import arch_compare
import arch_models
import bertkit
from arch_compare import PAIR, QA, SENTENCE, load
from arch_models import ARCHS

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained", "ignore::FutureWarning", "ignore::UserWarning"),
              pytest.mark.usefixtures("one_thread")]
TOL = 1e-4




@pytest.fixture(scope="session")
def arch_folder(tmp_path_factory):
    """arch_folder(arch, head, task=None) -> a saved tiny model (task: its labels as id2label); cached."""
    import gc

    built = {}

    def get(arch, head, task=None):
        key = (arch, head, task)
        if key not in built:
            labels = bertkit.get_task(task).labels if task else ()
            num_labels = 1 if task and not labels else None  # stsb: one regression output
            folder = tmp_path_factory.mktemp(f"{arch}-{head}-{task or 'base'}")
            built[key] = arch_models.build_model(arch, head, folder, labels=labels, num_labels=num_labels)
            # what exists now lives all session: keep it out of the gc.collect every bertkit.load runs
            gc.collect()
            gc.freeze()
        return built[key]

    return get


# ---- serving: against transformers' pipelines / the raw logits -------------------------------------
@pytest.mark.parametrize("arch", ARCHS)
def test_fill_mask_matches_the_pipeline(arch, arch_folder):
    assert arch_compare.fill_mask(arch_folder(arch, "mlm")) < TOL


@pytest.mark.parametrize("task", ["sst2", "rte", "stsb"])
@pytest.mark.parametrize("arch", ARCHS)
def test_classification_matches_the_pipeline(arch, task, arch_folder):
    assert arch_compare.classification(arch_folder(arch, "classification", task), task) < TOL


@pytest.mark.parametrize("arch", ARCHS)
def test_ner_matches_the_pipeline(arch, arch_folder):
    assert arch_compare.ner(arch_folder(arch, "tagging", "ner")) < TOL


@pytest.mark.parametrize("arch", ARCHS)
def test_srl_matches_the_raw_logits(arch, arch_folder):
    assert arch_compare.srl(arch_folder(arch, "tagging", "srl")) < TOL


@pytest.mark.parametrize("arch", ARCHS)
def test_qa_matches_the_raw_logits(arch, arch_folder):
    assert arch_compare.qa(arch_folder(arch, "qa")) < TOL


@pytest.mark.parametrize("arch", ARCHS)
def test_segment_ids_only_where_the_model_has_them(arch, arch_folder):
    from bertkit.families.pieces import takes_segments

    model = load("srl", arch_folder(arch, "tagging", "srl")).model
    assert takes_segments(model) == (arch in ("bert", "albert", "electra"))


@pytest.mark.parametrize("arch", ARCHS)
def test_mask_logits_and_masked_loss_are_exact(arch, arch_folder):
    """Logits at the masks only (the vocabulary projection on those rows) equal the full logits' rows."""
    from bertkit.families.fill_mask import FillMask, mask_logits

    predictor = load("fill-mask", arch_folder(arch, "mlm"))
    tok, model = predictor.tokenizer, predictor.model
    enc = tok([f"a {tok.mask_token} b {tok.mask_token}", f"the {tok.mask_token} of France is big"],
              padding=True, return_tensors="pt")
    batch = {k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    positions = [[p for p, t in enumerate(row) if t == tok.mask_token_id] for row in enc["input_ids"].tolist()]
    rows = [r for r, ps in enumerate(positions) for _ in ps]
    cols = [p for ps in positions for p in ps]
    with torch.no_grad():
        full = model(**batch).logits
        assert torch.allclose(mask_logits(model, batch, positions), full[rows, cols], atol=1e-5)
        labels = torch.full_like(batch["input_ids"], -100)
        labels[rows, cols] = batch["input_ids"][0, 1]
        expected = model(**batch, labels=labels).loss
        loss = FillMask().compute_loss(model, dict(batch, labels=labels))
    assert abs(float(loss) - float(expected)) < 1e-4


@pytest.mark.parametrize("arch", ["roberta", "modernbert"])
def test_word_split_input_keeps_the_word_start_space(arch, arch_folder):
    """'met' given as a word encodes as in running text (`Ġmet`), never as `m`, `et`."""
    from bertkit.families.pieces import word_tokenizer

    tok = load("ner", arch_folder(arch, "tagging", "ner")).tokenizer
    split = word_tokenizer(tok)(["John", "met", "Mary"], is_split_into_words=True, add_special_tokens=False)
    assert split["input_ids"] == tok(" John met Mary", add_special_tokens=False)["input_ids"]
    assert "Ġmet" in tok.convert_ids_to_tokens(split["input_ids"])


def test_qa_answers_never_carry_spaces(arch_folder):
    """Byte-level BPE offsets include the space before a word: every candidate answer is trimmed."""
    out = load("squad", arch_folder("roberta", "qa"))(QA, top_k=20)
    for cand in out["top_k"]:
        assert cand["answer"] and cand["answer"] == cand["answer"].strip()
        assert cand["answer"] == QA["context"][cand["start"]:cand["end"]]


def test_fill_mask_sequence_keeps_one_space():
    from bertkit.families.fill_mask import fill_text

    assert fill_text("Paris is the <mask> of France.", "<mask>", [" capital"]) == "Paris is the capital of France."
    assert fill_text("<mask> is big", "<mask>", [" Paris"]) == "Paris is big"
    assert fill_text("walk[MASK] home", "[MASK]", ["##ing"]) == "walking home"
    assert fill_text("a [MASK] and [MASK]", "[MASK]", ["cat", "dog"]) == "a cat and dog"


# ---- ONNX export ----------------------------------------------------------------------------------
ONNX_CASES = [("fill-mask", "roberta", "mlm"), ("fill-mask", "modernbert", "mlm"), ("ner", "distilbert", "tagging"),
              ("srl", "roberta", "tagging"), ("sst2", "deberta-v2", "classification"), ("squad", "mpnet", "qa"),
              ("rte", "albert", "classification"), ("sst2", "electra", "classification")]


@pytest.mark.parametrize("task,arch,head", ONNX_CASES)
def test_onnx_export_serves_what_torch_serves(task, arch, head, arch_folder, tmp_path):
    """The export traces an example in the tokenizer's own mask token and passes segment ids only to a
    model that takes them; onnxruntime then answers as torch does."""
    from bertkit.onnx_export import export

    folder = arch_folder(arch, head, None if head in ("mlm", "qa") else task)
    out = export(task, str(folder), output=tmp_path / "onnx")
    onnx, torch_p = load(task, out), load(task, folder)
    tok = torch_p.tokenizer
    example = {"fill-mask": f"Paris is the {tok.mask_token} of France.", "ner": SENTENCE,
               "srl": {"text": SENTENCE, "predicate": 1}, "sst2": "a charming journey", "rte": PAIR, "squad": QA}[task]
    got, want = onnx(example), torch_p(example)
    assert numbers_close(got, want), (got, want)


def numbers_close(a, b, tol=TOL):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(numbers_close(a[k], b[k], tol) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(numbers_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float):
        return abs(a - b) <= tol
    return a == b
