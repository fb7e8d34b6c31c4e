"""Each tab's functions, called directly on the tiny random BERT (its heads are random: the tests
check shapes, keys, invariants and messages, not answers)."""
import math
from pathlib import Path

import gradio as gr
import pytest
from conftest import shipped as shipped_score

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")
REPO = Path(__file__).resolve().parents[2]


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
    from demo.srl import ALL, EVERY, predicate_choices, roles, srl_predicates

    text = "Mary sold the book to John yesterday."
    choices = predicate_choices(text)
    assert choices[0] == EVERY and "1: sold" in choices and "4: to" in choices
    assert srl_predicates("Mary sold it.", "1: sold").value == "1: sold"  # same word at the same place
    assert srl_predicates("Mary sold it!", "1: sold").value == "1: sold"  # an edit elsewhere keeps it
    # a new sentence: every verb again, even where the old index still exists ("4: by" was the bug)
    assert srl_predicates("The chef cooked a meal by noon.", "4: nominated").value == EVERY
    assert srl_predicates("Hi.", "5: x").value == EVERY
    assert roles(text, "1: sold", tiny)[3]["frames"][0]["predicate"]["text"] == "sold"  # the page's value
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

    predictor = bertkit.load("sst2", tiny, precision="fp32")  # gradients need fp32 logits
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


def test_explain_waits_for_the_predictors_lock_and_names_a_model_without_gradients(tiny, tmp_path):
    """Saliency runs its forwards under the predictor's lock (the model is shared with every other
    request), and an ONNX export is refused with a message, not an AttributeError."""
    import threading

    import bertkit
    from bertkit.onnx_export import export
    from demo.explain import METHODS, explain, saliency

    predictor = bertkit.load("sst2", tiny, precision="fp32")
    done = []
    with predictor._lock:  # a forward of another request holds the model
        worker = threading.Thread(target=lambda: done.append(saliency(predictor, "a fine film", None, METHODS[0])))
        worker.start()
        worker.join(1.0)
        assert not done  # waiting for the lock, not racing the other forward
    worker.join(60)
    assert len(done) == 1 and len(done[0]["scores"]) == len(done[0]["tokens"])
    exported = export("sst2", tiny, tmp_path / "onnx", force=True)
    onnx = bertkit.load("sst2", str(exported))
    with pytest.raises(gr.Error, match="onnxruntime, which computes no gradients"):
        saliency(onnx, "a fine film")
    with pytest.raises(gr.Error, match="cannot be explained here"):
        explain("a fine film", "", "sst2", METHODS[0], 8, str(exported))


def test_leaderboard_is_never_empty_on_a_fresh_clone(tmp_path):
    """No results folder yet: the shipped default's held-out scores, the references and the plots."""
    from demo.honesty import PUBLISHED
    from demo.leaderboard import SHIPPED_LABEL, leaderboard

    assert PUBLISHED.is_file(), "evaluation/published/default.json is committed"
    text, plots = leaderboard(str(tmp_path / "missing"))
    glue = text.split("### GLUE")[1].split("### SQuAD")[0]
    shipped = next(line for line in glue.splitlines() if line.startswith(f"| {SHIPPED_LABEL} | dev |"))
    assert f"| {shipped_score('sst2', 'accuracy', ci=False)} |" in shipped and f"| {shipped_score('cola', 'matthews_correlation', ci=False)} |" in shipped  # SST-2 and CoLA dev, as the cards say
    assert "Δ vs MiniLM-L6xH384 (dev)" in glue and "| BERT-base | test |" in glue
    assert f"| {SHIPPED_LABEL} | squad_v2 | dev |" in text and len(plots) == 2


def test_leaderboard_says_when_there_is_nothing_to_show(tmp_path, monkeypatch):
    from demo import leaderboard as tab

    monkeypatch.setattr(tab, "PUBLISHED", tmp_path / "no-published.json")
    text, plots = tab.leaderboard(str(tmp_path / "missing"))
    assert "No results yet" in text and "does not exist" in text and plots == []
    text, plots = tab.leaderboard(str(tmp_path))
    assert "No results yet" in text and "python -m evaluation run" in text and plots == []
    (tmp_path / "other.json").write_text('{"model": "m1", "tasks": {"sst2": {"scores": {"accuracy": 0.5}}}}')
    text, plots = tab.leaderboard(str(tmp_path))
    assert "No results yet" in text and "1 JSON file(s) there, none a `bertkit-eval/1` results file" in text


