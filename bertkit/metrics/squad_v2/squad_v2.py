"""SQuAD v2.0 metric: a local drop-in for the hub module `squad_v2` (official v2.0 scoring)."""
import collections
import re
import string

import datasets
import evaluate

_CITATION = """\
@inproceedings{Rajpurkar2018SQuAD2,
  title={Know What You Don't Know: Unanswerable Questions for SQuAD},
  author={Pranav Rajpurkar and Robin Jia and Percy Liang},
  booktitle={ACL},
  year={2018}
}
"""

_DESCRIPTION = """\
The official scoring of version 2.0 of the Stanford Question Answering Dataset (SQuAD), where some
questions have no answer in the passage. A question without gold answers is answered correctly only
by the empty string, or by a no-answer probability above the threshold. Besides the overall scores
it reports the answerable (HasAns) and unanswerable (NoAns) subsets and the best scores reachable by
choosing the no-answer threshold after the fact.
"""

_KWARGS_DESCRIPTION = """
Computes SQuAD v2.0 scores.
Args:
    predictions: list of dicts {"id": str, "prediction_text": str ("" = no answer),
        "no_answer_probability": float}.
    references: list of dicts {"id": str, "answers": {"text": [str, ...], "answer_start": [int, ...]}};
        empty lists mark an unanswerable question.
    no_answer_threshold (float, default 1.0): a prediction whose no_answer_probability is above it
        is taken as "no answer" whatever its text.
Returns (exact/f1 values on a 0-100 scale, totals are counts):
    "exact", "f1", "total": over all questions,
    "HasAns_exact", "HasAns_f1", "HasAns_total": over answerable questions (only if there are any),
    "NoAns_exact", "NoAns_f1", "NoAns_total": over unanswerable questions (only if there are any),
    "best_exact", "best_exact_thresh", "best_f1", "best_f1_thresh": the best exact/F1 over all
        no-answer thresholds and the no_answer_probability at which it is reached.
Examples:
    >>> squad_v2 = evaluate.load("bertkit/metrics/squad_v2")
    >>> squad_v2.compute(
    ...     predictions=[{"id": "q1", "prediction_text": "1976", "no_answer_probability": 0.0}],
    ...     references=[{"id": "q1", "answers": {"text": ["1976"], "answer_start": [97]}}])
    {'exact': 100.0, 'f1': 100.0, 'total': 1, 'HasAns_exact': 100.0, 'HasAns_f1': 100.0, 'HasAns_total': 1, 'best_exact': 100.0, 'best_exact_thresh': 0.0, 'best_f1': 100.0, 'best_f1_thresh': 0.0}
"""

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(s):
    """Lower case, drop punctuation, drop the articles a/an/the, collapse whitespace."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCTUATION)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def get_tokens(s):
    if not s:
        return []
    return normalize_answer(s).split()


def compute_exact(a_gold, a_pred):
    return int(normalize_answer(a_gold) == normalize_answer(a_pred))


def compute_f1(a_gold, a_pred):
    gold_toks = get_tokens(a_gold)
    pred_toks = get_tokens(a_pred)
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        # If either is no-answer, F1 is 1 when they agree, 0 otherwise.
        return int(gold_toks == pred_toks)
    num_same = sum((collections.Counter(gold_toks) & collections.Counter(pred_toks)).values())
    if num_same == 0:
        return 0
    precision = num_same / len(pred_toks)
    recall = num_same / len(gold_toks)
    return (2 * precision * recall) / (precision + recall)


def make_qid_to_has_ans(references):
    return {ref["id"]: bool(ref["answers"]["text"]) for ref in references}


def get_raw_scores(references, preds):
    exact_scores = {}
    f1_scores = {}
    for ref in references:
        qid = ref["id"]
        gold_answers = [t for t in ref["answers"]["text"] if normalize_answer(t)]
        if not gold_answers:
            # For unanswerable questions the only correct answer is the empty string.
            gold_answers = [""]
        if qid not in preds:
            print(f"Missing prediction for {qid}")
            continue
        a_pred = preds[qid]
        exact_scores[qid] = max(compute_exact(a, a_pred) for a in gold_answers)
        f1_scores[qid] = max(compute_f1(a, a_pred) for a in gold_answers)
    return exact_scores, f1_scores


def apply_no_ans_threshold(scores, na_probs, qid_to_has_ans, na_prob_thresh):
    new_scores = {}
    for qid, s in scores.items():
        if na_probs[qid] > na_prob_thresh:
            new_scores[qid] = float(not qid_to_has_ans[qid])
        else:
            new_scores[qid] = s
    return new_scores


def make_eval_dict(exact_scores, f1_scores, qid_list=None):
    if not qid_list:
        total = len(exact_scores)
        exact = sum(exact_scores.values())
        f1 = sum(f1_scores.values())
    else:
        total = len(qid_list)
        exact = sum(exact_scores[k] for k in qid_list)
        f1 = sum(f1_scores[k] for k in qid_list)
    return collections.OrderedDict(
        [("exact", 100.0 * exact / total), ("f1", 100.0 * f1 / total), ("total", total)]
    )


def merge_eval(main_eval, new_eval, prefix):
    for k in new_eval:
        main_eval[f"{prefix}_{k}"] = new_eval[k]


def find_best_thresh(preds, scores, na_probs, qid_to_has_ans):
    """Best score over thresholds: walk questions by rising no-answer probability, answering them."""
    num_no_ans = sum(1 for k in qid_to_has_ans if not qid_to_has_ans[k])
    cur_score = num_no_ans
    best_score = cur_score
    best_thresh = 0.0
    qid_list = sorted(na_probs, key=lambda k: na_probs[k])
    for qid in qid_list:
        if qid not in scores:
            continue
        if qid_to_has_ans[qid]:
            diff = scores[qid]
        elif preds[qid]:
            diff = -1
        else:
            diff = 0
        cur_score += diff
        if cur_score > best_score:
            best_score = cur_score
            best_thresh = na_probs[qid]
    return 100.0 * best_score / len(scores), best_thresh


def find_all_best_thresh(main_eval, preds, exact_raw, f1_raw, na_probs, qid_to_has_ans):
    best_exact, exact_thresh = find_best_thresh(preds, exact_raw, na_probs, qid_to_has_ans)
    best_f1, f1_thresh = find_best_thresh(preds, f1_raw, na_probs, qid_to_has_ans)
    main_eval["best_exact"] = best_exact
    main_eval["best_exact_thresh"] = exact_thresh
    main_eval["best_f1"] = best_f1
    main_eval["best_f1_thresh"] = f1_thresh


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class SquadV2(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": {
                        "id": datasets.Value("string"),
                        "prediction_text": datasets.Value("string"),
                        "no_answer_probability": datasets.Value("float32"),
                    },
                    "references": {
                        "id": datasets.Value("string"),
                        "answers": datasets.features.Sequence(
                            {"text": datasets.Value("string"), "answer_start": datasets.Value("int32")}
                        ),
                    },
                }
            ),
            codebase_urls=["https://rajpurkar.github.io/SQuAD-explorer/"],
            reference_urls=["https://rajpurkar.github.io/SQuAD-explorer/"],
        )

    def _compute(self, predictions, references, no_answer_threshold=1.0):
        no_answer_probabilities = {p["id"]: p["no_answer_probability"] for p in predictions}
        preds = {p["id"]: p["prediction_text"] for p in predictions}

        qid_to_has_ans = make_qid_to_has_ans(references)
        has_ans_qids = [k for k, v in qid_to_has_ans.items() if v]
        no_ans_qids = [k for k, v in qid_to_has_ans.items() if not v]

        exact_raw, f1_raw = get_raw_scores(references, preds)
        exact_thresh = apply_no_ans_threshold(
            exact_raw, no_answer_probabilities, qid_to_has_ans, no_answer_threshold
        )
        f1_thresh = apply_no_ans_threshold(f1_raw, no_answer_probabilities, qid_to_has_ans, no_answer_threshold)
        out_eval = make_eval_dict(exact_thresh, f1_thresh)
        if has_ans_qids:
            merge_eval(out_eval, make_eval_dict(exact_thresh, f1_thresh, qid_list=has_ans_qids), "HasAns")
        if no_ans_qids:
            merge_eval(out_eval, make_eval_dict(exact_thresh, f1_thresh, qid_list=no_ans_qids), "NoAns")
        find_all_best_thresh(out_eval, preds, exact_raw, f1_raw, no_answer_probabilities, qid_to_has_ans)
        return dict(out_eval)
