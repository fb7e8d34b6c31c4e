"""The local `evaluate` metric modules in bertkit/metrics, checked against independent computations.

Every module is loaded with ``evaluate.load(<absolute folder>)`` exactly as the suite loads it, with
evaluate's module and data caches pointed at a temporary folder.
"""
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bertkit.metrics import METRICS_DIR  # noqa: E402  (sets the offline defaults before evaluate)
from bertkit.metrics import available_metrics  # noqa: E402
from bertkit.metrics import load_metric  # noqa: E402

ALL_METRICS = ["chrf", "glue", "masked_lm", "sacrebleu", "seqeval", "squad", "squad_v2", "srl"]
GLUE_CONFIGS = [
    "sst2", "mnli", "mnli_mismatched", "mnli_matched", "cola", "stsb",
    "mrpc", "qqp", "qnli", "rte", "wnli", "hans",
]


@pytest.fixture(scope="module", autouse=True)
def hf_home():
    """evaluate's caches live in the temp HF_HOME that tests/conftest.py sets before any import
    (patching evaluate's cache paths here would break modules other tests already imported)."""
    import evaluate.config as ev_config

    assert "bertkit-test-cache" in str(ev_config.HF_MODULES_CACHE)
    yield Path(os.environ["HF_HOME"])


_LOADED = {}


def load(name, config_name=None):
    """evaluate.load on the absolute module folder (cached per name/config for speed)."""
    key = (name, config_name)
    if key not in _LOADED:
        import evaluate

        _LOADED[key] = evaluate.load(str(METRICS_DIR / name), config_name)
    return _LOADED[key]


# --------------------------------------------------------------------------- registry / load_metric


def test_available_metrics_and_folder_layout():
    assert available_metrics() == ALL_METRICS
    assert METRICS_DIR.is_absolute()
    for name in ALL_METRICS:
        folder = METRICS_DIR / name
        assert (folder / f"{name}.py").is_file()
        assert (folder / "README.md").is_file()
        # evaluate's dependency check needs one import per line.
        for line in (folder / f"{name}.py").read_text().splitlines():
            if line.startswith("import "):
                assert "," not in line, line


def test_load_metric_unknown_name_raises_keyerror_listing_valid_names():
    with pytest.raises(KeyError) as info:
        load_metric("nope")
    message = str(info.value)
    assert "nope" in message
    for name in ALL_METRICS:
        assert name in message


def test_load_metric_sets_offline_default_and_loads_by_absolute_path():
    assert os.environ.get("HF_EVALUATE_OFFLINE") == "1"
    metric = load_metric("glue", "mrpc")
    assert metric.config_name == "mrpc"
    assert metric.compute(predictions=[0, 1, 1], references=[0, 1, 0]) == pytest.approx(
        {"accuracy": 2 / 3, "f1": 2 / 3}
    )


# --------------------------------------------------------------------------- glue


@pytest.mark.parametrize("config", GLUE_CONFIGS)
def test_glue_matches_sklearn_and_scipy(config):
    from scipy.stats import pearsonr
    from scipy.stats import spearmanr
    from sklearn.metrics import accuracy_score
    from sklearn.metrics import f1_score
    from sklearn.metrics import matthews_corrcoef

    rng = np.random.default_rng(GLUE_CONFIGS.index(config))
    n = 300
    metric = load(config_name=config, name="glue")
    if config == "stsb":
        refs = rng.uniform(0, 5, n).astype(np.float32)
        preds = np.clip(refs + rng.normal(0, 1.2, n), 0, 5).astype(np.float32)
        out = metric.compute(predictions=preds.tolist(), references=refs.tolist())
        assert set(out) == {"pearson", "spearmanr"}
        assert out["pearson"] == pytest.approx(float(pearsonr(preds, refs)[0]), rel=1e-6)
        assert out["spearmanr"] == pytest.approx(float(spearmanr(preds, refs)[0]), rel=1e-6)
        assert 0.3 < out["pearson"] < 1
        return

    n_classes = 3 if config.startswith("mnli") else 2
    refs = rng.integers(0, n_classes, n)
    # Agree with the reference about 70% of the time so the scores are far from trivial.
    preds = np.where(rng.random(n) < 0.7, refs, rng.integers(0, n_classes, n))
    out = metric.compute(predictions=preds.tolist(), references=refs.tolist())
    if config == "cola":
        assert set(out) == {"matthews_correlation"}
        assert out["matthews_correlation"] == pytest.approx(matthews_corrcoef(refs, preds))
    elif config in ("mrpc", "qqp"):
        assert set(out) == {"accuracy", "f1"}
        assert out["accuracy"] == pytest.approx(accuracy_score(refs, preds))
        assert out["f1"] == pytest.approx(f1_score(refs, preds))
    else:
        assert set(out) == {"accuracy"}
        assert out["accuracy"] == pytest.approx(accuracy_score(refs, preds))
    for value in out.values():
        assert isinstance(value, float) and -1 <= value <= 1


