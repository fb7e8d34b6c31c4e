"""The fault campaign: one row per kind of bad input or fault, over the API, the CLIs, training,
evaluation and export. Each row: (surface, kind, how to provoke it, what must happen), where what must
happen is a bertkit error whose message matches a pattern (`Error`) or a working result (`Works`),
and always: no traceback, and nothing a `ctx.protect`ed path held is lost. Adding a kind is one row.

The harness (campaign_harness.py) tags every failure LOST / TRACEBACK / SILENT / WRONG, so the same module run
on older code counts what each kind did there.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from campaign_harness import REPO, Error, Row, Works, judge, run_main, run_subprocess

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained"), pytest.mark.filterwarnings("ignore::UserWarning")]

GOOD_RESULTS = REPO / "tests" / "demo" / "data" / "20261130-135037-default.json"
REVIEWS = [("a wonderful, moving film", "positive"), ("dull and far too long", "negative"),
           ("brilliant acting and a great story", "positive"), ("a boring mess", "negative")]


# ---- helpers the rows share -------------------------------------------------------------------------
def predictor(ctx, task="sst2"):
    import bertkit

    key = ("predictor", task)
    if key not in ctx.shared:
        ctx.shared[key] = bertkit.load(task, str(ctx.tiny_bert))
    return ctx.shared[key]


def predict(task, inputs, **options):
    return lambda ctx: predictor(ctx, task)(inputs, **options)


def bertkit_cli(*argv):
    from bertkit.cli import main

    return lambda ctx: run_main(main, [a.format(tiny=ctx.tiny_bert, tmp=ctx.tmp) for a in argv])


def eval_cli(ctx, *argv):
    from evaluation.cli import main

    return run_main(main, [str(a) for a in argv])


def csv_text(rows=REVIEWS * 3, header="review,sentiment", newline="\n") -> str:
    return newline.join([header] + [f'"{t}",{label}' for t, label in rows]) + newline


def train_files(ctx, train: str | bytes | None = None):
    return (ctx.write("data/train.csv", csv_text() if train is None else train),
            ctx.write("data/dev.csv", csv_text(REVIEWS * 2)))


def train_kwargs(ctx, train=None, **kw) -> dict:
    train_file, dev_file = train_files(ctx, train)
    args = dict(model=str(ctx.tiny_bert), train_file=str(train_file), validation_file=str(dev_file),
                columns={"text": "review", "label": "sentiment"}, output=str(ctx.tmp / "run"), batch_size=4,
                lr=3e-3, progress=False, seed=1, precision="fp32", max_steps=1)
    args.update(kw)
    return args


def train(train=None, **kw):
    """bertkit.train on a tiny CSV; `kw` overrides the recipe."""
    def provoke(ctx):
        import bertkit

        given = {k: v.format(tmp=ctx.tmp) if isinstance(v, str) else v for k, v in kw.items()}
        return bertkit.train("sst2", **train_kwargs(ctx, train, **given))
    return provoke


def train_cli(*extra, train=None):
    def provoke(ctx):
        from bertkit.cli import main

        train_file, dev_file = train_files(ctx, train)
        argv = ["train", "sst2", "--model", str(ctx.tiny_bert), "--train-file", str(train_file),
                "--validation-file", str(dev_file), "--column", "text=review", "--column", "label=sentiment",
                "--output", str(ctx.tmp / "run"), "--batch-size", "4", "--max-steps", "1", "--precision", "fp32"]
        return run_main(main, argv + [a.format(tmp=ctx.tmp) for a in extra])
    return provoke


def then(*steps):
    """Run `steps` in order on the same ctx; the last one's value is the row's value."""
    def provoke(ctx):
        value = None
        for step in steps:
            value = step(ctx)
        return value
    return provoke


def protect(*names, content: str | bytes = "the user's own notes\n", folder=False):
    """A step that creates (file, or folder with one file) and protects each name under ctx.tmp."""
    def step(ctx):
        for name in names:
            path = ctx.tmp / name
            if folder:
                ctx.write(f"{name}/notes.txt", content)
            else:
                ctx.write(name, content)
            ctx.protect(path)
    return step


def no_staging_left(value_step):
    """The step, then: neither OUTPUT nor OUTPUT.partial is left behind (re-raises the step's error)."""
    def provoke(ctx):
        try:
            return value_step(ctx)
        finally:
            left = [p.name for p in ctx.tmp.iterdir() if p.name.startswith("run")]
            assert not left, f"WRONG: a failed run left {left}"
    return provoke


def mounted_tmpfs(ctx, name: str, options: str) -> Path:
    """A fresh tmpfs at ctx.tmp/name (read-only or tiny): a real EROFS/ENOSPC even for root."""
    path = ctx.tmp / name
    path.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.decode().strip()})")
    ctx.shared.setdefault("mounts", []).append(path)
    return path


