"""QA over long contexts: windows compared on comparable scores, the no-answer decision over the whole context.

The haystack tests run the shipped heads on SQuAD held-out questions (the `dev` split their held-out
scores use), each alone and hidden in ~2,500 words of paragraphs from other articles
(evaluation/haystack.py; `scripts/qa_haystack.py` gives the same figures on more questions).
"""
import math

import pytest

import bertkit
from bertkit.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore:.*has no trained")

CONTEXT = " ".join(f"Sentence {i} says that the keeper number {i} lived by the sea." for i in range(120))


@pytest.fixture(scope="module")
def tiny_squad(tiny_bert):
    return bertkit.load("squad", str(tiny_bert))


def crafted(predictor, context, question="Who was the keeper?"):
    """The windows of `context` and logits that favour one span per window (chosen by the caller)."""
    import numpy as np

    item = {"question": question, "context": context}
    features = predictor.task.family.preprocess(predictor.context, [item])
    outputs = []
    for f in features:
        n = len(f["input_ids"])
        s, e = np.full(n, -math.inf, dtype=np.float32), np.full(n, -math.inf, dtype=np.float32)
        valid = [i for i, o in enumerate(f["offsets"]) if o is not None]
        s[[0] + valid], e[[0] + valid] = 0.0, 0.0  # [CLS] (no answer) and the context tokens
        outputs.append((s, e, valid))
    return item, features, outputs


def span_of(feature, token):
    return feature["offsets"][token][0], feature["offsets"][token][1]


def test_the_span_comes_from_the_window_with_the_best_score_against_its_own_null(tiny_squad):
    item, features, outputs = crafted(tiny_squad, CONTEXT)
    assert len(features) >= 3
    # Window 0: a peaked span that its own window rates below "no answer" (a window without the answer).
    # Window 2: a flatter span, but far above that window's "no answer": the one to choose.
    (s0, e0, v0), (s2, e2, v2) = outputs[0], outputs[2]
    s0[0] = e0[0] = 9.0
    s0[v0[5]] = e0[v0[5]] = 8.0
    s2[0] = e2[0] = -6.0
    s2[v2[-4]] = e2[v2[-4]] = 3.0
    s2[v2[-10]] = e2[v2[-10]] = 2.8  # a runner-up, so window 2's own softmax is less peaked than window 0's
    out = tiny_squad.task.family.postprocess(tiny_squad.context, [item], features,
                                             [(s, e) for s, e, _ in outputs], top_k=5)[0]
    assert (out["start"], out["end"]) == span_of(features[2], v2[-4])
    assert out["answer"] == CONTEXT[out["start"]:out["end"]]
    assert 0.0 <= out["score"] <= 1.0 and 0.0 <= out["no_answer_probability"] <= 1.0
    # no answer against the best span: sigmoid(null - best) with logit sums relative to the window's null
    # (window 2: span 3 + 3 against null -6 - 6, i.e. 18 above its null)
    assert out["no_answer_probability"] == pytest.approx(1 / (1 + math.exp(18.0)), rel=1e-4)
    scores = [c["score"] for c in out["top_k"]]
    assert scores == sorted(scores, reverse=True) and sum(scores) <= 1.0 + 1e-6


def test_a_span_seen_by_overlapping_windows_is_listed_once(tiny_squad):
    item, features, outputs = crafted(tiny_squad, CONTEXT)
    shared = next((a, b) for a in range(len(features)) for b in range(a + 1, len(features))
                  if set(features[a]["offsets"][1:]) & set(features[b]["offsets"][1:]) - {None})
    a, b = shared
    common = sorted(set(o for o in features[a]["offsets"] if o) & set(o for o in features[b]["offsets"] if o))[0]
    for w in (a, b):
        s, e, _ = outputs[w]
        token = features[w]["offsets"].index(common)
        s[token] = e[token] = 5.0
    out = tiny_squad.task.family.postprocess(tiny_squad.context, [item], features,
                                             [(s, e) for s, e, _ in outputs], top_k=20)[0]
    keys = [(c["start"], c["end"]) for c in out["top_k"]]
    assert len(keys) == len(set(keys)) and keys[0] == common


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_options_are_refused(tiny_bert, value):
    p = bertkit.load("squad_v2", str(tiny_bert))
    question = {"question": "Who?", "context": "Nobody is here."}
    with pytest.raises(InputError, match="finite"):
        p(question, threshold=value)
    with pytest.raises(InputError):
        p(question, top_k=value)


# ---- the shipped heads in haystacks --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def haystack(data_dir):
    from evaluation.haystack import filler_paragraphs

    return filler_paragraphs(data_dir)


@pytest.mark.timeout(1800)  # ~1-2 min on 2 idle cores; 10+ when six jobs share them
def test_squad_answers_as_well_in_a_haystack_as_on_the_paragraph_alone(haystack):
    from bertkit.tasks.base import get_task
    from evaluation.haystack import compare, sample

    rows = sample(get_task("squad").load("dev"), 45, seed=1)
    r = compare(bertkit.load("squad"), rows, haystack, words=2500, seed=1)
    print(f"squad F1 alone {r['alone']['f1']:.1f}, in ~{r['words']:.0f} words {r['haystack']['f1']:.1f}")
    assert r["words"] > 2000
    assert r["alone"]["f1"] > 60  # the head works at all on these questions
    # Measured on these 45 questions (2026-12-03): 76.9 alone, 71.1 in the haystack (52.2 with the per-window
    # softmax this replaced); the issue asks for "within a few points": 7 leaves room for bf16/fp32 noise.
    assert r["haystack"]["f1"] >= r["alone"]["f1"] - 7, r


@pytest.mark.timeout(1800)  # ~1-2 min on 2 idle cores; 10+ when six jobs share them
def test_squad_v2_abstains_in_a_haystack_at_least_as_often_as_alone(haystack):
    from bertkit.tasks.base import get_task
    from evaluation.haystack import compare, sample

    rows = sample(get_task("squad_v2").load("dev"), 30, seed=1, answerable=False)
    r = compare(bertkit.load("squad_v2"), rows, haystack, words=2500, seed=1)
    print(f"squad_v2 abstains alone {r['alone']['abstain']:.2f}, in a haystack {r['haystack']['abstain']:.2f}")
    # Measured on these 30 unanswerable questions (2026-12-03): abstains 0.83 alone, 0.87 in the haystack.
    assert r["haystack"]["abstain"] >= r["alone"]["abstain"] - 0.1, r