def test_glue_unknown_config_raises_keyerror():
    import evaluate

    with pytest.raises(KeyError, match="sst2"):
        evaluate.load(str(METRICS_DIR / "glue"), "sts-b")


# --------------------------------------------------------------------------- squad


def _squad(pred, golds, qid="q"):
    return (
        [{"id": qid, "prediction_text": pred}],
        [{"id": qid, "answers": {"text": list(golds), "answer_start": [0] * len(golds)}}],
    )


@pytest.mark.parametrize(
    "pred, golds, exact_match, f1",
    [
        ("The Eiffel Tower", ["eiffel tower"], 100.0, 100.0),  # case + leading article
        ("an apple", ["Apple"], 100.0, 100.0),  # article "an"
        ("a dog and the cat", ["dog and cat"], 100.0, 100.0),  # articles inside
        ("theory", ["the theory"], 100.0, 100.0),  # "the" is removed only as a whole word
        ("Paris!", ["paris."], 100.0, 100.0),  # punctuation
        ("Eiffel-Tower", ["eiffeltower"], 100.0, 100.0),  # punctuation removed without a space
        ("  big \t black\n cat ", ["big black cat"], 100.0, 100.0),  # whitespace collapsed
        # partial overlap: pred {big, black, cat}, gold {big, cat}: P = 2/3, R = 1, F1 = 0.8
        ("big black cat", ["the big cat"], 0.0, 80.0),
        # pred {cat, sat}, gold {the->removed, cat, sat, down}: P = 1, R = 2/3, F1 = 0.8
        ("cat sat", ["The cat sat down"], 0.0, 80.0),
        # repeated tokens count as a multiset: pred {a->removed, b, b, b}, gold {b}: P = 1/3, R = 1 -> 0.5
        ("b b b", ["b"], 0.0, 50.0),
        ("red", ["blue"], 0.0, 0.0),  # no overlap
        # several gold answers: max over them, separately for EM and F1
        # vs "broncos": P = 1/2, R = 1 -> 2/3; vs "denver broncos team": P = 1, R = 2/3 -> 0.8
        ("Denver Broncos", ["Broncos", "Denver Broncos team"], 0.0, 80.0),
        ("Denver Broncos", ["Broncos", "the Denver Broncos"], 100.0, 100.0),
    ],
)
def test_squad_normalisation_and_f1_by_hand(pred, golds, exact_match, f1):
    predictions, references = _squad(pred, golds)
    out = load("squad").compute(predictions=predictions, references=references)
    assert set(out) == {"exact_match", "f1"}
    assert out["exact_match"] == pytest.approx(exact_match)
    assert out["f1"] == pytest.approx(f1)


