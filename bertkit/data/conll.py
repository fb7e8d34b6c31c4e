"""CoNLL-2003 NER files (`token POS chunk NER`, one token a line) → the canonical tagging schema."""
import datasets

from bertkit.data.errors import DataError, read_lines

CONLL2003_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
NER_FEATURES = datasets.Features({
    "id": datasets.Value("string"),
    "tokens": datasets.List(datasets.Value("string")),
    "tags": datasets.List(datasets.Value("string")),
})


def to_iob2(tags):
    """IOB1 (or sloppy IOB2) → IOB2: an `I-X` that does not continue an `X` entity becomes `B-X`.

    Valid IOB2 comes back unchanged, so this is safe to apply to every sentence.
    """
    out = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or out[i - 1][2:] != tag[2:] or out[i - 1] == "O"):
            tag = "B-" + tag[2:]
        out.append(tag)
    return out


def read_conll2003(path, label_names=None):
    """Read a CoNLL-2003 style file: whitespace-separated columns, the token first, the NER tag last.

    Blank lines end a sentence; `-DOCSTART-` lines are skipped. Tags are converted to IOB2 (the
    original shared-task files use IOB1). Returns a `datasets.Dataset` with columns `id` (the
    sentence number from "0"), `tokens` (list of str) and `tags` (list of IOB2 str). With
    `label_names`, a tag outside it raises `DataError` naming the file and line.
    """
    path = str(path)
    rows, tokens, tags, lines = [], [], [], []

    def end_sentence():
        if tokens:
            fixed = to_iob2(tags)
            if label_names is not None:
                for line, raw, tag in zip(lines, tags, fixed):
                    if tag not in label_names:
                        shown = repr(tag) if tag == raw else f"{tag!r} (IOB2 form of {raw!r})"
                        raise DataError(path, f"tag {shown} not in {list(label_names)}", line)
            rows.append({"id": str(len(rows)), "tokens": list(tokens), "tags": fixed})
        tokens.clear(), tags.clear(), lines.clear()

    for line, text in enumerate(read_lines(path), 1):
        fields = text.split()
        if not fields or fields[0] == "-DOCSTART-":
            end_sentence()
            continue
        if len(fields) < 2:
            raise DataError(path, f"expected a token and a tag, found {text.strip()!r}", line)
        tokens.append(fields[0])
        tags.append(fields[-1])
        lines.append(line)
    end_sentence()
    return datasets.Dataset.from_list(rows, features=NER_FEATURES)
