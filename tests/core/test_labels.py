"""Hub checkpoints served as what they are: label names mapped by name (bertkit/labels.py), heads
detected from the load itself (bertkit/loading.py), and a label-permuted copy of a shipped head
scoring exactly what the head scores."""
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import bertkit
from bertkit.errors import ModelError
from bertkit.labels import LabelMapError, map_labels
from bertkit.tasks.base import get_task

REPO = Path(__file__).resolve().parents[2]
NER_TAGS = get_task("ner").labels


# ---- the mapping rules ---------------------------------------------------------------------------
def test_names_map_ignoring_case_and_separators():
    m = map_labels(("POSITIVE", "NEGATIVE"), ("negative", "positive"))
    assert m.index == (1, 0) and m.how == "by name"
    assert map_labels(("Not-Entailment", "ENTAILMENT"), ("entailment", "not_entailment")).index == (1, 0)
    assert map_labels(("pos", "neg"), ("negative", "positive")).index == (1, 0)  # documented synonyms


def test_three_way_nli_serves_two_way_tasks_and_sums_probabilities():
    m = map_labels(("CONTRADICTION", "NEUTRAL", "ENTAILMENT"), ("entailment", "not_entailment"))
    assert m.index == (1, 1, 0)
    assert np.allclose(m.aggregate(np.array([0.2, 0.3, 0.5])), [0.5, 0.5])


@pytest.mark.parametrize("head, expect", [
    (("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"), None),  # dslim's order
    (("O", "S-PER", "B-PER", "I-PER", "E-PER"), {"S-PER": "B-PER", "E-PER": "I-PER"}),  # BIOES
    (("O", "U-LOC", "L-LOC", "B-LOC", "I-LOC"), {"U-LOC": "B-LOC", "L-LOC": "I-LOC"}),  # BILOU
    (("O", "PER", "ORG", "LOC", "MISC"), {"PER": "I-PER", "MISC": "I-MISC"}),  # IO: bare types
    (("O", "B-PERSON", "I-PERSON", "B-LOCATION"), {"B-PERSON": "B-PER", "B-LOCATION": "B-LOC"}),
])
def test_tag_schemes_convert_to_the_task_iob2_tags(head, expect):
    m = map_labels(head, NER_TAGS, tagging=True)
    got = {h: NER_TAGS[t] for h, t in zip(head, m.index)}
    for h, t in (expect or {h: h for h in head}).items():
        assert got[h] == t


def test_generic_names_use_the_task_order_with_a_warning():
    with pytest.warns(UserWarning, match="no meaning"):
        m = map_labels(("LABEL_0", "LABEL_1"), ("negative", "positive"))
    assert m.index == (0, 1) and "generic" in m.how


def test_unmappable_labels_name_both_sets_and_the_way_out():
    with pytest.raises(LabelMapError) as e:
        map_labels(("joy", "anger", "fear"), ("negative", "positive"))
    assert "joy" in str(e.value) and "negative" in str(e.value) and "--label-map" in str(e.value)
    m = map_labels(("joy", "anger"), ("negative", "positive"), user_map="joy=positive,anger=negative")
    assert m.index == (1, 0) and m.how == "user map"
    with pytest.raises(LabelMapError, match="not a label of this task"):
        map_labels(("joy", "anger"), ("negative", "positive"), user_map="joy=happy,anger=negative")
    with pytest.raises(LabelMapError, match="HEAD_LABEL=TASK_LABEL"):
        map_labels(("joy", "anger"), ("negative", "positive"), user_map="joy")


# ---- shipped heads saved as hub checkpoints with their labels in another order --------------------
def save_merged(task_name: str, folder: Path, rows: list[tuple]) -> Path:
    """The shipped head merged into its encoder and saved as a plain checkpoint whose output rows are
    `rows`: (task label index, the name the checkpoint gives it, a shift added to its bias)."""
    predictor = bertkit.load(task_name, precision="fp32", cache=False)
    model = predictor.model
    layer = model.classifier
    weight, bias = layer.weight.detach().clone(), layer.bias.detach().clone()
    with torch.no_grad():
        layer.weight = torch.nn.Parameter(torch.stack([weight[i] for i, _, _ in rows]))
        layer.bias = torch.nn.Parameter(torch.stack([bias[i] + shift for i, _, shift in rows]))
    labels = [name for _, name, _ in rows]
    model.config.num_labels = len(labels)
    model.config.id2label = dict(enumerate(labels))
    model.config.label2id = {n: i for i, n in enumerate(labels)}
    model.save_pretrained(str(folder))
    predictor.tokenizer.save_pretrained(str(folder))
    return folder


def permuted(order, names):
    return [(i, n, 0.0) for i, n in zip(order, names)]


def score(task_name, model, data_dir, n=40):
    task = get_task(task_name)
    rows = task.load(task.reported_split, data_dir)
    rows = rows.select(range(min(n, len(rows))))
    predictor = bertkit.load(task_name, model=str(model), precision="fp32", cache=False)
    outputs = predictor(task.family.to_inputs(task, rows))
    return task.family.score(task, outputs, rows), outputs, predictor