def test_squad_averages_over_references_and_missing_prediction_scores_zero():
    predictions = [
        {"id": "a", "prediction_text": "1976"},
        {"id": "b", "prediction_text": "big black cat"},
        {"id": "x", "prediction_text": "not a question of the references"},
    ]
    references = [
        {"id": "a", "answers": {"text": ["1976"], "answer_start": [97]}},
        {"id": "b", "answers": {"text": ["the big cat"], "answer_start": [3]}},
        {"id": "c", "answers": {"text": ["never answered"], "answer_start": [0]}},
    ]
    out = load("squad").compute(predictions=predictions, references=references)
    assert out["exact_match"] == pytest.approx(100.0 / 3)
    assert out["f1"] == pytest.approx((100.0 + 80.0 + 0.0) / 3)


# --------------------------------------------------------------------------- squad_v2


def _v2_example():
    rows = [
        # id, gold answers, prediction, no-answer probability
        ("q1", ["Paris"], "Paris", 0.1),  # answerable, right
        ("q2", ["the red car", "red car"], "red truck", 0.4),  # answerable, F1 0.5 vs "red car"
        ("q3", [], "", 0.9),  # unanswerable, abstains
        ("q4", [], "London", 0.7),  # unanswerable, answers anyway
        ("q5", ["42"], "41", 0.8),  # answerable, wrong
    ]
    predictions = [{"id": i, "prediction_text": p, "no_answer_probability": na} for i, _, p, na in rows]
    references = [{"id": i, "answers": {"text": g, "answer_start": [0] * len(g)}} for i, g, _, _ in rows]
    return predictions, references


def test_squad_v2_hasans_noans_split_and_best_threshold_by_hand():
    predictions, references = _v2_example()
    out = load("squad_v2").compute(predictions=predictions, references=references)
    assert list(out) == [
        "exact", "f1", "total",
        "HasAns_exact", "HasAns_f1", "HasAns_total",
        "NoAns_exact", "NoAns_f1", "NoAns_total",
        "best_exact", "best_exact_thresh", "best_f1", "best_f1_thresh",
    ]
    # Threshold 1.0 overrides nothing: exact q1, q3 -> 2/5; F1 1 + 0.5 + 1 -> 2.5/5.
    assert out["total"] == 5 and out["HasAns_total"] == 3 and out["NoAns_total"] == 2
    assert out["exact"] == pytest.approx(40.0)
    assert out["f1"] == pytest.approx(50.0)
    assert out["HasAns_exact"] == pytest.approx(100.0 / 3)
    assert out["HasAns_f1"] == pytest.approx(50.0)
    assert out["NoAns_exact"] == pytest.approx(50.0)
    assert out["NoAns_f1"] == pytest.approx(50.0)
    # Best threshold (official sweep): all abstain = 2 right; answer q1 (0.1) -> 3; q2 (0.4) -> +0
    # (exact) or +0.5 (F1); q4 (0.7) -> -1; q5 (0.8) -> +0; q3 (0.9) answers "" -> +0.
    assert out["best_exact"] == pytest.approx(60.0)
    assert out["best_exact_thresh"] == pytest.approx(0.1)
    assert out["best_f1"] == pytest.approx(70.0)
    assert out["best_f1_thresh"] == pytest.approx(0.4)


def test_squad_v2_no_answer_threshold_kwarg():
    predictions, references = _v2_example()
    out = load("squad_v2").compute(predictions=predictions, references=references, no_answer_threshold=0.5)
    # Now q4 (0.7), q5 (0.8), q3 (0.9) count as "no answer": q4 and q3 right, q5 wrong.
    assert out["exact"] == pytest.approx(60.0)
    assert out["f1"] == pytest.approx(70.0)
    assert out["HasAns_exact"] == pytest.approx(100.0 / 3)
    assert out["NoAns_exact"] == pytest.approx(100.0)
    assert out["best_exact"] == pytest.approx(60.0)  # the sweep ignores the threshold


def test_squad_v2_only_answerable_has_no_noans_keys():
    predictions = [{"id": "q1", "prediction_text": "1976", "no_answer_probability": 0.0}]
    references = [{"id": "q1", "answers": {"text": ["1976"], "answer_start": [97]}}]
    out = load("squad_v2").compute(predictions=predictions, references=references)
    assert out == {
        "exact": 100.0, "f1": 100.0, "total": 1,
        "HasAns_exact": 100.0, "HasAns_f1": 100.0, "HasAns_total": 1,
        "best_exact": 100.0, "best_exact_thresh": 0.0, "best_f1": 100.0, "best_f1_thresh": 0.0,
    }