def on_tmpfs(options: str, **kw):
    def provoke(ctx):
        disk = mounted_tmpfs(ctx, "disk", options)
        writable = "ro" not in options.split(",")
        if writable:
            (disk / "keep.txt").write_text("kept")
        try:
            return train(output=str(disk / "run"), **kw)(ctx)
        finally:
            left = sorted(p.name for p in disk.rglob("*") if p.name != "keep.txt")
            kept = not writable or (disk / "keep.txt").read_text() == "kept"
            subprocess.run(["umount", str(disk)], check=False)
            assert kept, "LOST: keep.txt on that disk changed or vanished"
            assert not left, f"WRONG: left on the full/read-only disk: {left}"
    return provoke


def results_folder(bad_name: str, bad: str | bytes | dict | None):
    """A results folder with one good file and one bad one (None: a folder named like a file)."""
    def step(ctx):
        folder = ctx.tmp / "results"
        folder.mkdir()
        shutil.copy(GOOD_RESULTS, folder / GOOD_RESULTS.name)
        if bad is None:
            (folder / bad_name).mkdir()
        else:
            content = json.dumps(bad) if isinstance(bad, dict) else bad
            ctx.write(f"results/{bad_name}", content)
        return folder
    return step


def leaderboard_with(bad_name, bad):
    def provoke(ctx):
        folder = results_folder(bad_name, bad)(ctx)
        return eval_cli(ctx, "leaderboard", folder, "--format", "md", "--output", ctx.tmp / "board")
    return provoke


def names_the_bad_file(name):
    return Works(lambda cli: f"skipped" in cli.err and name in cli.err and "mrpc" in cli.out.lower(),
                 f"the table is printed and {name} is named as skipped")


GOOD = json.loads(GOOD_RESULTS.read_text()) if GOOD_RESULTS.exists() else {}


def bad_schema(**changes):
    data = json.loads(json.dumps(GOOD))
    for dotted, value in changes.items():
        target, *path, last = [data, *dotted.split("__")]
        for key in path:
            target = target[key]
        target[last] = value
    return data


def compare_with(bad: str | bytes | None):
    def provoke(ctx):
        folder = results_folder("bad.json", bad)(ctx)
        return eval_cli(ctx, "compare", folder / GOOD_RESULTS.name, folder / "bad.json")
    return provoke


def run_into(bad_name: str, bad):
    """`evaluation run` into a results folder that holds one bad file (needs the benchmark data)."""
    def provoke(ctx):
        from bertkit.data_dir import data_dir

        if not (data_dir() / "glue").exists() and not any(data_dir().glob("*")):
            pytest.skip(f"benchmark data not found at {data_dir()}")
        folder = results_folder(bad_name, bad)(ctx)
        return eval_cli(ctx, "run", "--model", ctx.tiny_bert, "--tasks", "sst2", "--limit", "4", "--output", folder,
                        "--no-progress")
    return provoke


# ---- interrupted writes (subprocesses: a SIGKILL must really kill) ----------------------------------------
KILL_IN_SAVE = """
import os, signal, sys, torch
real = torch.save
def save(obj, f, *a, **k):  # a kill in the middle of the checkpoint write of step 2
    if str(f).endswith("optimizer.pt") and "checkpoint-2" in str(f):
        open(f, "wb").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return real(obj, f, *a, **k)
torch.save = save
from bertkit.cli import main
sys.exit(main(sys.argv[1:]))
"""


def killed_in_checkpoint_write(lora: bool):
    def provoke(ctx):
        train_file, dev_file = train_files(ctx)
        hook = ctx.write("kill_in_save.py", KILL_IN_SAVE)
        argv = ["train", "sst2", "--model", str(ctx.tiny_bert), "--train-file", str(train_file),
                "--validation-file", str(dev_file), "--column", "text=review", "--column", "label=sentiment",
                "--output", str(ctx.tmp / "run"), "--batch-size", "4", "--max-steps", "3", "--save-every", "1",
                "--precision", "fp32"] + (["--lora"] if lora else [])
        first = run_subprocess([str(hook), *argv])
        assert first.rc == -signal.SIGKILL, f"WRONG: the hook did not kill the run: {first.rc} {first.err[-800:]}"
        return run_subprocess(["-m", "bertkit", *argv])
    return provoke