def test_leaderboard_shows_the_suites_tables_and_plots(tmp_path):
    """The real results file of the default model (STS-B scored, the rest of GLUE skipped)."""
    import tempfile

    from conftest import copy_results
    from demo.leaderboard import PLOTS, leaderboard

    folder = tmp_path / "results"
    folder.mkdir()
    copy_results(folder)
    before = sorted(p.name for p in folder.rglob("*"))
    text, plots = leaderboard(str(folder))
    for title in ("GLUE", "SQuAD", "NER (CoNLL-2003)", "SRL", "Translation (Multi30k de→en)",
                  "Fill-mask (WikiText-2 test)", "Per-task details"):
        assert f"### {title}\n" in text
    glue = text.split("### GLUE")[1].split("### SQuAD")[0]
    assert "| CoLA MCC | SST-2 acc | MRPC F1/acc | STS-B P/S |" in glue and "| GLUE score | Score w/o WNLI |" in glue
    measured = next(line for line in glue.splitlines() if line.startswith("| default | dev |"))
    assert "| 85.4/85.7 |" in measured and "| 85.5 (partial: 1/9) | 85.5 (partial: 1/8) |" in measured
    assert "Δ vs MiniLM-L6xH384 (dev)" in glue and "| BERT-large | test |" in glue and "80.9 (partial: 5/9)" in glue
    assert "| BERT-base | squad | dev | 80.8 | 88.5 |" in text and "| BERT-base | dev | — | — | 96.4 |" in text
    assert "| default | stsb | 1 | dev | 1500 | spearmanr | 85.67 | [84.0, 87.1] |" in text
    assert "| default | sst2 | — | — | — | — | skipped: no head |" in text
    bleu, chrf = shipped_score("translation", "bleu", ci=False), shipped_score("translation", "chrf", ci=False)
    assert f"| default (shipped) | test | {bleu} | {chrf} |" in text.split("### Translation")[1]  # the shipped row
    assert [caption for _, caption in plots] == [caption for _, caption in PLOTS]
    for path, _ in plots:  # drawn into a temp folder, never into the results folder
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert Path(path).resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())
        assert not Path(path).resolve().is_relative_to(folder.resolve())
    assert sorted(p.name for p in folder.rglob("*")) == before
    assert leaderboard(str(folder))[1] == plots  # unchanged folder: the same plots, not drawn again
    text, _ = leaderboard(str(folder), "BERT-large")
    assert "Δ vs BERT-large (test)" in text and "Δ vs MiniLM-L6xH384" not in text


@pytest.mark.filterwarnings("ignore:An input array is constant")
def test_leaderboard_over_an_evaluation_run(tiny, data_dir, tmp_path):
    """Results just written by `python -m evaluation run` sit beside the default model's row."""
    import contextlib
    import io

    from conftest import copy_results
    from demo.leaderboard import leaderboard
    from evaluation.cli import main

    folder = copy_results(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", "--model", tiny, "--tasks", "stsb,sst2", "--limit", "8", "--output", str(folder),
                     "--no-progress"]) == 0
    text, plots = leaderboard(str(folder))
    glue = text.split("### GLUE")[1].split("### SQuAD")[0]
    label = f"{tiny} (limit 8) (untrained head: "  # the tiny model's heads are random, and its row says so
    row = next(line for line in glue.splitlines() if line.startswith(f"| {label}") and ") | dev |" in line)
    sst2 = row.split(" | ")[3]  # the random STS-B head predicts a constant: its correlation is undefined
    assert float(sst2) >= 0 and "(partial: " in row and row.count(" — ") >= 7
    assert "| default | dev |" in glue and len(plots) == 2
    assert any(line.startswith(f"| {label}") and ") | sst2 | 1 | dev | 8 | accuracy |" in line for line in text.splitlines())


def test_building_the_app_imports_neither_the_suite_nor_matplotlib(tmp_path):
    """The Leaderboard tab reads its folder when it is opened, so app start pays nothing for it."""
    import subprocess
    import sys

    code = ("import sys; from demo.app import build_demo; build_demo(results_dir=sys.argv[1]); "
            "print(sorted(m for m in ('evaluation.leaderboard', 'evaluation.plots', 'matplotlib.pyplot') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


# ---- the default model's trained heads ----------------------------------------------------------
def test_default_stsb_head_scores_similarity_sensibly():
    import bertkit.models

    if not (bertkit.models.HEADS_DIR / "stsb" / "bertkit.json").is_file():
        pytest.skip("no trained stsb head in bertkit/heads/stsb yet")
    from demo.model import head_status
    from demo.pair import pair

    label, note, raw = pair("A man is playing a guitar.", "A person plays the guitar.", "stsb", "default")
    assert note.startswith(f"ℹ️ **stsb** head: pearson {shipped_score('stsb', 'pearson')}") and "1,500 held-out dev examples" in note
    assert "trained on 5,174 rows of `glue/STS-B/train.tsv`" in note
    assert label == f"similarity {raw['score']:.2f} / 5" and raw["score"] > 3.0
    _, note, unrelated = pair("A man is playing a guitar.", "The stock market fell sharply today.", "stsb", "default")
    assert unrelated["score"] < 1.0 and raw["score"] - unrelated["score"] > 2.5
    assert head_status("stsb", "default")[0] == "trained (lora)"


def test_model_tab_card_and_snippets(tiny, no_default_heads):
    from demo.model import client_call, model_info

    table, card, provenance, cli, python, client = model_info("squad", tiny)
    assert provenance["kind"] == "local" and "config.json" in provenance["files"]
    assert table[0][1:3] == ["fill-mask", "no head in the checkpoint: random until fine-tuned"]
    assert cli.startswith("python -m bertkit predict squad --question") and f"--model {tiny}" in cli
    assert "bertkit.load('squad'" in python and "api_name='/qa'" in client
    table, card, provenance, *_ = model_info("sst2", "default")
    assert "No trained head for `sst2` yet" in card and provenance["head"] is None
    assert ["Classify", "sst2", "no trained head yet", "", "", ""] in table
    import bertkit

    assert {client_call(t, "default")[0] for t in bertkit.all_tasks()} == \
        {"/fill_mask", "/classify", "/pair", "/qa", "/ner", "/srl", "/translate"}
    with pytest.raises(gr.Error, match="unknown task"):
        model_info("nope", tiny)
