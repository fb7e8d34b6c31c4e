"""One task file is all a new task needs: a throw-away task module (an existing family, written to a
temporary folder, no other file touched) shows up in `python -m bertkit tasks`, in the evaluation's
`all` and its own group, in a run, in the leaderboard tables and plot, and in the app."""
import contextlib
import importlib.util
import io

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained", "ignore:An input array is constant")

NAME = "review_mood"
TASK_FILE = '''"""Mood of a product review (a throw-away task for tests)."""
from datasets import Dataset

from bertkit.families.classification import SequenceClassification
from bertkit.tasks.base import Task, register


def read_split(path, split):
    rows = [line.split("\\t") for line in path.read_text().splitlines()]
    return Dataset.from_dict({"idx": list(range(len(rows))), "text": [t for t, _ in rows],
                              "label": [int(y) for _, y in rows]})


TASK = register(Task(
    name="review_mood",
    family=SequenceClassification(),
    description=__doc__,
    labels=("sad", "glad"),
    files={"dev": "reviews/dev.tsv"},
    read=read_split,
    metric="glue",
    metric_config="sst2",
    primary_metric="accuracy",
    benchmark="reviews",
    title="Review mood",
    dataset="hand-written",
    examples=("works fine, glad I bought it", "broke on day one"),
    trainable=False,
))
'''


@pytest.fixture
def new_task(tmp_path):
    """The task file imported from a temporary folder (so the registry gains it), removed afterwards."""
    from bertkit.tasks import base

    base.all_tasks()  # the shipped tasks first: the registry discovers its own folder once
    path = tmp_path / "review_mood.py"
    path.write_text(TASK_FILE)
    spec = importlib.util.spec_from_file_location("throwaway_review_mood", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    data = tmp_path / "data"
    (data / "reviews").mkdir(parents=True)
    reviews = ["works fine, glad I bought it\t1", "broke on day one\t0", "lovely colour\t1", "too small\t0"] * 3
    (data / "reviews" / "dev.tsv").write_text("\n".join(reviews) + "\n")
    yield base.get_task(NAME), data
    base._REGISTRY.pop(NAME, None)


def test_a_new_task_file_reaches_the_cli_the_suite_the_leaderboard_and_the_app(new_task, tiny_bert, tmp_path):
    from bertkit.cli import main as bertkit_main
    from evaluation.leaderboard import collect, write_leaderboard
    from evaluation.plots import headline_cells
    from evaluation.runner import RunSettings, run
    from evaluation.selection import expand_tasks

    task, data = new_task
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert bertkit_main(["tasks"]) == 0
    assert any(line.startswith(NAME + " ") and "SequenceClassification" in line for line in out.getvalue().splitlines())

    assert NAME in expand_tasks("all") and expand_tasks("reviews") == [NAME]

    results = tmp_path / "results"
    run_file = run(RunSettings(model=str(tiny_bert), tasks="reviews", data_dir=data, output=results, progress=False),
                   log=io.StringIO())
    entry = run_file.data["tasks"][NAME]
    assert entry["status"] == "scored", entry.get("reason")
    assert entry["n_examples"] == 12 and entry["split"] == "dev" and 0 <= entry["scores"]["accuracy"]["value"] <= 1

    tables, written = write_leaderboard(results, ["md"], tmp_path / "board")
    mine = next(t for t in tables if t.title == "Review mood (hand-written)")
    assert mine.headers == ["Model", "Split", "accuracy"] and mine.rows[0][1] == "dev"
    assert mine.rows[0][0] == f"{tiny_bert} (untrained head: {NAME})"  # a random head is said to be one
    details = next(t for t in tables if t.title == "Per-task details")
    assert any(row[1] == NAME for row in details.rows)
    assert "### Review mood (hand-written)" in (tmp_path / "board" / "leaderboard.md").read_text()
    assert [c[1] for c in headline_cells(collect(results))] == [NAME]  # its bar in the plot
    assert (tmp_path / "board" / "scores_vs_references.png").read_bytes()[:4] == b"\x89PNG"

    import gradio as gr

    from demo.app import build_demo

    demo = build_demo(model=str(tiny_bert), models=[str(tiny_bert)], cache_examples=False)
    pickers = {b.elem_id: b for b in demo.blocks.values() if isinstance(b, gr.Dropdown) and b.elem_id}
    offered = [c[1] if isinstance(c, (list, tuple)) else c for c in pickers["classify_task"].choices]
    assert NAME in offered


GLUE_TASK_FILE = '''"""Mood of a product review in GLUE's TSV layout (a throw-away task for tests)."""
from bertkit.tasks._glue import glue_task

TASK = glue_task("review_glue", "REVIEWS", labels=("sad", "glad"), columns={"text": ("review",)},
                 string_labels=True, description=__doc__, primary_metric="accuracy", metric_config="sst2",
                 examples=("works fine, glad I bought it",))
'''


def test_a_new_glue_format_task_reads_trains_and_submits(tiny_bert, tmp_path):
    """Every fact the GLUE reader and the submission need comes from the task file (Task.glue)."""
    import bertkit
    from bertkit.tasks import base
    from evaluation.submit import submit

    base.all_tasks()
    path = tmp_path / "review_glue.py"
    path.write_text(GLUE_TASK_FILE)
    spec = importlib.util.spec_from_file_location("throwaway_review_glue", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    try:
        folder = tmp_path / "data" / "glue" / "REVIEWS"
        folder.mkdir(parents=True)
        rows = ["works fine, glad I bought it\tglad", "broke on day one\tsad", "lovely colour\tglad", "too small\tsad"]
        (folder / "train.tsv").write_text("review\tlabel\n" + "\n".join(rows * 5) + "\n")
        (folder / "dev.tsv").write_text("review\tlabel\n" + "\n".join(rows) + "\n")
        (folder / "test.tsv").write_text("index\treview\n" + "".join(f"{i}\t{r.split(chr(9))[0]}\n"
                                                                     for i, r in enumerate(rows)))
        task = base.get_task("review_glue")
        assert task.load("dev", tmp_path / "data")["label"][:] == [1, 0, 1, 0]
        result = bertkit.train("review_glue", model=str(tiny_bert), data_dir=str(tmp_path / "data"),
                               output=str(tmp_path / "run"), max_steps=1, batch_size=4, progress=False)
        lines = list(submit(result["output"], tmp_path / "data", tmp_path / "submission", tasks="review_glue"))
        written = (tmp_path / "submission" / "REVIEWS.tsv").read_text().splitlines()
        assert lines[0].endswith("4 predictions") and written[0] == "index\tprediction"
        assert [line.split("\t")[0] for line in written[1:]] == ["0", "1", "2", "3"]
        assert {line.split("\t")[1] for line in written[1:]} <= {"sad", "glad"}  # string labels, as declared
    finally:
        base._REGISTRY.pop("review_glue", None)
