"""Each tab's functions, called directly on the tiny random BERT (its heads are random: the tests
check shapes, keys, invariants and messages, not answers)."""
import math

import gradio as gr
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


# ---- bad input: a clear gr.Error, never a crash -----------------------------------------------
def test_bad_inputs_raise_clear_errors(tiny):
    from demo import classify, fill_mask, ner, qa

    cases = [
        (lambda: fill_mask.fill_mask("   ", 5, tiny), "text is empty"),
        (lambda: fill_mask.fill_mask("No mask in this one.", 5, tiny), "no [MASK] in the text"),
        (lambda: fill_mask.fill_mask("word [MASK] " * 10_000, 5, tiny), "characters long; this demo takes at most"),
        (lambda: classify.classify("bell \x07 here", "sst2", tiny), "control character (U+0007 at position 5)"),
        (lambda: qa.answer("Who won?", "", "squad", 5, 0.5, tiny), "a question needs a context"),
        (lambda: qa.answer("", "Some context.", "squad", 5, 0.5, tiny), "question is empty"),
        (lambda: ner.entities("Angela Merkel", "/no/such/model"), "no model folder at '/no/such/model'"),
        (lambda: classify.classify("fine", "no-such-task", tiny), "unknown task 'no-such-task'"),
        (lambda: fill_mask.fill_mask("[MASK] " * 600, 5, tiny), "tokens long; this model takes at most 512"),
    ]
    for call, message in cases:
        with pytest.raises(gr.Error) as info:
            call()
        assert message in info.value.message


def test_default_model_without_heads_says_so(no_default_heads):
    from demo import classify, explain, fill_mask, ner, pair, qa, srl, translation

    calls = {
        "fill-mask": lambda: fill_mask.fill_mask("Paris is the [MASK] of France.", 5, "default"),
        "sst2": lambda: classify.classify("fine", "sst2", "default"),
        "mrpc": lambda: pair.pair("a", "b", "mrpc", "default"),
        "squad": lambda: qa.answer("Who?", "Me.", "squad", 5, 0.5, "default"),
        "ner": lambda: ner.entities("Paris", "default"),
        "srl": lambda: srl.roles("Mary sold it.", -1, "default"),
        "translation": lambda: translation.translate("Hallo", 4, "default"),
        "cola": lambda: explain.explain("fine", "", "cola", explain.METHODS[0], 8, "default"),
    }
    for task, call in calls.items():
        with pytest.raises(gr.Error) as info:
            call()
        assert f"no trained head for {task!r} yet" in info.value.message


