"""Readable text back from an uncased WordPiece decoder: spacing first, then letter case.

BERT's uncased tokenizer lowercases (and strips accents) and splits every punctuation mark, so a
bert2bert translation decodes as "a blond - haired man ' s dog in new york." Two steps undo that:
`detokenize` joins what the tokenizer split (hyphenated words, clitics, quotes, brackets), and
`recase` gives each word the casing it has most often inside sentences of the training targets
(`build_table`: the truecasing of Koehn et al.'s Moses tools), then capitalises each sentence start.
The table is learnt from training text only and stored in the head's bertkit.json ("truecase").
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

WORD = re.compile(r"[^\W_]+", re.UNICODE)
SENTENCE_END = re.compile(r"([.!?]['\")\]]*\s+|^\W*)([^\W_])", re.UNICODE)
_SPACING = (
    (re.compile(r"(?<=[^\W_])\s*-\s*(?=[^\W_])"), "-"),  # blond - haired -> blond-haired, 3 - year -> 3-year
    (re.compile(r"(?<=[^\W_])\s*'\s*(s|t|re|ve|ll|d|m)\b", re.I), r"'\1"),  # man ' s -> man's, don ' t
    (re.compile(r"(?<=\d)\s*([.,:])\s*(?=\d)"), r"\1"),  # 3 . 5 -> 3.5, 10 , 000 -> 10,000
    (re.compile(r"\s+([.,!?;:%)\]}])"), r"\1"),  # no space before closing punctuation
    (re.compile(r"([(\[{$])\s+"), r"\1"),  # none after an opening bracket or currency sign
    (re.compile(r"\s+/\s+"), "/"),
)
QUOTED = re.compile(r'"\s*([^"]*?)\s*"')


def fold(word: str) -> str:
    """The key a word has in the table: what the uncased tokenizer makes of it (lowercase, no accents)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def build_table(texts, min_count: int = 2) -> dict[str, str]:
    """{folded word: its most frequent form inside sentences} for the words whose usual form is not
    their folded one (names, "I", accented words); and {"folded word next": form of the word} where
    the word's form before that next word differs from its usual one ("new york" -> "New"). A
    sentence's first word says nothing about its case, so it is not counted; nor are words or pairs
    seen fewer than `min_count` times."""
    forms: dict[str, Counter] = defaultdict(Counter)
    pairs: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        starts = {m.start(2) for m in SENTENCE_END.finditer(text)}
        words = list(WORD.finditer(text))
        for m, after in zip(words, words[1:] + [None]):
            if m.start() in starts:
                continue
            forms[fold(m.group())][m.group()] += 1
            if after is not None and text[m.end():after.start()] == " ":
                pairs[f"{fold(m.group())} {fold(after.group())}"][m.group()] += 1
    table = {}
    for key, counts in forms.items():
        form = counts.most_common(1)[0][0]
        if sum(counts.values()) >= min_count and form != key:
            table[key] = form
    for key, counts in pairs.items():
        form = counts.most_common(1)[0][0]
        if sum(counts.values()) >= min_count and form != table.get(key.split(" ")[0], key.split(" ")[0]):
            table[key] = form
    return dict(sorted(table.items()))


def detokenize(text: str) -> str:
    for pattern, repl in _SPACING:
        text = pattern.sub(repl, text)
    text = QUOTED.sub(lambda m: f'"{m.group(1)}"', text)
    return re.sub(r"\s{2,}", " ", text).strip()


def recase(text: str, table: dict[str, str]) -> str:
    """Each all-lowercase word in its table form (before the next word, if that pair is in the table;
    unknown words stay as they are), then each sentence's first letter upper."""
    words = list(WORD.finditer(text))
    out, last = [], 0
    for m, after in zip(words, words[1:] + [None]):
        word, key = m.group(), fold(m.group())
        if word.islower():
            pair = f"{key} {fold(after.group())}" if after is not None and text[m.end():after.start()] == " " else None
            word = table.get(pair) or table.get(key, word)
        out += [text[last:m.start()], word]
        last = m.end()
    text = "".join(out) + text[last:]
    return SENTENCE_END.sub(lambda m: m.group(1) + m.group(2).upper(), text)
