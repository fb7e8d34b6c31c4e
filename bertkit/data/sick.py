"""SICK 2014 (`SICK_train.txt`, `SICK_trial.txt`: pair_ID, sentence_A, sentence_B, relatedness_score,
entailment_judgment, tab-separated) → the canonical pair-classification or regression schema.

For intermediate training before RTE, `labels=("entailment", "not_entailment")` folds NEUTRAL and
CONTRADICTION into not_entailment (RTE's two classes); for STS-B, `target="relatedness"` gives the 1-5
relatedness score as a float label.
"""
import datasets

from bertkit.data.errors import DataError, read_lines

SICK_JUDGMENTS = ("ENTAILMENT", "NEUTRAL", "CONTRADICTION")
COLUMNS = ["pair_ID", "sentence_A", "sentence_B", "relatedness_score", "entailment_judgment"]


def read_sick(path, target="entailment", labels=("entailment", "not_entailment")):
    """Columns `idx` (pair_ID), `text`, `text_pair`, `label`: an index into `labels` (target
    "entailment": two labels fold NEUTRAL/CONTRADICTION into the second, three keep SICK's classes in
    `SICK_JUDGMENTS` order) or the relatedness score (target "relatedness", float)."""
    if target not in ("entailment", "relatedness"):
        raise ValueError(f"target must be 'entailment' or 'relatedness', got {target!r}")
    if target == "entailment" and len(labels) not in (2, 3):
        raise ValueError(f"labels must name 2 (entailment vs not) or 3 classes, got {labels!r}")
    lines = read_lines(path)
    if not lines or lines[0].split("\t")[:5] != COLUMNS:
        raise DataError(path, f"expected the SICK header {' '.join(COLUMNS)}", 1)
    rows = {"idx": [], "text": [], "text_pair": [], "label": []}
    for line, row in enumerate(lines[1:], 2):
        cells = row.split("\t")
        if len(cells) < 5:
            raise DataError(path, f"expected 5 tab-separated columns, found {len(cells)}", line)
        judgment = cells[4].strip()
        if judgment not in SICK_JUDGMENTS:
            raise DataError(path, f"entailment_judgment {judgment!r} not in {list(SICK_JUDGMENTS)}", line)
        try:
            idx, score = int(cells[0]), float(cells[3])
        except ValueError:
            raise DataError(path, f"pair_ID {cells[0]!r} / relatedness {cells[3]!r} is not a number", line) from None
        rows["idx"].append(idx)
        rows["text"].append(cells[1])
        rows["text_pair"].append(cells[2])
        if target == "relatedness":
            rows["label"].append(score)
        else:
            k = SICK_JUDGMENTS.index(judgment)
            rows["label"].append(k if len(labels) == 3 else min(k, 1))
    label = datasets.Value("float32") if target == "relatedness" else datasets.Value("int64")
    return datasets.Dataset.from_dict(rows, features=datasets.Features({
        "idx": datasets.Value("int64"), "text": datasets.Value("string"),
        "text_pair": datasets.Value("string"), "label": label}))
