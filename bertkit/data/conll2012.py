"""OntoNotes 5.0 CoNLL-2012 `*_conll` files → the canonical SRL schema (one row per predicate) and the
canonical tagging schema (18-type NER in IOB2).

Columns per word line: doc id, part, word index, word, POS, parse bit, predicate lemma, frameset,
word sense, speaker, named entities in bracket notation (`(PERSON*`, `*`, `*)`, `(GPE*)`), one
PropBank argument column per predicate of the sentence (same brackets; `(V*)` marks the predicate),
then coreference. `path` is one file, a folder (searched recursively) or a tar of them (e.g.
`development.tar.xz`), read in name order. Sentences without predicates give no SRL rows; documents
without a NER layer (many `wb/*` ones: every cell `*`) give all-`O` NER rows, so filter on `has_ner`.
RESTRICTED data (LDC2013T19): read it from the data folder, never commit it or text derived from it.
"""
import os

import datasets

from bertkit.data.errors import DataError, check_file, decode, archive_files

SRL_FEATURES = datasets.Features({
    "id": datasets.Value("string"), "tokens": datasets.List(datasets.Value("string")),
    "predicate_index": datasets.Value("int32"), "predicate_sense": datasets.Value("string"),
    "tags": datasets.List(datasets.Value("string")), "text": datasets.Value("string")})
NER_FEATURES = datasets.Features({
    "id": datasets.Value("string"), "tokens": datasets.List(datasets.Value("string")),
    "tags": datasets.List(datasets.Value("string")), "has_ner": datasets.Value("bool")})
ONTONOTES_NER_TYPES = ["CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP",
                       "ORDINAL", "ORG", "PERCENT", "PERSON", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"]
# PTB bracket tokens as the words they stand for
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "/.": ".", "/?": "?",
        "/-": "-"}


def bracket_tags(name, line, cells):
    """Bracket notation (`(ARG0*`, `*`, `*)`, `(V*)`) → IOB2 tags; a bad bracket raises `DataError`."""
    tags, current = [], None
    for k, cell in enumerate(cells):
        if cell.startswith("("):
            label = cell[1:].split("*", 1)[0].split("(", 1)[0]
            if current is not None or not label:
                raise DataError(name, f"bracket {cell!r} opens inside an open span or has no label", line + k)
            tags.append("B-" + label)
            current = None if cell.endswith(")") else label
        elif current is not None:
            tags.append("I-" + current)
            if cell.endswith(")"):
                current = None
        else:
            if cell.endswith(")"):
                raise DataError(name, f"bracket {cell!r} closes a span that was never opened", line + k)
            tags.append("O")
    if current is not None:
        raise DataError(name, f"span {current!r} is never closed", line + len(cells) - 1)
    return tags


def _sentences(name, text):
    """(first line, rows of fields) of every sentence of one file."""
    rows, first = [], None
    for line, row in enumerate(text.split("\n"), 1):
        if not row.strip() or row.startswith("#"):
            if rows:
                yield first, rows
            rows = []
            continue
        fields = row.split()
        if len(fields) < 12:
            raise DataError(name, f"expected at least 12 columns, found {len(fields)}", line)
        if not rows:
            first = line
        rows.append(fields)
    if rows:
        yield first, rows


def _files(path):
    return archive_files(path, "_conll", "CoNLL-2012 files", recursive=True)


def _read(path, kind):
    from bertkit.families.words import detokenize

    out = []
    for name, data in _files(os.fspath(path)):
        for line, rows in _sentences(name, decode(name, data)):
            tokens = [_PTB.get(f[3], f[3]) for f in rows]
            sid = f"{rows[0][0]}:{rows[0][1]}:{line}"
            if kind == "ner":
                tags = bracket_tags(name, line, [f[10] for f in rows])
                out.append({"id": sid, "tokens": tokens, "tags": tags, "has_ner": any(t != "O" for t in tags)})
                continue
            n_args = len(rows[0]) - 12
            if any(len(f) != len(rows[0]) for f in rows):
                raise DataError(name, "the sentence's lines have different numbers of columns", line)
            text = detokenize(tokens)[0]
            for k in range(n_args):
                tags = bracket_tags(name, line, [f[11 + k] for f in rows])
                if "B-V" not in tags:
                    raise DataError(name, f"argument column {k + 1} has no (V*) predicate", line)
                p = tags.index("B-V")
                out.append({"id": f"{sid}:{p}", "tokens": tokens, "predicate_index": p,
                            "predicate_sense": f"{rows[p][6]}.{rows[p][7]}", "tags": tags, "text": text})
    if not out:
        raise DataError(path, "no CoNLL-2012 sentences found")
    return datasets.Dataset.from_list(out, features=SRL_FEATURES if kind == "srl" else NER_FEATURES)


def read_conll2012_srl(path):
    """One row per predicate: `id`, `tokens`, `predicate_index`, `predicate_sense` (lemma.frameset),
    `tags` (IOB2 over roles, the predicate `B-V`, other labels as in the file: ARG0, ARGM-TMP, R-ARG1,
    C-ARG1, ...) and `text` (the tokens spaced as English is written; OntoNotes keeps no raw text)."""
    return _read(path, "srl")


def read_conll2012_ner(path):
    """One row per sentence: `id`, `tokens`, `tags` (IOB2 over the 18 OntoNotes types) and `has_ner`."""
    return _read(path, "ner")