# --------------------------------------------------------------------------- seqeval

SEQ_REFS = [
    ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "I-ORG"],
    ["O", "B-MISC", "I-MISC", "O", "B-PER", "O"],
    ["B-LOC", "I-LOC", "I-LOC", "O", "O", "B-LOC"],
    ["O", "O", "B-ORG", "O"],
]
SEQ_PREDS = [
    ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O"],
    ["O", "B-MISC", "I-MISC", "O", "B-PER", "B-PER"],
    ["I-LOC", "I-LOC", "I-LOC", "O", "O", "B-ORG"],
    ["O", "O", "B-ORG", "O"],
]


@pytest.mark.parametrize("kwargs", [{}, {"mode": "strict", "scheme": "IOB2"}, {"zero_division": 0}])
def test_seqeval_matches_seqeval_package(kwargs):
    from seqeval import scheme as seqeval_scheme
    from seqeval.metrics import accuracy_score
    from seqeval.metrics import classification_report
    from seqeval.metrics import f1_score

    out = load("seqeval").compute(predictions=SEQ_PREDS, references=SEQ_REFS, **kwargs)
    direct_kwargs = dict(kwargs)
    if "scheme" in direct_kwargs:
        direct_kwargs["scheme"] = getattr(seqeval_scheme, direct_kwargs["scheme"])
    report = classification_report(SEQ_REFS, SEQ_PREDS, output_dict=True, **direct_kwargs)
    types = sorted(k for k in report if not k.endswith(" avg"))
    assert types == ["LOC", "MISC", "ORG", "PER"]
    assert list(out) == types + ["overall_precision", "overall_recall", "overall_f1", "overall_accuracy"]
    for t in types:
        assert out[t] == pytest.approx(
            {
                "precision": report[t]["precision"],
                "recall": report[t]["recall"],
                "f1": report[t]["f1-score"],
                "number": report[t]["support"],
            }
        )
    assert out["overall_precision"] == pytest.approx(report["micro avg"]["precision"])
    assert out["overall_recall"] == pytest.approx(report["micro avg"]["recall"])
    assert out["overall_f1"] == pytest.approx(report["micro avg"]["f1-score"])
    assert out["overall_f1"] == pytest.approx(f1_score(SEQ_REFS, SEQ_PREDS, **direct_kwargs))
    assert out["overall_accuracy"] == pytest.approx(accuracy_score(SEQ_REFS, SEQ_PREDS))


def test_seqeval_strict_mode_differs_and_bad_scheme_raises():
    lenient = load("seqeval").compute(predictions=SEQ_PREDS, references=SEQ_REFS)
    strict = load("seqeval").compute(predictions=SEQ_PREDS, references=SEQ_REFS, mode="strict", scheme="IOB2")
    # "I-LOC I-LOC I-LOC" is a LOC chunk for conlleval but not a valid IOB2 chunk.
    assert lenient["LOC"]["recall"] == pytest.approx(2 / 3)
    assert strict["LOC"]["recall"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="Scheme"):
        load("seqeval").compute(predictions=SEQ_PREDS, references=SEQ_REFS, scheme="BIO9")


# --------------------------------------------------------------------------- sacrebleu / chrf

