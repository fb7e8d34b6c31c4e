"""Every registered task through a tiny random BERT: inputs -> outputs with the documented keys."""
import math
import warnings

import pytest

import bertkit
from bertkit.tasks.base import all_tasks

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


@pytest.fixture(scope="module")
def predictors(tiny_bert):
    return lambda name: bertkit.load(name, str(tiny_bert))


def test_registry_holds_one_task_per_task_file():
    from pathlib import Path

    import bertkit.tasks

    import importlib

    files = [p for p in Path(bertkit.tasks.__file__).parent.glob("*.py") if p.stem != "base" and p.stem[0] != "_"]
    names = bertkit.task_names()
    declared = [importlib.import_module(f"bertkit.tasks.{p.stem}").TASK for p in files]  # each file's one task
    assert sorted(t.name for t in declared) == sorted(names)  # every file registers its task, nothing else is
    assert all(bertkit.get_task(t.name) is t for t in declared)
    shipped = ["fill-mask", "sst2", "cola", "mrpc", "stsb", "rte", "wnli", "qnli", "squad", "squad_v2", "ner", "srl",
               "translation"]
    assert [n for n in names if n in shipped] == shipped  # in display order; a new task file comes after them


@pytest.mark.parametrize("task", [t.name for t in all_tasks()])
def test_task_is_fully_declared(task):
    t = bertkit.get_task(task)
    assert t.description and t.examples and t.metric and t.primary_metric and t.files
    assert t.tune_split in t.files or not t.trainable
    assert t.inputs and t.outputs and t.required_columns
    assert t.reported_split in t.files
    assert t.reported_split != t.tune_split or not t.trainable  # a reported split never picks checkpoints
    assert t.primary_metric in t.headline_metrics and t.metric_scale in (1.0, 100.0)


@pytest.mark.parametrize("task", [t.name for t in all_tasks()])
def test_examples_give_documented_outputs(predictors, task):
    t = bertkit.get_task(task)
    outputs = predictors(task)(list(t.examples))
    assert len(outputs) == len(t.examples)
    for example, out in zip(t.examples, outputs):
        assert sorted(out) == sorted(t.outputs)  # exactly the keys the task declares (docs/design.md lists them)
        check_output(task, example, out)


def check_output(task, example, out):
    """The output contract of the task's family (by family, so a new task file needs no case here)."""
    from bertkit.families.classification import SequenceClassification
    from bertkit.families.fill_mask import FillMask
    from bertkit.families.qa import QuestionAnswering
    from bertkit.families.srl import RoleLabelling
    from bertkit.families.tagging import TokenTagging
    from bertkit.families.translation import Translation

    t = bertkit.get_task(task)
    family = t.family
    if isinstance(family, SequenceClassification) and not family.regression:
        labels = t.labels
        assert out["label"] in labels and set(out["scores"]) == set(labels)
        assert math.isclose(sum(out["scores"].values()), 1.0, rel_tol=1e-4)
        assert out["score"] == max(out["scores"].values())
    elif isinstance(family, SequenceClassification):
        low, high = family.score_range
        assert set(out) == {"score"} and low <= out["score"] <= high
    elif isinstance(family, FillMask):
        assert len(out["masks"]) == example.count("[MASK]")
        for mask in out["masks"]:
            scores = [c["score"] for c in mask["candidates"]]
            assert len(scores) == 5 and scores == sorted(scores, reverse=True)
            assert all(not c["token_str"].startswith("[") for c in mask["candidates"])
        assert "[MASK]" not in out["sequence"]
    elif isinstance(family, QuestionAnswering):
        context = example["context"]
        assert {"answer", "start", "end", "score", "top_k", "no_answer_probability"} <= set(out)
        if out["answer"]:
            assert context[out["start"]:out["end"]] == out["answer"] and out["start"] <= out["end"]
        for cand in out["top_k"]:
            assert context[cand["start"]:cand["end"]] == cand["answer"]
    elif isinstance(family, RoleLabelling):
        for frame in out["frames"]:
            assert {"predicate", "spans"} <= set(frame)
            assert all(s["label"] != "V" for s in frame["spans"])
        if isinstance(example, dict):
            assert len(out["frames"]) == 1 and out["frames"][0]["predicate"]["index"] == example["predicate"]
    elif isinstance(family, TokenTagging):
        text = example
        entity_types = {tag.split("-", 1)[1] for tag in t.labels if "-" in tag}
        for span in out["spans"]:
            assert text[span["start"]:span["end"]] == span["text"] and span["label"] in entity_types
    elif isinstance(family, Translation):
        assert isinstance(out["text"], str)
    else:
        raise AssertionError(f"no contract for {task}")


def test_list_and_single_inputs_agree(predictors):
    p = predictors("sst2")
    texts = ["short", "a much longer sentence about a film that goes on and on", "mid length text"]
    batched = p(texts, batch_size=2)
    for text, out in zip(texts, batched):
        assert out["scores"] == pytest.approx(p(text)["scores"], abs=1e-5)


def test_qa_long_context_uses_windows(predictors):
    p = predictors("squad")
    context = "filler words here. " * 400 + "The treasure is hidden in Lisbon."
    out = p({"question": "Where is the treasure?", "context": context})
    features = p.task.family.preprocess(p.context, [{"question": "q", "context": context}])
    assert len(features) > 1  # several overlapping windows, none truncated away
    assert context[out["start"]:out["end"]] == out["answer"]


def test_ner_long_text_tags_every_word(predictors):
    out = predictors("ner")("Paris " * 900)
    assert len(out["words"]) == 900


def test_srl_given_predicate_and_every_verb(predictors):
    p = predictors("srl")
    out = p({"text": "Mary sold the book to John.", "predicate": 1})
    assert out["frames"][0]["predicate"]["text"] == "sold"
    assert "frames" in p("Mary sold the book to John.")


def test_fill_mask_keeps_the_users_casing(predictors):
    out = predictors("fill-mask")("Paris is the [MASK] of France.")
    assert out["sequence"].startswith("Paris is the ") and out["sequence"].endswith(" of France.")


def test_squad_v2_uses_the_trained_threshold_unless_given(predictors):
    p = predictors("squad_v2")
    question = {"question": "Who invented the telephone?", "context": "France is a country in Europe."}
    saved = dict(p.source.meta)
    try:
        p.source.meta["no_answer_threshold"] = 0.0  # any no-answer probability abstains
        out = p(question)
        assert out["answer"] == "" and out["start"] == out["end"] == -1
        assert p(question, threshold=1.0)["answer"] != ""  # an explicit threshold wins
    finally:
        p.source.meta.clear()
        p.source.meta.update(saved)
