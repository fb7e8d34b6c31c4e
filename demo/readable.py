"""Can the model read this text? A warning shown above the answer (and at the top of the note an API
client gets) when the input is mostly `[UNK]` word pieces, written in a script the head was not
trained on (the shipped heads read English, or German for translation: Latin script), or holds no
letters or digits at all (emoji only). Without it such inputs get confident labels and invented
translations that mean nothing."""
from __future__ import annotations

import unicodedata

WARNING = "⚠️ **The model cannot read this text**"
UNK_SHARE = 0.5  # more [UNK] word pieces than this: unreadable
FOREIGN_SHARE = 0.5  # more letters outside the expected script than this: unreadable
LATIN_LANGUAGES = {"en", "de", "fr", "es", "it", "nl", "pt"}


def script_of(char: str) -> str:
    """'LATIN', 'CJK', 'HEBREW', ... from the character's Unicode name (its first word)."""
    name = unicodedata.name(char, "")
    return "CJK" if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) else name.split(" ", 1)[0]


def shown(script: str) -> str:
    return script if script == "CJK" else script.title()


def expected_script(task) -> str | None:
    """The script a task's inputs are written in: Latin for the shipped (English/German) tasks."""
    language = getattr(task, "language", None) or getattr(task, "source_language", None) or "en"
    return "LATIN" if str(language).split("-")[0] in LATIN_LANGUAGES else None


def problems(text: str, tokenizer=None, script: str | None = "LATIN") -> list[str]:
    """Why the model cannot read `text` (empty list: it can)."""
    letters = [c for c in text if c.isalpha()]
    if not letters and not any(c.isdigit() for c in text):
        return ["it has no letters or digits (emoji or symbols only)"]
    found = []
    if script and letters:
        foreign = [c for c in letters if script_of(c) != script]
        if len(foreign) / len(letters) > FOREIGN_SHARE:
            scripts = sorted({shown(script_of(c)) for c in foreign})
            found.append(f"{len(foreign)} of its {len(letters)} letters are in a script this head was not trained on "
                         f"({', '.join(scripts[:3])}; it reads {shown(script)} script)")
    if tokenizer is not None:
        pieces = tokenizer.tokenize(text)
        unknown = sum(p == tokenizer.unk_token for p in pieces)
        if pieces and unknown / len(pieces) > UNK_SHARE:
            found.append(f"{unknown} of its {len(pieces)} word pieces are unknown to the tokenizer ([UNK])")
    return found


def warning(texts: list, tokenizer=None, script: str | None = "LATIN") -> str:
    """The warning line for the user's texts, or ''."""
    reasons = [r for t in texts if isinstance(t, str) and t.strip() for r in problems(t, tokenizer, script)]
    if not reasons:
        return ""
    return (f"{WARNING}: {'; '.join(dict.fromkeys(reasons))}. The answer below is not meaningful: "
            f"this head was trained on {shown(script) if script else 'its own'}-script text.")


def split_warning(note: str | None) -> tuple[str, str]:
    """(the readability warning of a note, the rest of the note)."""
    if not note or not note.startswith(WARNING):
        return "", note or ""
    first, _, rest = note.partition("\n\n")
    return first, rest