MT_PREDS = [
    "The cat sat on the mat.",
    "There is a dog in the garden, barking loudly.",
    "I would like a cup of tea, please.",
    "on our way to ankh morpork",
]
MT_REFS = [  # two references per prediction, in the hub (per-prediction) layout
    ["The cat is sitting on the mat.", "A cat sat on the mat."],
    ["A dog is barking loudly in the garden.", "There's a dog barking in the garden."],
    ["I'd like a cup of tea, please.", "Could I have a cup of tea please?"],
    ["goodbye ankh morpork", "ankh morpork"],
]
MT_STREAMS = [[refs[i] for refs in MT_REFS] for i in range(2)]  # sacrebleu's layout


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"lowercase": True}, {"tokenize": "char"}, {"smooth_method": "floor", "smooth_value": 0.2}],
)
def test_sacrebleu_matches_corpus_bleu(kwargs):
    import sacrebleu

    out = load("sacrebleu").compute(predictions=MT_PREDS, references=MT_REFS, **kwargs)
    expected = sacrebleu.corpus_bleu(MT_PREDS, MT_STREAMS, **kwargs)
    assert list(out) == ["score", "counts", "totals", "precisions", "bp", "sys_len", "ref_len"]
    assert out["score"] == pytest.approx(expected.score)
    assert out["counts"] == expected.counts
    assert out["totals"] == expected.totals
    assert out["precisions"] == pytest.approx(expected.precisions)
    assert out["bp"] == pytest.approx(expected.bp)
    assert (out["sys_len"], out["ref_len"]) == (expected.sys_len, expected.ref_len)
    assert 0 < out["score"] < 100


def test_sacrebleu_single_reference_and_uneven_references():
    import sacrebleu

    flat = [refs[0] for refs in MT_REFS]
    out = load("sacrebleu").compute(predictions=MT_PREDS, references=flat)
    assert out["score"] == pytest.approx(sacrebleu.corpus_bleu(MT_PREDS, [flat]).score)
    perfect = load("sacrebleu").compute(predictions=flat, references=[[r] for r in flat])
    assert perfect["score"] == pytest.approx(100.0) and perfect["bp"] == pytest.approx(1.0)
    uneven = [MT_REFS[0], MT_REFS[1][:1], MT_REFS[2], MT_REFS[3]]
    with pytest.raises(ValueError, match="same number of references"):
        load("sacrebleu").compute(predictions=MT_PREDS, references=uneven)


@pytest.mark.parametrize("kwargs", [{}, {"word_order": 2}, {"char_order": 4, "beta": 1}])
def test_chrf_matches_corpus_chrf(kwargs):
    import sacrebleu

    out = load("chrf").compute(predictions=MT_PREDS, references=MT_REFS, **kwargs)
    expected = sacrebleu.corpus_chrf(MT_PREDS, MT_STREAMS, **kwargs)
    assert out == {
        "score": pytest.approx(expected.score),
        "char_order": kwargs.get("char_order", 6),
        "word_order": kwargs.get("word_order", 0),
        "beta": kwargs.get("beta", 2),
    }
    assert 0 < out["score"] < 100


def test_chrf_lowercase_matches_sacrebleu_chrf():
    from sacrebleu import CHRF

    out = load("chrf").compute(predictions=MT_PREDS, references=MT_REFS, lowercase=True, word_order=2)
    expected = CHRF(word_order=2, lowercase=True).corpus_score(MT_PREDS, MT_STREAMS)
    assert out["score"] == pytest.approx(expected.score)


# --------------------------------------------------------------------------- srl


def _srl(predictions, references, **kwargs):
    return load("srl").compute(predictions=predictions, references=references, **kwargs)


def test_srl_perfect_match_excludes_predicate_v():
    tags = [["B-ARG0", "I-ARG0", "B-V", "I-V", "B-ARG1", "I-ARG1", "O"]]
    out = _srl(tags, tags)
    assert out == {
        "precision": 1.0, "recall": 1.0, "f1": 1.0, "number": 2,
        "ARG0": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "number": 1},
        "ARG1": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "number": 1},
    }
    assert "V" not in out


def test_srl_wrong_predicate_does_not_count():
    refs = [["B-ARG0", "B-V", "B-ARG1"]]
    preds = [["B-ARG0", "O", "B-ARG1"]]  # predicate missed: no effect on the score
    assert _srl(preds, refs)["f1"] == 1.0
    preds = [["B-ARG0", "B-V", "B-V"]]  # extra V span, ARG1 missed
    out = _srl(preds, refs)
    assert (out["precision"], out["recall"]) == (1.0, 0.5)


