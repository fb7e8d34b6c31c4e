"""Universal PropBank (CoNLL-U Plus) → the canonical SRL schema, one instance per predicate.

Layout: the 10 UD columns, a roleset column (`come.03`, or `_`/empty for non-predicates), then one
argument column per predicate of the sentence, in token order. UP marks arguments on their HEAD
word only; `expand_span` turns each head into a token span (rules in its docstring).
"""
import datasets

from bertkit.data.errors import DataError, read_lines

# Every role label of en_ewt-up-dev.conllu and en_ewt-up-test.conllu (computed once, sorted).
PROPBANK_ROLES = [
    "ARG0", "ARG1", "ARG1-DSP", "ARG2", "ARG3", "ARG4", "ARG5", "ARGA",
    "ARGM-ADJ", "ARGM-ADV", "ARGM-CAU", "ARGM-COM", "ARGM-CXN", "ARGM-DIR", "ARGM-DIS", "ARGM-EXT",
    "ARGM-GOL", "ARGM-LOC", "ARGM-LVB", "ARGM-MNR", "ARGM-MOD", "ARGM-NEG", "ARGM-PRD", "ARGM-PRP",
    "ARGM-PRR", "ARGM-REC", "ARGM-TMP",
    "C-ARG0", "C-ARG1", "C-ARG1-DSP", "C-ARG2", "C-ARG3", "C-ARGM-CXN", "C-ARGM-EXT", "C-ARGM-LOC",
    "C-ARGM-MNR", "C-V",
    "R-ARG0", "R-ARG1", "R-ARG2", "R-ARG3", "R-ARGM-ADJ", "R-ARGM-ADV", "R-ARGM-CAU", "R-ARGM-COM",
    "R-ARGM-DIR", "R-ARGM-LOC", "R-ARGM-MNR", "R-ARGM-TMP",
]
_EMPTY = ("_", "")
SRL_FEATURES = datasets.Features({
    "id": datasets.Value("string"),
    "tokens": datasets.List(datasets.Value("string")),
    "predicate_index": datasets.Value("int32"),
    "predicate_sense": datasets.Value("string"),
    "tags": datasets.List(datasets.Value("string")),
    "text": datasets.Value("string"),
})


def srl_label_names():
    """The SRL tag set: "O", "B-V", then B-/I- of every role in `PROPBANK_ROLES`."""
    return ["O", "B-V"] + [f"{bio}-{role}" for role in PROPBANK_ROLES for bio in ("B", "I")]


def _subtree(children, root):
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(children[node])
    return seen


def _run(allowed, head, upos):
    """The maximal run of `allowed` positions around `head`, with PUNCT trimmed at both edges."""
    start, end = head, head
    while start - 1 in allowed:
        start -= 1
    while end + 1 in allowed:
        end += 1
    while start < head and upos[start] == "PUNCT":
        start += 1
    while end > head and upos[end] == "PUNCT":
        end -= 1
    return start, end


def expand_span(heads, upos, predicate, head):
    """Expand an argument head word to a (start, end) token span, both inclusive, 0-based.

    `heads[i]` is token i's HEAD as a 0-based index (-1 for the root). The span is the head's
    dependency subtree, minus the predicate and the predicate's own subtree when they fall inside
    it; then the maximal contiguous run of those tokens that contains the head; then PUNCT tokens
    trimmed at both edges.
    """
    children = [[] for _ in heads]
    for i, h in enumerate(heads):
        if h >= 0:
            children[h].append(i)
    allowed = _subtree(children, head)
    if predicate in allowed:
        allowed -= _subtree(children, predicate)
    return _run(allowed, head, upos)


