"""`python -m evaluation submit` writes GLUE-server TSVs, on the first rows of each real GLUE test file."""
import contextlib
import io

import pytest

from evaluation.cli import main
from evaluation.submit import glue_files

ROWS = 5
FOLDERS = {"cola": "CoLA", "sst2": "SST-2", "mrpc": "MRPC", "stsb": "STS-B", "qnli": "QNLI", "rte": "RTE",
           "wnli": "WNLI"}


@pytest.fixture(scope="module")
def small_glue(data_dir, tmp_path_factory):
    """A data dir holding the header and first ROWS rows of each GLUE test file."""
    root = tmp_path_factory.mktemp("glue-data")
    for folder in FOLDERS.values():
        lines = (data_dir / "glue" / folder / "test.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
        (root / "glue" / folder).mkdir(parents=True)
        (root / "glue" / folder / "test.tsv").write_text("".join(lines[:ROWS + 1]), encoding="utf-8")
    return root


def test_submit_writes_every_glue_file_in_the_server_format(tiny_bert, small_glue, tmp_path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["submit", "--model", str(tiny_bert), "--data-dir", str(small_glue), "--output", str(tmp_path)])
    assert code == 0
    assert "MNLI-m.tsv" in out.getvalue()  # reported as not written
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(glue_files().values())
    for task, name in glue_files().items():
        lines = (tmp_path / name).read_text().splitlines()
        assert lines[0] == "index\tprediction" and len(lines) == 1 + ROWS
        source = (small_glue / "glue" / FOLDERS[task] / "test.tsv").read_text().splitlines()[1:]
        rows = [line.split("\t") for line in lines[1:]]
        assert [r[0] for r in rows] == [s.split("\t")[0] for s in source]  # the test file's own index
        predictions = [r[1] for r in rows]
        if task in ("rte", "qnli"):
            assert set(predictions) <= {"entailment", "not_entailment"}
        elif task == "stsb":
            assert all(0.0 <= float(p) <= 5.0 and "." in p for p in predictions)
        else:
            assert set(predictions) <= {"0", "1"}


def test_submit_refuses_tasks_that_are_not_glue(tiny_bert, tmp_path, capsys):
    assert main(["submit", "--model", str(tiny_bert), "--output", str(tmp_path), "--tasks", "ner"]) == 2
    assert "not GLUE: ner" in capsys.readouterr().err
