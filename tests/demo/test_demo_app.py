"""The app as a whole: tabs generated from the registry, only servable tasks offered, an honesty line
under every output, errors in the output area worded for the web, and the smaller interaction fixes."""
import dataclasses
import json
import logging

import gradio as gr
import pytest
from conftest import shipped

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")


def components(demo, kind=gr.Dropdown) -> dict:
    return {b.elem_id: b for b in demo.blocks.values() if isinstance(b, kind) and b.elem_id}


def choices(dropdown) -> list[str]:
    return [c[1] if isinstance(c, (list, tuple)) else c for c in dropdown.choices]


# ---- generated from the registry --------------------------------------------------------------------
def test_every_registered_task_has_a_tab():
    import bertkit
    from demo.registry import FAMILY_TABS, tab_of

    assert all(tab_of(t) is not None for t in bertkit.all_tasks())
    assert len({row.id for row in FAMILY_TABS}) == len(FAMILY_TABS)


@pytest.fixture
def throwaway_task():
    """A new task file in an existing family (a copy of sst2 under another name), registered for one test."""
    import bertkit
    from bertkit.tasks import base

    task = dataclasses.replace(bertkit.get_task("sst2"), name="sst2_throwaway", description="A throw-away task.")
    base.register(task)
    yield task
    base._REGISTRY.pop(task.name, None)


def test_a_new_task_in_an_existing_family_appears_in_the_app(throwaway_task, tiny):
    from demo.app import build_demo
    from demo.model import tabs_table

    demo = build_demo(model=tiny, models=[tiny], cache_examples=False)
    dropdowns = components(demo)
    assert "sst2_throwaway" in choices(dropdowns["classify_task"])
    assert "sst2_throwaway" in choices(dropdowns["explain_task"])
    assert ["Classify", "sst2_throwaway"] in [row[:2] for row in tabs_table(tiny)]
    # the default model has no head for it: not offered there, and the picker says so
    demo = build_demo(cache_examples=False)
    picker = components(demo)["classify_task"]
    assert "sst2_throwaway" not in choices(picker) and "not offered for `default`" in picker.info


def test_qnli_is_offered_only_to_a_model_that_can_serve_it(tiny):
    from demo.app import build_demo
    from demo.common import task_choices
    from demo.registry import FAMILY_TABS

    demo = build_demo(cache_examples=False)
    pairs = components(demo)["pair_task"]
    assert "qnli" not in choices(pairs) and {"mrpc", "stsb", "rte", "wnli"} <= set(choices(pairs))
    assert "qnli" in pairs.info and "no trained head" in pairs.info
    assert "qnli" not in choices(components(demo)["explain_task"])
    assert not any("qnli" in json.dumps(ds.samples) for ds in demo.blocks.values() if isinstance(ds, gr.Dataset))
    pair_tasks = next(r for r in FAMILY_TABS if r.id == "pair").tasks()
    assert "qnli" in task_choices(pair_tasks, tiny, "qnli").choices[-1]  # a model with a head brings it back


# ---- honesty -------------------------------------------------------------------------------------
def test_every_default_head_says_how_good_it_is():
    import bertkit
    from bertkit.models import resolve
    from demo.honesty import source_line

    def line(name):  # the note under an answer: what the predictor's source says (no weights loaded here)
        return source_line(bertkit.get_task(name), resolve("default", name))

    assert f"accuracy {shipped('sst2', 'accuracy')} (95 % CI) on 872 held-out dev examples" in line("sst2")
    assert "trained on 65,368 rows of `glue/SST-2/train.tsv`" in line("sst2") and "movie-review" in line("sst2")
    assert f"bleu {shipped('translation', 'bleu')}" in line("translation")
    assert f"matthews_correlation {shipped('cola', 'matthews_correlation')}" in line("cola")
    for task in bertkit.all_tasks():
        if task.name != "qnli":
            assert "(95 % CI) on" in line(task.name), task.name


def test_the_note_under_an_answer_carries_the_honesty_line():
    from demo.classify import classify

    _, note, _ = classify("Him went to the store yesterday.", "cola", "default")
    assert note.startswith(f"ℹ️ **cola** head: matthews_correlation {shipped('cola', 'matthews_correlation')}")


def test_squad_v2_slider_starts_at_the_tuned_threshold():
    from bertkit.models import HEADS_DIR
    from demo.qa import answer, threshold_slider

    tuned = json.loads((HEADS_DIR / "squad_v2" / "bertkit.json").read_text())["no_answer_threshold"]
    slider = threshold_slider("squad_v2", "default")
    assert slider.value == tuned and f"{tuned:.4f}" in slider.info and "tuned" in slider.info
    assert threshold_slider("squad", "default").interactive is False
    context = "The Eiffel Tower is in Paris. It was finished in 1889."
    *_, summary, raw = answer("When was the tower finished?", context, "squad_v2", 3, None, "default")
    *_, same = answer("When was the tower finished?", context, "squad_v2", 3, tuned, "default")
    assert raw == same  # no threshold = the head's own


