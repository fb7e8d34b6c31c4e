"""Every BERT-family architecture in every task family, on tiny random stand-ins built here
(arch_models.py): bertkit's outputs against transformers' own pipelines on the same saved folder
(text-classification, token-classification, fill-mask) or the model's raw logits (QA, SRL), fp32,
scores within 1e-4. Training with LoRA (and in full on a non-BERT architecture per family): test_architectures_train.py.
"""
import re

import numpy as np
import pytest
import torch

import arch_models
import bertkit
from arch_models import ARCHS

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained", "ignore::FutureWarning", "ignore::UserWarning")
TOL = 1e-4
SENTENCE = "John met Mary in Paris yesterday and they talked about the capital of France"
SHOWN_PIECES = re.compile("[Ġ▁]")  # byte-level / sentencepiece markers never reach people (WordPiece "##ing" does, as in the pipeline)



@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Hidden-32 models: one thread computes them faster than two that wait on each other (on a
    shared 2-core machine each op paid ~35 ms of OpenMP synchronisation)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

@pytest.fixture(scope="session")
def arch_folder(tmp_path_factory):
    """arch_folder(arch, head, task=None) -> a saved tiny model (task: its labels as id2label); cached."""
    import gc

    built = {}

    def get(arch, head, task=None):
        key = (arch, head, task)
        if key not in built:
            labels = bertkit.get_task(task).labels if task else ()
            num_labels = 1 if task and not labels else None  # stsb: one regression output
            folder = tmp_path_factory.mktemp(f"{arch}-{head}-{task or 'base'}")
            built[key] = arch_models.build_model(arch, head, folder, labels=labels, num_labels=num_labels)
            # what exists now lives all session: keep it out of the gc.collect every bertkit.load runs
            gc.collect()
            gc.freeze()
        return built[key]

    return get


def load(task, folder):
    return bertkit.load(task, str(folder), cache=False, precision="fp32")


def pipe(kind, folder, **kw):
    from transformers import pipeline

    return pipeline(kind, model=str(folder), device="cpu", **kw)


# ---- fill-mask ------------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ARCHS)
def test_fill_mask_matches_the_pipeline(arch, arch_folder):
    from bertkit.families.fill_mask import suppressed_ids

    folder = arch_folder(arch, "mlm")
    predictor = load("fill-mask", folder)
    tok = predictor.tokenizer
    text = f"Paris is the {tok.mask_token} of France."
    out = predictor(text, top_k=5)
    ref = pipe("fill-mask", folder)(text, top_k=len(tok))
    banned = set(suppressed_ids(tok, predictor.model.config.vocab_size))
    kept = [r for r in ref if r["token"] not in banned]  # bertkit never proposes special tokens: renormalise
    total = sum(r["score"] for r in kept)
    got = out["masks"][0]["candidates"]
    assert [c["token"] for c in got] == [r["token"] for r in kept[:5]]
    assert [c["token_str"] for c in got] == [r["token_str"] for r in kept[:5]]
    assert max(abs(c["score"] - r["score"] / total) for c, r in zip(got, kept)) < TOL
    assert not any(SHOWN_PIECES.search(c["token_str"]) for c in got)
    # the filled sequence is the text with the best token's own spelling, one space where the text has one
    filled = tok(text)["input_ids"]
    filled[filled.index(tok.mask_token_id)] = got[0]["token"]
    decoded = tok.decode(filled, skip_special_tokens=True)
    assert squash(out["sequence"]) == squash(decoded)
    assert "  " not in out["sequence"] and not SHOWN_PIECES.search(out["sequence"])


def squash(text):
    """Text compared across tokenizers that lower-case or space punctuation when decoding."""
    return re.sub(r"\s+", "", text).lower()


