"""What differs between BERT-family tokenizers and encoders, in one place.

WordPiece (BERT, DistilBERT, ELECTRA, MPNet), byte-level BPE (RoBERTa, ModernBERT: a word start is
`Ġ`, the space before it) and sentencepiece-style vocabularies (ALBERT, DeBERTa-v2/v3: `▁`) differ
in how a word is marked, how a token reads back as text, and whether the model takes segment ids.
Families ask here instead of assuming BERT's conventions.
"""
from __future__ import annotations

import copy
import inspect
import json
import re

_PROBE = ("a", "met")  # a word-split input whose second word must encode as it does inside running text


def word_tokenizer(tok):
    """A tokenizer for word-split input (`is_split_into_words=True`) that encodes each word as it reads
    inside running text: byte-level BPE tokenizers saved without `add_prefix_space` would encode "met"
    with no `Ġ` (pieces a model never saw there, e.g. `m`, `et`), so they get a copy with the prefix
    space on. Every other tokenizer (and one already right) is returned as it is."""
    cached = getattr(tok, "_bertkit_word_tokenizer", None)
    if cached is not None:
        return cached
    result = tok
    if not _words_match_text(tok):
        fixed = _with_prefix_space(tok)
        if fixed is not None and _words_match_text(fixed):
            result = fixed
    try:
        tok._bertkit_word_tokenizer = result
    except AttributeError:  # a tokenizer that takes no attributes: computed again next time
        pass
    return result


def _words_match_text(tok) -> bool:
    split = tok(list(_PROBE), is_split_into_words=True, add_special_tokens=False)
    text = tok(" ".join(_PROBE), add_special_tokens=False)
    return split["input_ids"] == text["input_ids"]


def _with_prefix_space(tok):
    """A copy of a fast tokenizer whose byte-level / metaspace pre-tokenizer adds the word-start space."""
    backend = getattr(tok, "backend_tokenizer", None)
    if backend is None:
        return None
    from tokenizers import Tokenizer

    state = json.loads(backend.to_str())

    def fix(node):
        if isinstance(node, dict):
            if node.get("type") == "ByteLevel" and "add_prefix_space" in node:
                node["add_prefix_space"] = True
            if node.get("type") == "Metaspace" and node.get("prepend_scheme") in ("first", "never"):
                node["prepend_scheme"] = "always"
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(state.get("pre_tokenizer"))
    fixed = copy.copy(tok)
    fixed._tokenizer = Tokenizer.from_str(json.dumps(state))
    fixed.add_prefix_space = True
    return fixed


def token_text(tok, token_id: int) -> str:
    """How one token reads as text, as transformers' fill-mask pipeline shows it (`decode([id])`):
    " inj" for byte-level `Ġinj`, "inj" for `▁inj`, "##ing" for a WordPiece continuation."""
    return tok.decode([int(token_id)])


def takes_segments(model) -> bool:
    """Whether `model` reads segment (token type) ids with at least two types: BERT, ALBERT, ELECTRA
    do; RoBERTa (one type), DistilBERT, ModernBERT, MPNet and DeBERTa-v3 (none) do not."""
    model = getattr(model, "module", model)  # DDP wraps the model in training
    config = getattr(model, "config", None)
    if (getattr(config, "type_vocab_size", 0) or 0) < 2:
        return False
    forward = getattr(model, "forward", None)
    if forward is None:  # an ONNX Runtime session (it has the exported config)
        return "token_type_ids" in getattr(model, "input_names", ())
    return "token_type_ids" in inspect.signature(forward).parameters


def suppressed_token_ids(tok) -> list[int]:
    """Ids a fill-mask head must never propose: special tokens, added control tokens and the
    vocabulary's placeholders (`[unused0]`, `<unusedN>`, `[PAD]`-like names in brackets)."""
    special = set(tok.all_special_ids)
    for token_id, added in getattr(tok, "added_tokens_decoder", {}).items():
        if getattr(added, "special", False):
            special.add(token_id)
    for token, token_id in tok.get_vocab().items():
        if _PLACEHOLDER.match(token):
            special.add(token_id)
    return sorted(special)


# `[unused12]`, `<unused3>`, and bracketed control names left in a vocabulary (MPNet keeps BERT's
# `[CLS]`, `[SEP]`, ... as plain tokens beside its own `<s>`, `</s>`).
_PLACEHOLDER = re.compile(r"^(\[(unused\d+|[A-Z]+)\]|<unused\d+>)$")


def trim_span(text: str, start: int, end: int):
    """A token's character span without the whitespace it carries (byte-level BPE offsets include the
    space before a word); None for a token that is only whitespace, which no answer may start or end on."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