# ---- errors where the user looks ------------------------------------------------------------------
def test_errors_are_worded_for_the_web(tiny, no_default_heads):
    from demo import classify, fill_mask, pair

    calls = [lambda: fill_mask.fill_mask("[MASK] " * 600, 5, tiny),
             lambda: classify.classify("fine", "sst2", "default"),
             lambda: pair.pair("a", "b", "qnli", "default")]
    for call in calls:
        with pytest.raises(gr.Error) as info:
            call()
        message = info.value.message
        assert "--" not in message and "truncate=True" not in message and "python -m" not in message, message
        assert info.value.print_exception is False


def test_the_page_shows_errors_in_the_output_area_and_logs_one_line(tiny, caplog):
    from demo.classify import classify
    from demo.errors import shown_in_place

    page = shown_in_place(classify, 3, note=1, raw=2)
    with caplog.at_level(logging.WARNING, logger="bertkit.demo"):
        label, note, raw = page("", "sst2", tiny)
    assert label is None and "**Error:** text is empty" in note and raw == {"error": "text is empty: type some text"}
    [record] = [r for r in caplog.records if r.name == "bertkit.demo"]
    assert record.getMessage() == "user error in classify: text is empty: type some text" and not record.exc_info


# ---- interaction ----------------------------------------------------------------------------------
def test_mask_spellings_are_accepted(tiny):
    from demo.fill_mask import fill_mask

    for text in ("Paris is the [mask] of France.", "Paris is the <mask> of France.", "Paris is the [Mask] of France."):
        segments, _, _, raw = fill_mask(text, 3, tiny)
        assert len(raw["masks"]) == 1 and [label for _, label in segments if label] == ["[MASK] 1"]


def test_tokenizer_warns_past_the_model_limit(tiny):
    from demo.tokenizer import tokenize

    _, _, summary, raw = tokenize("word " * 600, "", tiny)
    assert len(raw["tokens"]) == 602 and "602 tokens: this model reads at most 512" in summary
    assert "reads at most" not in tokenize("a short one", "", tiny)[2]


def test_batch_endpoints_take_the_lists_their_api_page_documents(tiny):
    from demo.classify import classify_batch
    from demo.fill_mask import fill_mask_batch
    from demo.pair import pair_batch

    [answers] = classify_batch([["good", "bad", ""], "fine"], [["sst2"], "cola"], [[tiny], tiny])
    assert len(answers[0]) == 3 and set(answers[0][0]["scores"]) == {"negative", "positive"}
    assert "empty" in answers[0][2]["error"] and set(answers[1]["scores"]) == {"unacceptable", "acceptable"}
    [answers] = pair_batch([["A man sings.", "A dog."]], [["A man is singing.", "A cat."]], [["mrpc"]], [[tiny]])
    assert len(answers[0]) == 2 and all("label" in a for a in answers[0])
    [answers] = fill_mask_batch([["a [mask] b"]], [[2]], [[tiny]])
    assert len(answers[0][0]["masks"][0]["candidates"]) == 2
    [answers] = classify_batch([["a", "b"]], [["sst2", "sst2", "sst2"]], [[tiny]])
    assert "same length" in answers[0]["error"]


# ---- Model tab ------------------------------------------------------------------------------------
def test_model_tab_shows_held_out_scores_and_strips_front_matter():
    from demo.model import model_info

    table, card, provenance, cli, python, client = model_info("sst2", "default")
    assert not card.lstrip().startswith("---") and "| card field | value |" in card and "| license | apache-2.0 |" in card
    row = next(r for r in table if r[1] == "sst2")
    assert row[3] == f"accuracy {shipped('sst2', 'accuracy')}" and row[4] == "dev · 872" and row[5].startswith("accuracy 9")
    assert next(r for r in table if r[1] == "qnli")[2] == "no trained head yet"
    assert "threshold" not in client or "/qa" in client


# ---- Leaderboard: run evaluation ------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:An input array is constant")
def test_run_evaluation_adds_a_capped_row(tiny, data_dir, tmp_path):
    from demo.leaderboard import leaderboard, run_evaluation

    with pytest.raises(gr.Error, match="between 1 and 20"):
        run_evaluation(tiny, ["sst2"], 50, str(tmp_path), 20)
    with pytest.raises(gr.Error, match="pick at least one task"):
        run_evaluation(tiny, [], 5, str(tmp_path), 20)
    steps = []
    summary = run_evaluation(tiny, ["sst2"], 6, str(tmp_path), 20, lambda f, desc="": steps.append(f))
    assert "**sst2**" in summary and "accuracy = " in summary and steps[0] == 0.0 and steps[-1] == 1.0
    import json  # called in-process (never under a redirected stdout), recording the CLI command it equals

    written = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert written["settings"]["command"][3:] == ["run", "--model", tiny, "--tasks", "sst2", "--limit", "6",
                                                  "--output", str(tmp_path), "--no-progress"]
    text, _ = leaderboard(str(tmp_path))
    assert f"| {tiny} (limit 6) (untrained head: sst2) | dev |" in text and "| default (shipped) | dev |" in text