HALF = -float(np.log(2))  # two rows at logit - log 2 carry exactly the probability of one


@pytest.mark.parametrize("task_name, rows", [
    ("sst2", permuted([1, 0], ["POSITIVE", "NEGATIVE"])),  # a classifier, reversed, upper case
    ("rte", permuted([1, 0], ["not_entailment", "entailment"])),  # a pair task, reversed
    ("rte", [(0, "ENTAILMENT", 0.0), (1, "CONTRADICTION", HALF), (1, "NEUTRAL", HALF)]),  # a 3-way MNLI head
])
def test_a_permuted_shipped_classifier_scores_exactly_what_the_head_scores(tmp_path, data_dir, task_name, rows):
    folder = save_merged(task_name, tmp_path / "hub", rows)
    shipped, shipped_out, _ = score(task_name, "default", data_dir)
    hub, hub_out, predictor = score(task_name, folder, data_dir)
    assert predictor.head_trained and not predictor.label_map.identity
    assert hub == pytest.approx(shipped, abs=1e-9)  # the same score, exactly
    assert [o["label"] for o in hub_out] == [o["label"] for o in shipped_out]
    for a, b in zip(hub_out, shipped_out):
        assert a["scores"] == pytest.approx(b["scores"], abs=1e-4)


def test_a_permuted_shipped_ner_head_scores_exactly_what_the_head_scores(tmp_path, data_dir):
    dslim = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    folder = save_merged("ner", tmp_path / "hub", permuted([NER_TAGS.index(t) for t in dslim], dslim))
    shipped, _, _ = score("ner", "default", data_dir, n=60)
    hub, outputs, predictor = score("ner", folder, data_dir, n=60)
    assert predictor.label_map.how == "by name"
    assert hub["overall_f1"] == pytest.approx(shipped["overall_f1"], abs=1e-9) and shipped["overall_f1"] > 0.5
    assert hub == pytest.approx(shipped, abs=1e-9)
    text = bertkit.load("ner", model=str(folder), cache=False)("Angela Merkel met Emmanuel Macron in Paris.")
    assert {s["text"]: s["label"] for s in text["spans"]}.get("Angela Merkel") == "PER"


def test_pipeline_agrees_on_a_permuted_head(tmp_path):
    from transformers import pipeline

    folder = save_merged("sst2", tmp_path / "hub", permuted([1, 0], ["POSITIVE", "NEGATIVE"]))
    texts = ["a charming and often affecting journey", "an empty, lifeless mess", "it is a film"]
    ours = bertkit.load("sst2", model=str(folder), cache=False)(texts)
    theirs = pipeline("text-classification", model=str(folder), top_k=None)(texts)
    for o, t in zip(ours, theirs):
        assert o["label"] == t[0]["label"].lower()
        for row in t:
            assert o["scores"][row["label"].lower()] == pytest.approx(row["score"], abs=1e-4)


def test_export_and_training_use_the_mapping(tmp_path):
    from bertkit.onnx_export import export

    folder = save_merged("sst2", tmp_path / "hub", permuted([1, 0], ["POSITIVE", "NEGATIVE"]))
    texts = ["a charming and often affecting journey", "an empty, lifeless mess"]
    torch_out = bertkit.load("sst2", model=str(folder), cache=False)(texts)
    out = export("sst2", model=str(folder), output=tmp_path / "onnx")
    meta = json.loads((out / "bertkit.json").read_text())
    assert meta["labels"] == ["negative", "positive"] and meta["label_map"]["head_labels"] == ["POSITIVE", "NEGATIVE"]
    onnx_out = bertkit.load("sst2", model=str(out), cache=False)(texts)
    assert [o["label"] for o in onnx_out] == [o["label"] for o in torch_out]
    # training from the hub head: its rows are put in the task's order, and bertkit.json says so
    from bertkit.loading import head_in_task_order
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(str(folder))
    tok = bertkit.load("sst2", model=str(folder), cache=False).tokenizer
    batch = tok(texts, return_tensors="pt", padding=True)
    before = model(**batch).logits.detach()
    head_in_task_order(model, map_labels(("POSITIVE", "NEGATIVE"), ("negative", "positive")))
    after = model(**batch).logits.detach()
    assert torch.allclose(after, before.flip(-1), atol=1e-5) and model.config.id2label == {0: "negative", 1: "positive"}


# ---- heads detected from the load itself -----------------------------------------------------------
def tiny(kind: str, folder: Path, **config) -> Path:
    import transformers

    from bertkit.models import embedded_encoder_path

    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=64, **config)
    getattr(transformers, kind)(cfg).save_pretrained(str(folder))
    transformers.AutoTokenizer.from_pretrained(str(embedded_encoder_path())).save_pretrained(str(folder))
    return folder


