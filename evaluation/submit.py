"""GLUE test-set prediction files in the format gluebenchmark.com accepts.

    python -m evaluation submit --model default --output glue-submission/

One TSV per task, header `index<TAB>prediction`, rows in the test file's order with its `index`.
Predictions as GLUE writes labels: `entailment`/`not_entailment` for RTE and QNLI, class ids 0/1
for CoLA, SST-2, MRPC and WNLI (1 = acceptable, positive, equivalent, entailment), a float for
STS-B. The server also wants MNLI-m, MNLI-mm, QQP and AX files, which have no data here: zip the
folder with those added before uploading.
"""
from __future__ import annotations

from pathlib import Path

from bertkit.errors import MissingHeadError, ModelError, OptionError
from bertkit.files import atomic_write
from bertkit.tasks.base import get_task

from .selection import expand_tasks



def glue_files() -> dict[str, str]:
    """{task: the file name the GLUE server wants} for the registry's GLUE tasks (their folder names)."""
    from bertkit.tasks.base import all_tasks

    return {t.name: f"{t.display_name}.tsv" for t in all_tasks() if t.benchmark == "glue"}

NOT_HERE = ("MNLI-m.tsv", "MNLI-mm.tsv", "QQP.tsv", "AX.tsv")


def prediction_text(task, output: dict) -> str:
    if task.family.regression:
        return f"{output['score']:.3f}"
    if task.glue is not None and task.glue.string_labels:  # GLUE's files for these name the class
        return output["label"]
    if output["label"] not in task.labels:
        raise ModelError(f"{task.name}: the model predicts {output['label']!r}, not one of {list(task.labels)}")
    return str(task.labels.index(output["label"]))


def submission_tsv(task, dataset, outputs) -> str:
    lines = ["index\tprediction"] + [f"{i}\t{prediction_text(task, o)}" for i, o in zip(dataset["idx"], outputs)]
    return "\n".join(lines) + "\n"


def submit(model: str, data_dir, output, tasks: str = "glue", batch_size: int | None = None):
    """Write one TSV per GLUE task; yields one line of report per task."""
    import bertkit

    names, files = expand_tasks(tasks), glue_files()
    wrong = [n for n in names if n not in files]
    if wrong:
        raise OptionError(f"submit writes GLUE files only; not GLUE: {', '.join(wrong)} (valid: {', '.join(files)})")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    for name in names:
        task = get_task(name)
        try:
            predictor = bertkit.load(task.name, model, cache=False)
        except MissingHeadError as e:
            yield f"{files[name]}: skipped: no head: {e}"
            continue
        dataset = task.load("test", data_dir)
        outputs = predictor(task.family.to_inputs(task, dataset), batch_size=batch_size, progress=True)
        path = output / files[name]
        atomic_write(path, submission_tsv(task, dataset, outputs).encode())
        yield f"{path}: {len(outputs)} predictions"
    yield f"not written (no data here; the GLUE server wants them too): {', '.join(NOT_HERE)}"