def test_srl_boundary_mismatch_is_both_false_positive_and_false_negative():
    refs = [["B-ARG0", "I-ARG0", "B-V", "B-ARG1", "I-ARG1", "O"]]
    preds = [["B-ARG0", "O", "B-V", "B-ARG1", "I-ARG1", "I-ARG1"]]
    out = _srl(preds, refs)
    assert out["precision"] == 0.0 and out["recall"] == 0.0 and out["f1"] == 0.0
    assert out["number"] == 2
    assert out["ARG0"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "number": 1}


def test_srl_counts_by_hand_over_several_predicates():
    refs = [
        ["B-ARG0", "I-ARG0", "B-V", "B-ARG1", "I-ARG1", "B-ARGM-TMP"],  # ARG0(0-1) ARG1(3-4) TMP(5)
        ["B-ARG0", "O", "O", "B-V", "B-ARG2", "O"],  # ARG0(0) ARG2(4)
        ["O", "B-V", "B-ARG1", "I-ARG1", "I-ARG1", "O"],  # ARG1(2-4)
    ]
    preds = [
        ["B-ARG0", "I-ARG0", "B-V", "B-ARG1", "I-ARG1", "O"],  # ARG0 ok, ARG1 ok, TMP missed
        ["B-ARG1", "O", "O", "B-V", "B-ARG2", "B-ARGM-LOC"],  # ARG0 labelled ARG1; ARG2 ok; LOC spurious
        ["O", "B-V", "B-ARG1", "I-ARG1", "O", "O"],  # ARG1 boundary wrong
    ]
    # gold 6 spans, predicted 6, correct 3 (ARG0, ARG1 in #1; ARG2 in #2)
    out = _srl(preds, refs)
    assert out["number"] == 6
    assert out["precision"] == pytest.approx(3 / 6)
    assert out["recall"] == pytest.approx(3 / 6)
    assert out["f1"] == pytest.approx(0.5)
    assert list(out)[4:] == ["ARG0", "ARG1", "ARG2", "ARGM-LOC", "ARGM-TMP"]
    # ARG0: gold 2, pred 1, tp 1
    assert out["ARG0"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "number": 2})
    # ARG1: gold 2, pred 3, tp 1
    assert out["ARG1"] == pytest.approx({"precision": 1 / 3, "recall": 0.5, "f1": 0.4, "number": 2})
    assert out["ARG2"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "number": 1}
    assert out["ARGM-LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "number": 0}
    assert out["ARGM-TMP"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "number": 1}


def test_srl_i_without_b_starts_a_span_conlleval_style():
    refs = [["B-ARG0", "I-ARG0", "B-V", "B-ARG1", "B-ARG2"]]
    # I-ARG0 opens ARG0(0-1); I-ARG1 opens ARG1(3); I-ARG2 after ARG1 opens ARG2(4)
    preds = [["I-ARG0", "I-ARG0", "B-V", "I-ARG1", "I-ARG2"]]
    assert _srl(preds, refs)["f1"] == 1.0
    # B-X B-X are two spans, not one
    out = _srl([["B-ARG1", "B-ARG1", "B-V"]], [["B-ARG1", "I-ARG1", "B-V"]])
    assert (out["precision"], out["recall"], out["number"]) == (0.0, 0.0, 1)


def test_srl_edge_cases():
    out = _srl([["O", "B-V", "O"]], [["O", "B-V", "O"]])
    assert out == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "number": 0}
    # ignore_labels can leave the predicate in
    out = _srl([["B-ARG0", "B-V"]], [["B-ARG0", "B-V"]], ignore_labels=[])
    assert out["number"] == 2 and "V" in out
    with pytest.raises(ValueError, match="tags"):
        _srl([["B-ARG0", "O"]], [["B-ARG0", "O", "O"]])
    with pytest.raises(ValueError, match="ARG0"):
        _srl([["ARG0", "O"]], [["B-ARG0", "O"]])
    assert math.isclose(_srl([["B-ARG0"]], [["B-ARG0"]])["f1"], 1.0)