@pytest.mark.parametrize("kind, task_name, trained", [
    ("BertForSequenceClassification", "ner", False),  # a head of another kind: its weights mean something else
    ("BertForSequenceClassification", "squad", False),
    ("BertForTokenClassification", "sst2", False),
    ("BertForSequenceClassification", "fill-mask", False),
    ("BertForMaskedLM", "fill-mask", True),
    ("BertForQuestionAnswering", "squad", True),
    ("BertModel", "sst2", False),
])
def test_head_presence_comes_from_the_load(tmp_path, kind, task_name, trained):
    labels = get_task(task_name).labels
    extra = {"id2label": dict(enumerate(labels))} if kind != "BertForQuestionAnswering" and labels and \
        kind.endswith(("SequenceClassification", "TokenClassification")) and \
        ((task_name == "ner") == kind.endswith("TokenClassification")) else {}
    folder = tiny(kind, tmp_path / kind, **extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predictor = bertkit.load(task_name, model=str(folder), cache=False)
    assert predictor.head_trained is trained


def test_export_refuses_an_untrained_head_unless_forced(tmp_path):
    from bertkit.errors import BertkitError
    from bertkit.onnx_export import export

    folder = tiny("BertForSequenceClassification", tmp_path / "seq")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(BertkitError, match="no trained ner head"):
            export("ner", model=str(folder), output=tmp_path / "out")
        out = export("ner", model=str(folder), output=tmp_path / "out", force=True)
    assert json.loads((out / "bertkit.json").read_text())["head_trained"] is False


def test_an_unmappable_head_is_a_model_error_and_evaluation_skips_it(tmp_path, data_dir):
    folder = tiny("BertForSequenceClassification", tmp_path / "emotion",
                  id2label={0: "joy", 1: "anger", 2: "fear"})
    with pytest.raises(ModelError, match="joy, anger, fear"):
        bertkit.load("sst2", model=str(folder), cache=False)
    out = subprocess.run([sys.executable, "-m", "evaluation", "run", "--model", str(folder), "--tasks", "sst2,cola",
                          "--limit", "4", "--output", str(tmp_path / "results"), "--no-progress"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "skipped" in out.stdout and "joy" in out.stderr


def test_broken_model_files_are_model_errors(tmp_path):
    folder = tiny("BertForSequenceClassification", tmp_path / "broken",
                  id2label={0: "negative", 1: "positive"})
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])  # truncated
    with pytest.raises(ModelError, match="corrupt or truncated"):
        bertkit.load("sst2", model=str(folder), cache=False)
    (folder / "bertkit.json").write_text("{not json")
    with pytest.raises(ModelError, match="bertkit.json is corrupt"):
        bertkit.load("sst2", model=str(folder), cache=False)
    (folder / "bertkit.json").unlink()
    os.mkfifo(folder / "bertkit.json")  # would block a plain open() forever
    with pytest.raises(ModelError, match="not a regular file"):
        bertkit.load("sst2", model=str(folder), cache=False)


# ---- the online catalogue, through the real hub code path (a hub cache built here) ------------------
def test_catalog_loads_the_pinned_checkpoint_from_the_hub_cache(tmp_path):
    from bertkit.catalog import CATALOG

    entry = CATALOG["sst2"]
    repo = tmp_path / "hub" / ("models--" + entry.hub_id.replace("/", "--"))
    snapshot = repo / "snapshots" / entry.revision
    tiny("BertForSequenceClassification", snapshot, id2label={0: "NEGATIVE", 1: "POSITIVE"})
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(entry.revision)
    code = ("import bertkit, json; p = bertkit.load('sst2', model='catalog'); "
            "print(json.dumps([p.source.name, p.head_trained, p.label_map.how, p('a fine film')['label']]))")
    env = dict(os.environ, HF_HUB_CACHE=str(tmp_path / "hub"), HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    name, trained, how, label = json.loads(out.stdout.strip().splitlines()[-1])
    assert name.startswith(entry.hub_id) and trained and how == "by name" and label in ("negative", "positive")
    with pytest.raises(ModelError, match="catalogue has no hub checkpoint for 'srl'"):
        bertkit.load("srl", model="catalog")


def test_training_from_a_hub_head_keeps_its_knowledge_in_the_task_order(tmp_path):

    folder = save_merged("sst2", tmp_path / "hub", permuted([1, 0], ["POSITIVE", "NEGATIVE"]))
    rows = [("a charming film", "positive"), ("a dull mess", "negative")] * 8
    train = tmp_path / "train.csv"
    train.write_text("text,label\n" + "".join(f"{t},{l}\n" for t, l in rows))
    result = bertkit.train("sst2", model=str(folder), train_file=str(train), output=str(tmp_path / "run"),
                           max_steps=1, lr=1e-8, batch_size=8, progress=False)
    meta = json.loads((Path(result["output"]) / "bertkit.json").read_text())
    assert meta["label_map"]["to_task"] == {"POSITIVE": "positive", "NEGATIVE": "negative"}
    assert "POSITIVE -> positive" in (Path(result["output"]) / "README.md").read_text()
    texts = ["a charming and often affecting journey", "an empty, lifeless mess"]
    before = bertkit.load("sst2", model=str(folder), cache=False)(texts)
    after = bertkit.load("sst2", model=result["output"], cache=False)(texts)
    for a, b in zip(after, before):  # lr 1e-8: the trained head is the hub head, now in the task's order
        assert a["label"] == b["label"] and a["scores"] == pytest.approx(b["scores"], abs=1e-3)
