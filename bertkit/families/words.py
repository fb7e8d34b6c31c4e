"""Words of raw English text as CoNLL-2003 and the Penn Treebank split them, with character offsets.

`split_words(text)` is what the tagging families use on raw text: the heads were trained on
treebank-style words, so raw text must be cut the same way or an entity such as "J. K. Rowling",
"D.C." or "Chester-le-Street" arrives in pieces. Rules (read off eng.train, whose tokens are the
reference; eng.testa only measures them):
- whitespace separates words; inside a word, hyphens, slashes, "&", "+", apostrophes ("O'Brien",
  "o'clock") and points, commas and colons between characters ("3.5", "1,000", "1:54.3", "U.S")
  stay: eng.train never splits them;
- opening brackets and quotes, and "$" (with a currency prefix: "US$") before a number, come off
  the front; closing brackets and quotes, ",;:!?%" and "..." come off the end;
- a final "." comes off unless the word is an abbreviation: one letter ("J."), letters with points
  ("U.S.", "p.m."), a known short form ("Inc.", "Dr.", "vs.", months, US states), or a number
  opening the text ("1." of a ranking). eng.train has no "U.S. ." at a sentence end: the point that
  ends the sentence is the abbreviation's own, as in the treebank;
- clitics split as in the treebank: "don't" -> "do n't", "Clinton's" -> "Clinton 's", "they're",
  "I've", "I'm", "we'll", "he'd".
`detokenize(tokens)` goes the other way (treebank tokens -> a plausible raw string with each
token's offsets); `token_offsets(text, tokens)` finds given tokens in their raw text. Scoring uses
both to measure the raw-text path against gold tokens.
"""
from __future__ import annotations

import re

# Short forms written with a point in eng.train ("Inc.", "St.", "vs.", ...), plus the rest of the
# months, titles and US state forms of the same style.
ABBREVIATIONS = frozenset("""
inc corp co ltd bros plc st vs vol no nos dr mr mrs ms messrs prof rev gen lt col maj capt sgt sen rep
gov pres jr sr mt ft jan feb mar apr jun jul aug sep sept oct nov dec calif fla ala ariz ark colo conn
del ga ill ind kan ky la md mass mich minn miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo
dept univ approx est etc ave blvd fig
""".split())
CLITICS = ("n't", "'s", "'re", "'ve", "'m", "'ll", "'d")
OPENING = "([{\"'“‘«"
CLOSING = ")]}\"'”’»,;:!?%"
APOSTROPHES = str.maketrans("’‘", "''")

_LETTER_POINTS = re.compile(r"(.*[-/])?([^\W\d_]\.)+")  # "J.", "U.S.", "p.m.", "Iraq-U.N."
_NUMBER_POINT = re.compile(r"\d+\.")  # "1." opening a ranking line
_CURRENCY = re.compile(r"([A-Z]{0,3}\$)(?=[\d.])")  # "$", "US$", "HK$" before a number
_DOTS = re.compile(r"\.{2,}$")


def split_words(text: str) -> list[tuple[str, int, int]]:
    """[(word, start, end)] with `text[start:end] == word`."""
    words = []
    chunks = list(re.finditer(r"\S+", text))
    for k, match in enumerate(chunks):
        words.extend(_split_chunk(match.group(), match.start(), first=k == 0, last=k == len(chunks) - 1))
    return words


def _split_chunk(chunk: str, offset: int, first: bool, last: bool) -> list[tuple[str, int, int]]:
    a, b = 0, len(chunk)
    front, back = [], []
    while b - a > 1:  # opening marks and currency signs
        if chunk[a] in OPENING and not _is_clitic(chunk[a:b]):
            front.append((a, a + 1))
            a += 1
            continue
        currency = _CURRENCY.match(chunk, a, b)
        if currency and currency.end() < b:
            front.append((a, currency.end()))
            a = currency.end()
            continue
        break
    while b - a > 1:  # closing marks, "...", a sentence point
        dots = _DOTS.search(chunk, a, b)
        if dots and dots.start() > a:
            back.append((dots.start(), b))
            b = dots.start()
        elif chunk[b - 1] in CLOSING and not (chunk[b - 1] in "'’" and chunk[b - 2] == "'"):
            back.append((b - 1, b))
            b -= 1
        elif chunk[b - 1] == "." and (last and _closes(chunk[b:]) or not _is_abbreviation(chunk[a:b], first and a == 0)):
            back.append((b - 1, b))
            b -= 1
        else:
            break
    core = chunk[a:b].translate(APOSTROPHES).lower()
    for clitic in CLITICS:
        if core.endswith(clitic) and len(core) > len(clitic) and (core[-len(clitic) - 1].isalnum() or core[-len(clitic) - 1] == "."):
            front.append((a, b - len(clitic)))
            a = b - len(clitic)
            break
    spans = front + [(a, b)] + back[::-1]
    return [(chunk[s:e], offset + s, offset + e) for s, e in spans if e > s]


def _closes(rest: str) -> bool:
    """Only closing marks follow: the point before them ends the text (a sentence point)."""
    return all(c in "\"'”’»" for c in rest)


def _is_clitic(word: str) -> bool:
    return word.translate(APOSTROPHES).lower() in CLITICS


def _is_abbreviation(word: str, opens_text: bool) -> bool:
    if _LETTER_POINTS.fullmatch(word):
        return True
    if opens_text and _NUMBER_POINT.fullmatch(word):
        return True
    return word[:-1].lower() in ABBREVIATIONS


# ---- tokens -> raw text (to measure the raw-text path on gold-token data) -----------------------
_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", "%", ")", "]", "}", "...", ".."}
_NO_SPACE_AFTER = {"(", "[", "{"}


def detokenize(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Treebank tokens -> (raw text, [(start, end)] of each token), spaced as English is written:
    no space before ",.;:!?%)" or a clitic ("n't", "'s"), none after "(" or a currency sign before
    a number; straight quotes alternate between opening and closing."""
    text, offsets = "", []
    open_quote = {'"': False, "'": False}
    glue_next = False
    for k, token in enumerate(tokens):
        glue = glue_next or not text
        glue_next = False
        if token in open_quote:
            if open_quote[token]:
                glue = True  # a closing quote
            else:
                glue_next = True  # an opening quote
            open_quote[token] = not open_quote[token]
        elif token in _NO_SPACE_BEFORE or token.lower() in CLITICS:
            glue = True
        if token in _NO_SPACE_AFTER or (token.endswith("$") and k + 1 < len(tokens) and tokens[k + 1][:1].isdigit()):
            glue_next = True
        if not glue:
            text += " "
        offsets.append((len(text), len(text) + len(token)))
        text += token
    return text, offsets


def token_offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each token in the raw `text` it came from, found left to right. A token not
    written as such (a multiword token: "won't" -> "wo", "n't") takes the characters up to the
    next token's match, or up to the next space."""
    offsets, pos = [], 0
    for k, token in enumerate(tokens):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith(token, pos):
            end = pos + len(token)
        else:
            later = text.find(tokens[k + 1], pos + 1) if k + 1 < len(tokens) else -1
            space = re.compile(r"\s|$").search(text, pos).start()
            end = min(e for e in (later, space) if e > pos) if max(later, space) > pos else len(text)
        offsets.append((pos, end))
        pos = end
    return offsets
