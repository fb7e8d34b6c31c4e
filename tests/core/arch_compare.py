"""bertkit against transformers' own pipelines (or the raw logits) on one saved folder: each function
asserts that labels, tokens and texts agree and returns the largest |score difference| it saw.

Used by tests/core/test_architectures.py (difference < 1e-4) and scripts/arch_matrix.py (the table in
docs/architectures.md).
"""
import re

import math

import torch

import bertkit

SENTENCE = "John met Mary in Paris yesterday and they talked about the capital of France"
PAIR = {"text": "A man is playing a guitar.", "text_pair": "A person plays the guitar."}
QA = {"question": "What is the capital of France?",
      "context": "France is a country in Western Europe. Its capital and largest city is Paris, "
                 "home of the Eiffel Tower."}
# byte-level / sentencepiece word markers never reach people (a WordPiece "##ing" does, as in the pipeline)
SHOWN_PIECES = re.compile("[Ġ▁]")


def load(task, folder):
    return bertkit.load(task, str(folder), cache=False, precision="fp32")


def pipe(kind, folder, **kw):
    from transformers import pipeline

    return pipeline(kind, model=str(folder), device="cpu", **kw)


def squash(text):
    """Text compared across tokenizers that lower-case or space punctuation when decoding."""
    return re.sub(r"\s+", "", text).lower()


def fill_mask(folder) -> float:
    """Top-5 tokens, their text and scores against the pipeline's (renormalised over the tokens bertkit
    may propose: never special ones), and the filled sequence against the tokenizer's decoding."""
    from bertkit.families.fill_mask import suppressed_ids

    predictor = load("fill-mask", folder)
    tok = predictor.tokenizer
    text = f"Paris is the {tok.mask_token} of France."
    out = predictor(text, top_k=5)
    banned = suppressed_ids(tok, predictor.model.config.vocab_size)
    assert max(banned) < len(tok)  # the stand-ins have no head rows past the vocabulary
    fill = pipe("fill-mask", folder)
    ref = fill(text, top_k=min(len(tok), 5 + len(banned)))
    kept = [r for r in ref if r["token"] not in set(banned)]
    # the pipeline's probabilities of the banned tokens (softmax over the whole vocabulary)
    total = 1.0 - sum(r["score"] for r in fill(text, targets=tok.convert_ids_to_tokens(banned), top_k=len(banned)))
    got = out["masks"][0]["candidates"]
    assert [c["token"] for c in got] == [r["token"] for r in kept[:5]]
    assert [c["token_str"] for c in got] == [r["token_str"] for r in kept[:5]]
    assert not any(SHOWN_PIECES.search(c["token_str"]) for c in got)
    filled = tok(text)["input_ids"]
    filled[filled.index(tok.mask_token_id)] = got[0]["token"]
    assert squash(out["sequence"]) == squash(tok.decode(filled, skip_special_tokens=True))
    assert "  " not in out["sequence"] and not SHOWN_PIECES.search(out["sequence"])
    return max(abs(c["score"] - r["score"] / total) for c, r in zip(got, kept))


def classification(folder, task) -> float:
    """text-classification with top_k=None (stsb: the raw score, clipped to 0-5 as bertkit reports it)."""
    predictor = load(task, folder)
    item = "a charming and often affecting journey" if task == "sst2" else PAIR
    out = predictor(item)
    if task == "stsb":
        raw = pipe("text-classification", folder, function_to_apply="none")(item)
        raw = raw[0] if isinstance(raw, list) else raw
        return abs(out["score"] - min(max(raw["score"], 0.0), 5.0))
    ref = pipe("text-classification", folder, top_k=None)(item)
    ref = {r["label"]: r["score"] for r in (ref[0] if isinstance(ref[0], list) else ref)}
    assert set(out["scores"]) == set(ref) and out["label"] == max(ref, key=ref.get)
    return max(abs(out["scores"][k] - ref[k]) for k in ref)