def frame_tags(heads, upos, predicate, cells):
    """BIO tags of one predicate: `cells[i]` is token i's cell in the predicate's argument column.

    The predicate is `B-V` (whatever its own cell says); other tokens marked `V` (particles of
    phrasal verbs such as "break through") count as `C-V` arguments. Overlaps: spans are placed
    shortest first (ties: the one whose head comes first); a later span keeps only the free tokens
    around its head (the contiguous run, PUNCT trimmed again) and is dropped if its head is taken.
    """
    args = [(i, "C-V" if cell == "V" else cell) for i, cell in enumerate(cells)
            if cell not in _EMPTY and i != predicate]
    spans = [(expand_span(heads, upos, predicate, h), h, role) for h, role in args]
    spans.sort(key=lambda s: (s[0][1] - s[0][0], s[1]))
    tags = ["O"] * len(cells)
    tags[predicate] = "B-V"
    for (start, end), head, role in spans:
        if tags[head] != "O":
            continue
        start, end = _run({i for i in range(start, end + 1) if tags[i] == "O"}, head, upos)
        tags[start:end + 1] = [f"B-{role}"] + [f"I-{role}"] * (end - start)
    return tags


def _sentence_instances(path, sent_id, rows, text=None):
    """The instances of one sentence; `rows` are (line, fields) of its word lines."""
    ids = {fields[0]: i for i, (_, fields) in enumerate(rows)}
    heads = []
    for line, fields in rows:
        if fields[6] != "0" and fields[6] not in ids:
            raise DataError(path, f"HEAD {fields[6]!r} is not a word id of the sentence", line)
        heads.append(ids.get(fields[6], -1))
    upos = [fields[3] for _, fields in rows]
    tokens = [fields[1] for _, fields in rows]
    preds = [i for i, (_, fields) in enumerate(rows) if fields[10] not in _EMPTY]
    for line, fields in rows:
        if len(fields) < 11 + len(preds):
            raise DataError(path, f"expected {11 + len(preds)} tab-separated columns (the sentence has "
                                  f"{len(preds)} predicates), found {len(fields)}", line)
        for k, cell in enumerate(fields[11:]):
            if cell in _EMPTY or (k < len(preds) and (cell == "V" or cell in PROPBANK_ROLES)):
                continue
            problem = (f"unknown role {cell!r} in argument column {k + 1}" if k < len(preds) else
                       f"argument column {k + 1} holds {cell!r} but the sentence has {len(preds)} predicates")
            raise DataError(path, problem, line)
    if text is None:
        from bertkit.families.words import detokenize

        text = detokenize(tokens)[0]
    for k, p in enumerate(preds):
        cells = [fields[11 + k] for _, fields in rows]
        yield {"id": f"{sent_id}:{p}", "tokens": tokens, "predicate_index": p,
               "predicate_sense": rows[p][1][10], "tags": frame_tags(heads, upos, p, cells), "text": text}


def read_propbank(path):
    """Read a Universal PropBank CoNLL-U Plus file, one instance per predicate.

    Returns a `datasets.Dataset` with columns `id` (sent_id + ":" + predicate index), `tokens`,
    `predicate_index` (0-based), `predicate_sense` (the roleset, e.g. "nominate.01") and `tags`
    (BIO over the tokens; the predicate is `B-V`; argument heads expanded by `expand_span`,
    overlaps resolved by `frame_tags`) and `text` (the sentence's `# text =` line, the raw text the
    tokens were cut from; without one, the tokens joined as English is spaced). Comment lines, multiword-token lines (`3-4`) and empty
    nodes (`8.1`) are skipped. An unknown role or a malformed line raises `DataError` with its line.
    """
    path = str(path)
    instances, rows, sent_id, text, n_sent = [], [], None, None, 0

    def end_sentence():
        nonlocal rows, sent_id, text, n_sent
        if rows:
            instances.extend(_sentence_instances(path, sent_id or str(n_sent), rows, text))
            n_sent += 1
        rows, sent_id, text = [], None, None

    for line, line_text in enumerate(read_lines(path), 1):
        if not line_text.strip():
            end_sentence()
        elif line_text.startswith("#"):
            if line_text.startswith("# sent_id"):
                sent_id = line_text.split("=", 1)[-1].strip()
            elif line_text.startswith("# text ="):
                text = line_text.split("=", 1)[1].strip()
        else:
            fields = line_text.split("\t")
            if "-" in fields[0] or "." in fields[0]:
                continue  # multiword token or empty node
            if len(fields) < 11:
                raise DataError(path, f"expected at least 11 tab-separated columns, found {len(fields)}", line)
            rows.append((line, fields))
    end_sentence()
    return datasets.Dataset.from_list(instances, features=SRL_FEATURES)