def half_written_checkpoint(ctx):
    """A staging folder holding checkpoint-1 and a half-written checkpoint-9 (as an older bertkit left)."""
    import bertkit
    from transformers import TrainerCallback

    class Stop(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 1:
                os.kill(os.getpid(), signal.SIGINT)

    args = train_kwargs(ctx, max_steps=3)
    with pytest.raises(bertkit.BertkitError, match="SIGINT"):
        bertkit.train("sst2", callbacks=[Stop()], **args)
    broken = ctx.tmp / "run.partial" / "checkpoints" / "checkpoint-9"
    shutil.copytree(broken.with_name("checkpoint-1"), broken)
    (broken / "trainer_state.json").unlink()
    (broken / "optimizer.pt").write_bytes(b"")
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result = bertkit.train("sst2", **args)
    return result, err.getvalue()


# ---- the table ------------------------------------------------------------------------------------------
E, W = Error, Works
ROWS = [
    # --- API: predictor inputs -------------------------------------------------------------------------
    Row("api", "lone surrogate in a text", predict("sst2", ["fine", "bad \udcff byte"]),
        W(lambda out: len(out) == 2 and all("label" in o for o in out), "both items answered")),
    Row("api", "lone surrogate in a pair", predict("mrpc", [{"text": "a \ud800", "text_pair": "b"}]),
        W(lambda out: "label" in out[0])),
    Row("api", "lone surrogate in a QA question", predict("squad", {"question": "who \udfff?", "context": "Ann did."}),
        W(lambda out: "answer" in out)),
    Row("api", "lone surrogate in a NER text", predict("ner", ["Ann \udcc3 lives in Rome"]), W(lambda out: len(out) == 1)),
    Row("api", "lone surrogate in a fill-mask text", predict("fill-mask", "Paris \udcff is the [MASK]."),
        W(lambda out: "masks" in out)),
    Row("api", "control characters and NUL", predict("sst2", "good\x00 film\x07\x1b"), W(lambda out: "label" in out)),
    Row("api", "emoji-only text", predict("sst2", "😀😀😀"), W(lambda out: "label" in out)),
    Row("api", "right-to-left and combining marks", predict("sst2", "שלום e\u0301\u0301\u0301 مرحبا"), W(lambda out: "label" in out)),
    Row("api", "zero-width characters", predict("sst2", "good\u200b\u200d film\ufeff"), W(lambda out: "label" in out)),
    Row("api", "whitespace-only text", predict("sst2", " \t\n\u3000 "), E("empty")),
    Row("api", "empty list", predict("sst2", []), W(lambda out: out == [])),
    Row("api", "None as input", predict("sst2", None), E("must be a string")),
    Row("api", "bytes as input", predict("sst2", b"good film"), E("must be a string")),
    Row("api", "nested list as input", predict("sst2", [["good film"]]), E("must be a string")),
    Row("api", "text far longer than the model", predict("sst2", "word " * 100_000), E("at most 512")),
    Row("api", "one empty item among good ones", predict("sst2", ["fine", "", "ok"]), E("input 1: text is empty")),
    Row("api", "batch_size -1", predict("sst2", ["fine"], batch_size=-1), E("batch_size", )),
    Row("api", "batch_size 2.5", predict("sst2", ["fine"], batch_size=2.5), E("batch_size")),
    Row("api", "batch_size '8' (a string)", predict("sst2", ["fine"], batch_size="8"), E("batch_size")),
    Row("api", "batch_size 0", predict("sst2", ["fine"], batch_size=0), E("batch_size")),
    Row("api", "batch_size True", predict("sst2", ["fine"], batch_size=True), E("batch_size")),
    Row("api", "huge batch_size", predict("sst2", ["fine", "dull"], batch_size=10**12), W(lambda out: len(out) == 2)),
    Row("api", "unknown option", predict("sst2", "fine", top_k=3), E("takes no option top_k")),
    Row("api", "task given as a list", lambda ctx: __import__("bertkit").load(["sst2"], str(ctx.tiny_bert)), E("unknown task")),
    Row("api", "task given as None", lambda ctx: __import__("bertkit").load(None, str(ctx.tiny_bert)), E("unknown task")),
    Row("api", "task given as an int", lambda ctx: __import__("bertkit").get_task(3), E("unknown task")),
    Row("api", "misspelt task", lambda ctx: __import__("bertkit").get_task("sst-2"), E("valid tasks: fill-mask")),
    Row("api", "load(batch_size=-3)", lambda ctx: __import__("bertkit").load("sst2", str(ctx.tiny_bert), cache=False,
                                                                              batch_size=-3), E("batch_size")),
    # --- CLI: predict ----------------------------------------------------------------------------------
    Row("cli", "lone surrogate in argv (undecodable byte)", bertkit_cli("predict", "sst2", "good", "bad \udcff", "--model", "{tiny}"),
        W(lambda cli: len(cli.out.splitlines()) == 2 and "\ufffd" not in cli.err, "two JSON lines")),
    Row("cli", "--file with a non-UTF-8 byte", then(lambda ctx: ctx.write("in.txt", b"good film\nbad \xff byte\nok\n"),
                                                    bertkit_cli("predict", "sst2", "--file", "{tmp}/in.txt", "--model", "{tiny}")),
        W(lambda cli: len(cli.out.splitlines()) == 3, "one line per input")),
    Row("cli", "--file with a BOM and CRLF line ends", then(lambda ctx: ctx.write("in.txt", "\ufeffgood film\r\ndull\r\n".encode()),
                                                            bertkit_cli("predict", "sst2", "--file", "{tmp}/in.txt", "--model", "{tiny}")),
        W(lambda cli: len(cli.out.splitlines()) == 2, "two lines")),
    Row("cli", "--file that is empty", then(lambda ctx: ctx.write("in.txt", b""),
                                            bertkit_cli("predict", "sst2", "--file", "{tmp}/in.txt", "--model", "{tiny}")),
        E("no inputs")),
    Row("cli", "--file that is a folder", bertkit_cli("predict", "sst2", "--file", "{tmp}", "--model", "{tiny}"), E("is a folder")),
    Row("cli", "--file that does not exist", bertkit_cli("predict", "sst2", "--file", "{tmp}/nope.txt", "--model", "{tiny}"),
        E("nope.txt")),
    Row("cli", "--file with a broken JSON line", then(lambda ctx: ctx.write("in.txt", 'fine\n{"text": \n'),
                                                      bertkit_cli("predict", "sst2", "--file", "{tmp}/in.txt", "--model", "{tiny}")),
        E("line 2")),
    Row("cli", "--batch-size 0", bertkit_cli("predict", "sst2", "fine", "--batch-size", "0", "--model", "{tiny}"), E("batch_size")),
    Row("cli", "--batch-size -1", bertkit_cli("predict", "sst2", "fine", "--batch-size", "-1", "--model", "{tiny}"), E("batch_size")),
    Row("cli", "--batch-size 2.5", bertkit_cli("predict", "sst2", "fine", "--batch-size", "2.5"), E("invalid int value")),
    Row("cli", "unknown task", bertkit_cli("predict", "sentiment", "fine"), E("unknown task 'sentiment'")),
    Row("cli", "no text and no --file", bertkit_cli("predict", "sst2", "--model", "{tiny}"), E("give a text")),
    Row("cli", "--model folder that does not exist", bertkit_cli("predict", "sst2", "fine", "--model", "{tmp}/missing"),
        E("missing")),
    Row("cli", "--model that is a file", then(protect("weights.bin"), bertkit_cli("predict", "sst2", "fine", "--model", "{tmp}/weights.bin")),
        E("weights.bin")),
    Row("cli", "option the task does not take", bertkit_cli("predict", "sst2", "fine", "--top-k", "2", "--model", "{tiny}"),
        E("takes no option")),
    Row("cli", "unknown command", bertkit_cli("fly"), E("invalid choice")),
    # --- training: parse-time checks ---------------------------------------------------------------------
    Row("train", "lr=inf", train(lr=float("inf")), E("lr must be a finite number")),
    Row("train", "lr=nan", train(lr=float("nan")), E("lr must be")),
    Row("train", "weight_decay=inf", train(weight_decay=float("inf")), E("weight_decay must be a finite")),
    Row("train", "epochs=inf", train(epochs=float("inf"), max_steps=-1), E("epochs must be a finite")),
    Row("train", "epochs=nan", train(epochs=float("nan"), max_steps=-1), E("epochs must be")),
    Row("train", "warmup=nan", train(warmup=float("nan")), E("warmup must be")),
    Row("train", "lr='0.1' (a string)", train(lr="0.1"), E("lr must be a number, got '0.1'")),
    Row("train", "max_steps=2.5", train(max_steps=2.5), E("max_steps must be a whole number, got 2.5")),
    Row("train", "batch_size=0", train(batch_size=0), E("batch_size must be >= 1")),
    Row("train", "seed='x'", train(seed="x"), E("seed must be a whole number")),
    Row("train", "lora='yes'", train(lora="yes"), E("lora must be True or False")),
    Row("train", "unknown option", train(learning_rate=0.1), E("unknown training option")),
    Row("train", "epochs=1e300 (huge)", no_staging_left(train(epochs=1e300, max_steps=-1)), E("fewer epochs")),
    Row("cli", "train --lr inf", train_cli("--lr", "inf"), E("must be a finite number")),
    Row("cli", "train --weight-decay inf", train_cli("--weight-decay", "inf"), E("must be a finite number")),
    Row("cli", "train --epochs inf", train_cli("--epochs", "inf"), E("must be a finite number")),
    Row("cli", "train --lr nan", train_cli("--lr", "nan"), E("--lr: must be")),
    Row("cli", "train --max-steps 2.5", train_cli("--max-steps", "2.5"), E("expected an integer")),
    Row("cli", "train unknown task", bertkit_cli("train", "sentiment"), E("unknown task")),
    # --- training: nothing lost ----------------------------------------------------------------------------
    Row("train", "--output names an existing file", then(protect("run"), train()), E("not a folder")),
    Row("cli", "train --output names an existing file", then(protect("run"), train_cli()), E("not a folder")),
    Row("train", "--output names an existing file, --overwrite", then(protect("run"), train(overwrite=True)), E("not a folder")),
    Row("train", "OUTPUT.partial is a user's file", then(protect("run.partial"), train()), E("not a folder")),
    Row("train", "--output under a file", then(protect("file"), train(output="{tmp}/file/run")), E("not a folder")),
    Row("train", "--output a folder of user files, --overwrite", then(protect("run", folder=True), train(overwrite=True)),
        E("not a bertkit run")),
    Row("train", "--output an empty folder", then(lambda ctx: (ctx.tmp / "run").mkdir(), train()), W(lambda r: Path(r["output"], "bertkit.json").is_file())),
    Row("train", "a failed run (bad model) leaves no staging folder",
        no_staging_left(then(lambda ctx: ctx.write("empty-model/README", "no weights"), train(model="{tmp}/empty-model"))), E("")),
    Row("train", "loss diverges (lr=1e30): nothing published", no_staging_left(train(lr=1e30, max_steps=3)), E("diverged")),
    Row("train", "weights diverge in the last step: nothing published", no_staging_left(train(lr=1e30, max_steps=1)), E("diverged")),
    Row("train", "read-only output folder", on_tmpfs("ro,size=1m"), E("read-only")),
    Row("train", "disk full while writing a checkpoint", on_tmpfs("size=600k"), E("disk is full")),
    Row("train", "half-written checkpoint from an older run is skipped", half_written_checkpoint,
        W(lambda v: v[0]["resumed_from"].endswith("checkpoint-1") and "skipping" in v[1] and "checkpoint-9" in v[1],
          "resumed from checkpoint-1, naming checkpoint-9 as skipped")),
    Row("train", "SIGKILL during a checkpoint write, then the same command", killed_in_checkpoint_write(lora=False),
        W(lambda cli: cli.rc == 0 and '"output"' in cli.out, "the rerun finishes"), slow=True),
    Row("train", "SIGKILL during a LoRA checkpoint write, then the same command", killed_in_checkpoint_write(lora=True),
        W(lambda cli: cli.rc == 0 and '"output"' in cli.out, "the rerun finishes"), slow=True),
    # --- training: user data ---------------------------------------------------------------------------------
    Row("train", "empty training file (0 bytes)", no_staging_left(train(train=b"")), E("train.csv")),
    Row("train", "header-only training file", no_staging_left(train(train="review,sentiment\n")), E("no rows")),
    Row("train", "training file is a folder", train(train_file="{tmp}"), E("tmp|folder|directory")),
    Row("train", "training file with a BOM and CRLF", train(train="\ufeff" + csv_text(newline="\r\n")),
        W(lambda r: Path(r["output"], "bertkit.json").is_file())),
    Row("train", "label typo ('postive')", train(train=csv_text(REVIEWS * 2 + [("fine", "postive")])), E("'postive'.*--labels")),
    Row("train", "only one class", train(train=csv_text([("a", "positive")] * 8)), E("at least two labels")),
    Row("train", "a column missing", train(train=csv_text(header="text,sentiment")), E("review")),
    Row("train", "duplicate column names", train(train=csv_text(header="review,review")), E("review|sentiment|column")),
    Row("train", "a non-UTF-8 byte in the training file", train(train=csv_text().encode() + b'"bad \xff",negative\n'),
        E("UTF-8|utf-8|line")),
    # --- evaluation: results folders --------------------------------------------------------------------------
    Row("eval", "leaderboard: a truncated results file", leaderboard_with("cut.json", GOOD_RESULTS.read_text()[:500]),
        names_the_bad_file("cut.json")),
    Row("eval", "leaderboard: a non-JSON .json file", leaderboard_with("junk.json", b"\x89PNG\r\n\x1a\n\x00\x00"),
        names_the_bad_file("junk.json")),
    Row("eval", "leaderboard: right schema, tasks a list", leaderboard_with("list.json", bad_schema(tasks=[])),
        names_the_bad_file("list.json")),
    Row("eval", "leaderboard: a scored entry without scores", leaderboard_with(
        "noscores.json", bad_schema(tasks__stsb__scores=None)), names_the_bad_file("noscores.json")),
    Row("eval", "leaderboard: a score that is text", leaderboard_with(
        "text.json", bad_schema(tasks__stsb__scores={"pearson": {"value": "high"}})), names_the_bad_file("text.json")),
    Row("eval", "leaderboard: no manifest", leaderboard_with("nomanifest.json", bad_schema(manifest={})),
        names_the_bad_file("nomanifest.json")),
    Row("eval", "leaderboard: a JSON list", leaderboard_with("array.json", "[1, 2]"), names_the_bad_file("array.json")),
    Row("eval", "leaderboard: an empty .json file", leaderboard_with("empty.json", ""), names_the_bad_file("empty.json")),
    Row("eval", "leaderboard: a folder named x.json", leaderboard_with("dir.json", None), names_the_bad_file("dir.json")),
    Row("eval", "run: a truncated results file in the output folder", run_into("cut.json", GOOD_RESULTS.read_text()[:500]),
        W(lambda cli: "skipped" in cli.err and "cut.json" in cli.err and "results:" in cli.out, "scored, bad file named")),
    Row("eval", "run: a results file with tasks as a list", run_into("list.json", bad_schema(tasks=[])),
        W(lambda cli: "skipped" in cli.err and "list.json" in cli.err and "results:" in cli.out, "scored, bad file named")),
    Row("eval", "leaderboard: a results folder that does not exist",
        lambda ctx: eval_cli(ctx, "leaderboard", ctx.tmp / "nope"), E("nope|no results")),
    Row("eval", "compare: B is truncated", compare_with(GOOD_RESULTS.read_text()[:300]), E("bad.json")),
    Row("eval", "compare: B is a folder", lambda ctx: eval_cli(ctx, "compare", GOOD_RESULTS, ctx.tmp), E("folder|not a results file")),
    Row("eval", "compare: predictions files missing", lambda ctx: eval_cli(ctx, "compare", GOOD_RESULTS, GOOD_RESULTS),
        W(lambda cli: "missing or damaged" in cli.out or "no shared" in cli.out, "a note per task")),
    Row("eval", "run --limit 0", lambda ctx: eval_cli(ctx, "run", "--limit", "0"), E("positive integer")),
    Row("eval", "run --tasks unknown", lambda ctx: eval_cli(ctx, "run", "--tasks", "sentiment", "--output", ctx.tmp),
        E("sentiment")),
    # --- export -----------------------------------------------------------------------------------------------
    Row("export", "--output names an existing file", then(protect("out"), bertkit_cli(
        "export", "sst2", "--model", "{tiny}", "--output", "{tmp}/out")), E("not a folder")),
    Row("export", "--output a folder of user files", then(protect("out", folder=True), bertkit_cli(
        "export", "sst2", "--model", "{tiny}", "--output", "{tmp}/out")), E("refusing to overwrite")),
    Row("export", "a task ONNX does not export", bertkit_cli("export", "translation", "--output", "{tmp}/out"), E("translation")),
]


@pytest.mark.parametrize("row", [r.param() for r in ROWS])
def test_fault(row: Row, ctx):
    judge(row, ctx)


def test_the_table_is_big_enough():
    kinds = {(r.surface, r.kind) for r in ROWS}
    assert len(kinds) == len(ROWS) >= 60