@pytest.mark.parametrize("arch", ARCHS)
def test_mask_logits_and_masked_loss_are_exact(arch, arch_folder):
    from bertkit.families.fill_mask import FillMask, mask_logits

    predictor = load("fill-mask", arch_folder(arch, "mlm"))
    tok, model = predictor.tokenizer, predictor.model
    enc = tok([f"a {tok.mask_token} b {tok.mask_token}", f"the {tok.mask_token} of France is big"],
              padding=True, return_tensors="pt")
    batch = {k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    positions = [[p for p, t in enumerate(row) if t == tok.mask_token_id] for row in enc["input_ids"].tolist()]
    with torch.no_grad():
        full = model(**batch).logits
        rows = [r for r, ps in enumerate(positions) for _ in ps]
        cols = [p for ps in positions for p in ps]
        assert torch.allclose(mask_logits(model, batch, positions), full[rows, cols], atol=1e-5)
        labels = torch.full_like(batch["input_ids"], -100)
        labels[rows, cols] = batch["input_ids"][0, 1]
        expected = model(**batch, labels=labels).loss
        loss = FillMask().compute_loss(model, dict(batch, labels=labels))
    assert abs(float(loss) - float(expected)) < 1e-4


# ---- sequence classification ----------------------------------------------------------------------
PAIR = {"text": "A man is playing a guitar.", "text_pair": "A person plays the guitar."}


@pytest.mark.parametrize("task", ["sst2", "rte", "stsb"])
@pytest.mark.parametrize("arch", ARCHS)
def test_classification_matches_the_pipeline(arch, task, arch_folder):
    folder = arch_folder(arch, "classification", task)
    predictor = load(task, folder)
    item = "a charming and often affecting journey" if task == "sst2" else PAIR
    out = predictor(item)
    if task == "stsb":  # regression: the raw output, clipped to the 0-5 scale
        raw = pipe("text-classification", folder, function_to_apply="none")(item)
        raw = raw[0] if isinstance(raw, list) else raw
        assert abs(out["score"] - min(max(raw["score"], 0.0), 5.0)) < TOL
        return
    ref = pipe("text-classification", folder, top_k=None)(item)
    ref = {r["label"]: r["score"] for r in (ref[0] if isinstance(ref[0], list) else ref)}
    assert set(out["scores"]) == set(ref)
    assert max(abs(out["scores"][k] - ref[k]) for k in ref) < TOL
    assert out["label"] == max(ref, key=ref.get)


# ---- token tagging --------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ARCHS)
def test_ner_matches_the_pipeline(arch, arch_folder):
    from bertkit.families.pieces import word_tokenizer

    folder = arch_folder(arch, "tagging", "ner")
    predictor = load("ner", folder)
    words = predictor(SENTENCE)["words"]
    assert [w["text"] for w in words] == SENTENCE.split()
    # byte-level BPE: a word-split word carries its word-start space, as the pipeline sees it after one
    prefix = " " if word_tokenizer(predictor.tokenizer) is not predictor.tokenizer else ""
    tokens = pipe("token-classification", folder, ignore_labels=[])(prefix + SENTENCE)
    for word in words:
        start, end = word["start"] + len(prefix), word["end"] + len(prefix)
        first = next(t for t in tokens if t["end"] >= start and t["start"] < end)  # sentencepiece: a bare `▁` first
        assert first["entity"] == word["tag"], word
        assert abs(first["score"] - word["score"]) < TOL


@pytest.mark.parametrize("arch", ["roberta", "modernbert"])
def test_word_split_input_keeps_the_word_start_space(arch, arch_folder):
    """'met' given as a word encodes as in running text (`Ġmet`), never as `m`, `et`."""
    from bertkit.families.pieces import word_tokenizer

    tok = load("ner", arch_folder(arch, "tagging", "ner")).tokenizer
    split = word_tokenizer(tok)(["John", "met", "Mary"], is_split_into_words=True, add_special_tokens=False)
    running = tok(" John met Mary", add_special_tokens=False)
    assert split["input_ids"] == running["input_ids"]
    assert "Ġmet" in tok.convert_ids_to_tokens(split["input_ids"])


# ---- semantic role labelling ----------------------------------------------------------------------
@pytest.mark.parametrize("arch", ARCHS)
def test_srl_against_the_raw_logits(arch, arch_folder):
    """The frame's word tags and scores are the model's own on `[CLS] words [SEP] predicate [SEP]`, with
    the predicate's pieces in segment 1 only where the model has segment ids."""
    from bertkit.families.pieces import takes_segments, word_tokenizer

    predictor = load("srl", arch_folder(arch, "tagging", "srl"))
    words = SENTENCE.split()
    frame = predictor({"text": SENTENCE, "predicate": 1})["frames"][0]
    assert frame["predicate"]["text"] == "met" and [w["text"] for w in frame["words"]] == words
    tok, model = word_tokenizer(predictor.tokenizer), predictor.model
    enc = tok(words, ["met"], is_split_into_words=True, return_tensors="pt")
    word_ids = [w if s == 0 else None for w, s in zip(enc.word_ids(0), enc.sequence_ids(0))]
    inputs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
    assert takes_segments(model) == (arch in ("bert", "albert", "electra"))
    if takes_segments(model):
        types = enc["token_type_ids"][0].tolist() if "token_type_ids" in enc else [0] * len(word_ids)
        inputs["token_type_ids"] = torch.tensor([[1 if w == 1 else t for w, t in zip(word_ids, types)]])
    with torch.no_grad():
        probs = torch.softmax(model(**inputs).logits[0], -1)
    names = predictor.context.labels
    firsts = [word_ids.index(k) for k in range(len(words))]
    for k, word in enumerate(frame["words"]):
        best = int(probs[firsts[k]].argmax())
        assert word["tag"] == names[best] and abs(word["score"] - float(probs[firsts[k], best])) < TOL


# ---- question answering ---------------------------------------------------------------------------
QA = {"question": "What is the capital of France?",
      "context": "France is a country in Western Europe. Its capital and largest city is Paris, home of the Eiffel Tower."}


@pytest.mark.parametrize("arch", ARCHS)
def test_qa_against_the_raw_logits(arch, arch_folder):
    """The best answer is the best-scoring span of the model's raw start/end logits (p(start) p(end) over
    the context tokens and the first token), its text without the spaces byte-level tokens carry."""
    predictor = load("squad", arch_folder(arch, "qa"))
    tok, model = predictor.tokenizer, predictor.model
    out = predictor(QA, top_k=3)
    assert out["answer"] == QA["context"][out["start"]:out["end"]] and out["answer"] == out["answer"].strip()
    enc = tok(QA["question"], QA["context"], return_offsets_mapping=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping")[0].tolist()
    seq = enc.sequence_ids(0)
    with torch.no_grad():
        result = model(**{k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")})
    context = [i for i, s in enumerate(seq) if s == 1 and QA["context"][offsets[i][0]:offsets[i][1]].strip()]
    valid = torch.full_like(result.start_logits[0], False, dtype=torch.bool)
    valid[[0] + context] = True
    ps = torch.softmax(result.start_logits[0].masked_fill(~valid, -1e9), -1)
    pe = torch.softmax(result.end_logits[0].masked_fill(~valid, -1e9), -1)
    best = max((float(ps[a] * pe[b]), a, b) for a in context for b in context if a <= b < a + 30)
    assert abs(out["score"] - best[0]) < TOL
    start = next(i for i in context if offsets[i][1] > out["start"])
    assert start == best[1] or abs(float(ps[start]) * 0 + best[0] - out["score"]) < TOL
    assert np.isclose(out["no_answer_probability"], float(ps[0] * pe[0]) / (float(ps[0] * pe[0]) + best[0]), atol=TOL)


def test_qa_answers_never_carry_spaces(arch_folder):
    """Byte-level BPE offsets include the space before a word: every candidate answer is trimmed."""
    predictor = load("squad", arch_folder("roberta", "qa"))
    out = predictor(QA, top_k=20)
    for cand in out["top_k"]:
        assert cand["answer"] == cand["answer"].strip() and cand["answer"]
        assert cand["answer"] == QA["context"][cand["start"]:cand["end"]]


# ---- ONNX export ----------------------------------------------------------------------------------
ONNX_CASES = [("fill-mask", "roberta", "mlm"), ("fill-mask", "modernbert", "mlm"), ("ner", "distilbert", "tagging"),
              ("srl", "roberta", "tagging"), ("sst2", "deberta-v2", "classification"), ("squad", "mpnet", "qa"),
              ("rte", "albert", "classification"), ("sst2", "electra", "classification")]


@pytest.mark.parametrize("task,arch,head", ONNX_CASES)
def test_onnx_export_serves_what_torch_serves(task, arch, head, arch_folder, tmp_path):
    """The export traces an example in the tokenizer's own mask token and passes segment ids only to a
    model that takes them; onnxruntime then answers as torch does."""
    from bertkit.onnx import export

    folder = arch_folder(arch, head, None if head in ("mlm", "qa") else task)
    out = export(task, str(folder), output=tmp_path / "onnx")
    onnx, torch_p = load(task, out), load(task, folder)
    tok = torch_p.tokenizer
    example = {"fill-mask": f"Paris is the {tok.mask_token} of France.", "ner": SENTENCE,
               "srl": {"text": SENTENCE, "predicate": 1}, "sst2": "a charming journey", "rte": PAIR, "squad": QA}[task]
    got, want = onnx(example), torch_p(example)
    assert numbers_close(got, want), (got, want)


def numbers_close(a, b, tol=TOL):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(numbers_close(a[k], b[k], tol) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(numbers_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float):
        return abs(a - b) <= tol
    return a == b