def ner(folder) -> float:
    """Per word: bertkit's tag and score against the pipeline's for the word's first token, on plain
    space-separated text (a byte-level BPE word-split word carries its word-start space: the pipeline
    gets the text after one space, so its first word is tokenised the same way)."""
    from bertkit.families.pieces import word_tokenizer

    predictor = load("ner", folder)
    words = predictor(SENTENCE)["words"]
    assert [w["text"] for w in words] == SENTENCE.split()
    prefix = " " if word_tokenizer(predictor.tokenizer) is not predictor.tokenizer else ""
    tokens = pipe("token-classification", folder, ignore_labels=[])(prefix + SENTENCE)
    worst = 0.0
    for word in words:
        start, end = word["start"] + len(prefix), word["end"] + len(prefix)
        first = next(t for t in tokens if t["end"] >= start and t["start"] < end)  # sentencepiece: a bare `▁` first
        assert first["entity"] == word["tag"], (word, first)
        worst = max(worst, abs(first["score"] - word["score"]))
    return worst


def srl(folder) -> float:
    """The frame's word tags and scores against the model's own on `[CLS] words [SEP] predicate [SEP]`,
    the predicate's pieces in segment 1 only where the model has segment ids."""
    from bertkit.families.pieces import takes_segments, word_tokenizer

    predictor = load("srl", folder)
    words = SENTENCE.split()
    frame = predictor({"text": SENTENCE, "predicate": 1})["frames"][0]
    assert frame["predicate"]["text"] == "met" and [w["text"] for w in frame["words"]] == words
    tok, model = word_tokenizer(predictor.tokenizer), predictor.model
    enc = tok(words, ["met"], is_split_into_words=True, return_tensors="pt")
    word_ids = [w if s == 0 else None for w, s in zip(enc.word_ids(0), enc.sequence_ids(0))]
    inputs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
    if takes_segments(model):
        types = enc["token_type_ids"][0].tolist() if "token_type_ids" in enc else [0] * len(word_ids)
        inputs["token_type_ids"] = torch.tensor([[1 if w == 1 else t for w, t in zip(word_ids, types)]])
    with torch.no_grad():
        probs = torch.softmax(model(**inputs).logits[0], -1)
    names, worst = predictor.context.labels, 0.0
    for k, word in enumerate(frame["words"]):
        first = word_ids.index(k)
        best = int(probs[first].argmax())
        assert word["tag"] == names[best]
        worst = max(worst, abs(word["score"] - float(probs[first, best])))
    return worst


def qa(folder) -> float:
    """The answer against the best span of the raw start/end logits: p(start) p(end) over the context
    tokens that hold text and the first token, start <= end < start + 30; also the no-answer probability."""
    predictor = load("squad", folder)
    tok, model = predictor.tokenizer, predictor.model
    out = predictor(QA, top_k=3)
    assert out["answer"] == QA["context"][out["start"]:out["end"]] and out["answer"] == out["answer"].strip()
    enc = tok(QA["question"], QA["context"], return_offsets_mapping=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping")[0].tolist()
    seq = enc.sequence_ids(0)
    with torch.no_grad():
        result = model(**{k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")})
    context = [i for i, s in enumerate(seq) if s == 1 and QA["context"][offsets[i][0]:offsets[i][1]].strip()]
    valid = torch.zeros_like(result.start_logits[0], dtype=torch.bool)
    valid[[0] + context] = True
    ps = torch.softmax(result.start_logits[0].masked_fill(~valid, -1e9), -1)
    pe = torch.softmax(result.end_logits[0].masked_fill(~valid, -1e9), -1)
    best, a, b = max((float(ps[a] * pe[b]), a, b) for a in context for b in context if a <= b < a + 30)
    text = QA["context"][offsets[a][0]:offsets[b][1]].strip()
    assert out["answer"] == text, (out["answer"], text)
    null = float(ps[0] * pe[0])
    # score: the span's share of exp(value) among every candidate span and "no answer" (value 0), where a
    # value is the logit sum start+end minus the [CLS] sum (bertkit/families/qa.py; one window here)
    s, e = result.start_logits[0], result.end_logits[0]
    starts = sorted(context, key=lambda i: -float(s[i]))[:20]  # each window's 20 best starts x 20 best ends
    ends = sorted(context, key=lambda j: -float(e[j]))[:20]
    spans = {}
    for i in starts:
        for j in ends:
            if i <= j < i + 30:
                key = (offsets[i][0], offsets[j][1])
                spans[key] = max(spans.get(key, -math.inf), float(s[i] + e[j] - s[0] - e[0]))
    values = list(spans.values())
    share = math.exp(float(s[a] + e[b] - s[0] - e[0])) / (1 + sum(math.exp(v) for v in values))
    return max(abs(out["score"] - share), abs(out["no_answer_probability"] - null / (null + best)))