def test_hub_id_offline_is_a_message_not_a_hang(tiny, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from demo import classify

    with pytest.raises(gr.Error) as info:
        classify.classify("fine", "sst2", "not-a-cached-model")
    assert "unreachable (offline)" in info.value.message


# ---- one tab at a time ------------------------------------------------------------------------
def test_fill_mask_every_mask_gets_top_k(tiny):
    from demo.fill_mask import fill_mask

    segments, table, note, raw = fill_mask("The [MASK] sat on the [MASK].", 3, tiny)
    assert len(raw["masks"]) == 2 and all(len(m["candidates"]) == 3 for m in raw["masks"])
    assert [label for _, label in segments if label] == ["[MASK] 1", "[MASK] 2"]
    assert "".join(text for text, _ in segments).startswith("The ") and "[MASK]" not in "".join(t for t, _ in segments)
    assert [row[:2] for row in table] == [[m, r] for m in (1, 2) for r in (1, 2, 3)]
    scores = [row[3] for row in table[:3]]
    assert scores == sorted(scores, reverse=True)
    assert "no trained **fill-mask** head" in note


def test_fill_mask_batch_isolates_a_bad_item(tiny):
    from demo.fill_mask import fill_mask_batch

    [results] = fill_mask_batch(["a [MASK] b", "no mask", "   ", "[MASK] c"], [2, 2, 2, 1], [tiny] * 4)
    assert len(results[0]["masks"][0]["candidates"]) == 2
    assert "no [MASK]" in results[1]["error"] and "empty" in results[2]["error"]
    assert len(results[3]["masks"][0]["candidates"]) == 1


def test_classify_and_pair_give_probabilities(tiny):
    from demo.classify import classify, classify_batch
    from demo.pair import pair

    scores, _, raw = classify("a charming film", "cola", tiny)
    assert set(scores) == {"unacceptable", "acceptable"} and math.isclose(sum(scores.values()), 1, abs_tol=1e-5)
    assert raw["label"] == max(scores, key=scores.get)
    label, _, raw = pair("A man plays guitar.", "A person plays a guitar.", "rte", tiny)
    assert set(label) == {"entailment", "not_entailment"}
    similarity, _, raw = pair("A man plays guitar.", "A person plays a guitar.", "stsb", tiny)
    assert similarity.startswith("similarity ") and 0 <= raw["score"] <= 5
    [batch] = classify_batch(["good", "bad"], ["sst2", "cola"], [tiny, tiny])
    assert set(batch[0]["scores"]) == {"negative", "positive"}
    assert set(batch[1]["scores"]) == {"unacceptable", "acceptable"}


def test_qa_highlights_the_answer_inside_the_context(tiny):
    from demo.qa import answer

    context = "France is a country in Western Europe. Its capital and largest city is Paris."
    highlighted, table, summary, raw = answer("What is the capital of France?", context, "squad", 4, 0.5, tiny)
    assert highlighted["text"] == context
    [entity] = highlighted["entities"]
    assert context[entity["start"]:entity["end"]] == raw["answer"] and raw["answer"]
    assert 1 <= len(table) <= 4 and table[0][1] == raw["answer"]
    assert all(context[start:end] == text for _, text, start, end, _ in table)
    assert "**Answer:**" in summary
    # SQuAD v2: a threshold of 0 abstains whenever p(no answer) > 0
    highlighted, _, summary, raw = answer("What is the capital of France?", context, "squad_v2", 4, 0.0, tiny)
    assert raw["answer"] == "" and highlighted["entities"] == [] and "No answer" in summary


def test_qa_long_context_is_read_in_windows(tiny):
    from demo.qa import answer

    context = " ".join(["Filler sentence number %d is here." % i for i in range(200)]) + " The key is blue."
    highlighted, _, _, raw = answer("What colour is the key?", context, "squad", 3, 0.5, tiny)
    assert len(context) < 10_000 and raw["start"] >= 0 and context[raw["start"]:raw["end"]] == raw["answer"]


def test_ner_spans_are_coloured_entities(tiny):
    from demo.ner import COLORS, entities, ner_batch

    text = "Angela Merkel met Emmanuel Macron in Paris on Tuesday."
    highlighted, table, _, raw = entities(text, tiny)
    assert highlighted["text"] == text and len(highlighted["entities"]) == len(raw["spans"]) == len(table)
    for entity, span in zip(highlighted["entities"], raw["spans"]):
        assert entity["entity"] in COLORS and text[entity["start"]:entity["end"]] == span["text"]
    [batch] = ner_batch([text, ""], [tiny, tiny])
    assert "spans" in batch[0] and "empty" in batch[1]["error"]


def test_srl_predicates_and_frames(tiny):
    from demo.srl import ALL, predicate_choices, roles, srl_predicates

    text = "Mary sold the book to John yesterday."
    choices = predicate_choices(text)
    assert choices[0][1] == ALL and ("1: sold", 1) in choices
    assert all(v == ALL or isinstance(v, int) for _, v in choices)
    assert srl_predicates("Mary sold it.", 1).value == 1 and srl_predicates("Hi.", 5).value == ALL
    html, table, _, raw = roles(text, 1, tiny)
    [frame] = raw["frames"]
    assert frame["predicate"]["text"] == "sold" and 'class="srl-frame"' in html and "<b>sold</b>" in html
    assert 'class="srl-legend"' in html and 'data-role="V"' in html
    assert len(table) == len(frame["spans"]) and all(row[0] == "sold" for row in table)
    _, _, note, raw = roles(text, ALL, tiny)
    assert all(f["predicate"]["score"] > 0.5 for f in raw["frames"])
    with pytest.raises(gr.Error, match="out of range"):
        roles(text, 40, tiny)


def test_translation_beams(tiny):
    from demo.translation import translate

    english, note, raw = translate("Ein Hund.", 1, tiny)
    assert isinstance(english, str) and english == raw["text"] and "translation" in note


def test_tokenizer_view_shows_wordpieces(tiny):
    from transformers import AutoTokenizer

    from demo.tokenizer import tokenize

    chips, table, summary, raw = tokenize("unaffable", "", tiny)
    reference = AutoTokenizer.from_pretrained(tiny)
    pieces = reference.tokenize("unaffable")
    assert pieces == ["una", "##ffa", "##ble"]
    assert raw["tokens"] == ["[CLS]", *pieces, "[SEP]"]
    assert raw["input_ids"] == reference.convert_tokens_to_ids(raw["tokens"]) == [101, 14477, 20961, 3468, 102]
    assert raw["kinds"] == ["special", "word", "##continuation", "##continuation", "special"]
    assert [c for c in chips if c[1]] == list(zip(raw["tokens"], raw["kinds"]))
    assert [row[1] for row in table] == raw["tokens"] and raw["attention_mask"] == [1] * 5
    assert "**5 tokens** for 1 words" in summary and "2 `##` continuations" in summary
    _, _, _, raw = tokenize("How old are you?", "I am 24.", tiny)
    assert raw["tokens"].count("[SEP]") == 2 and raw["token_type_ids"][-1] == 1 and raw["token_type_ids"][0] == 0


def test_attention_rows_sum_to_one(tiny):
    import numpy as np

    from demo.attention import attention, attention_shape, attention_weights, select

    tokens, weights = attention_weights("The cat sat on the mat.", "It was tired.", tiny)
    assert weights.shape == (2, 2, len(tokens), len(tokens))
    assert np.allclose(weights.sum(-1), 1.0, atol=1e-5)
    for average in (False, True):
        for hide in (False, True):
            shown, matrix = select(tokens, weights, 2, 1, average, hide)
            assert matrix.shape == (len(shown), len(shown)) and np.allclose(matrix.sum(1), 1.0, atol=1e-5)
            assert ("[CLS]" in shown) != hide
    figure, raw = attention("The cat sat.", "", 1, 2, False, True, tiny)
    assert raw["tokens"] == ["the", "cat", "sat", "."] and raw["head"] == 2
    assert np.allclose(np.array(raw["matrix"]).sum(1), 1.0, atol=1e-3) and figure.axes
    layer, head = attention_shape(tiny)
    assert layer.maximum == 2 and head.maximum == 2
    with pytest.raises(gr.Error, match="layer 3 is out of range: this model has layers 1–2"):
        attention("The cat sat.", "", 3, 1, False, False, tiny)


def test_explain_saliency_methods(tiny):
    import bertkit
    from demo.explain import METHODS, explain, saliency

    predictor = bertkit.load("sst2", tiny)
    ig = saliency(predictor, "a charming and affecting film", None, METHODS[1], steps=64)
    # completeness: attributions add up to the logit's change from the [PAD] baseline
    assert math.isclose(sum(ig["scores"]), ig["logit"] - ig["baseline_logit"], rel_tol=0.05, abs_tol=1e-6)
    grad = saliency(predictor, "a charming and affecting film", None, METHODS[0])
    assert len(grad["scores"]) == len(grad["tokens"]) == 7 and grad["baseline_logit"] is None
    segments, label, table, _, raw = explain("a charming and affecting film", "", "sst2", METHODS[0], 8, tiny)
    assert [row[0] for row in table] == ["a", "charming", "and", "affecting", "film"]
    scored = [score for _, score in segments if score is not None]
    assert len(scored) == 5 and max(abs(s) for s in scored) == pytest.approx(1.0)
    assert "".join(text for text, _ in segments) == "a charming and affecting film"
    segments, label, table, _, _ = explain("A man plays.", "A person plays.", "mrpc", METHODS[1], 8, tiny)
    assert len(table) == 8 and set(label) == {"not_equivalent", "equivalent"}
    with pytest.raises(gr.Error, match="second sentence is empty"):
        explain("A man plays.", "", "mrpc", METHODS[0], 8, tiny)


def test_leaderboard_reads_results_and_says_when_empty(tmp_path):
    from demo.leaderboard import leaderboard

    text, rows, plots = leaderboard(str(tmp_path / "missing"))
    assert "No results yet" in text and rows == [] and plots == []
    (tmp_path / "a.json").write_text('{"manifest": {"model": "m1", "seed": 1}, "tasks": {"sst2": {"scores": '
                                     '{"accuracy": {"value": 0.91, "ci": [0.89, 0.93]}}}, "mrpc": {"f1": 0.88}}}')
    (tmp_path / "b.json").write_text('{"model": "m2", "task": "cola", "scores": {"mcc": 0.4}}')
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "glue.md").write_text("| model | SST-2 |\n|---|---|\n| m1 | 91.0 |\n")
    text, rows, plots = leaderboard(str(tmp_path))
    assert "| m1 | 91.0 |" in text
    assert [r[:4] for r in rows] == [["m1", "sst2", "accuracy", 0.91], ["m1", "mrpc", "f1", 0.88],
                                     ["m2", "cola", "mcc", 0.4]]


def test_model_tab_card_and_snippets(tiny, no_default_heads):
    from demo.model import client_call, model_info

    table, card, provenance, cli, python, client = model_info("squad", tiny)
    assert provenance["kind"] == "local" and "config.json" in provenance["files"]
    assert table[0][1:3] == ["fill-mask", "no head in the checkpoint: random until fine-tuned"]
    assert cli.startswith("python -m bertkit predict squad --question") and f"--model {tiny}" in cli
    assert "bertkit.load('squad'" in python and "api_name='/qa'" in client
    table, card, provenance, *_ = model_info("sst2", "default")
    assert "No trained head for `sst2` yet" in card and provenance["head"] is None
    assert ["Classify", "sst2", "no trained head yet", ""] in table
    import bertkit

    assert {client_call(t, "default")[0] for t in bertkit.all_tasks()} == \
        {"/fill_mask", "/classify", "/pair", "/qa", "/ner", "/srl", "/translate"}
    with pytest.raises(gr.Error, match="unknown task"):
        model_info("nope", tiny)
