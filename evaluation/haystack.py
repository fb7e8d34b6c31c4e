"""Long-context QA probe: each question's own paragraph hidden among unrelated paragraphs.

A haystack is about `words` words of paragraphs from other SQuAD articles (the v1.1 `train` part, which
shares no article with `tune` or `dev`), with the question's paragraph at the start, in the middle or at
the end. A reader that compares windows fairly answers as well in the haystack as on the paragraph
alone; `compare` measures both on the same questions (F1 as the squad metric computes it, and for
unanswerable questions how often the reader abstains). Used by `scripts/qa_haystack.py` and
`tests/core/test_qa_long.py`.
"""
from __future__ import annotations

import random

POSITIONS = ("start", "middle", "end")


def filler_paragraphs(data_dir=None) -> list[tuple[str, str]]:
    """(title, paragraph) pairs of the articles no question here comes from (v1.1 `train`)."""
    from bertkit.tasks.base import get_task

    train = get_task("squad").load("train", data_dir)
    seen, pairs = set(), []
    for title, context in zip(train["title"], train["context"]):
        if context not in seen:
            seen.add(context)
            pairs.append((title, context))
    return pairs


def hide(paragraph: str, fillers: list[tuple[str, str]], rng: random.Random, words: int, position: str) -> str:
    """`paragraph` among random filler paragraphs until the whole holds at least `words` words."""
    chosen, n = [], len(paragraph.split())
    for _, text in rng.sample(fillers, len(fillers)):
        if n >= words:
            break
        chosen.append(text)
        n += len(text.split())
    at = {"start": 0, "middle": len(chosen) // 2, "end": len(chosen)}[position]
    return "\n\n".join(chosen[:at] + [paragraph] + chosen[at:])


def sample(dataset, n: int, seed: int, answerable: bool | None = None) -> list[dict]:
    """`n` questions drawn with `seed` (only answerable / unanswerable ones when asked)."""
    rows = [dict(zip(dataset.column_names, values)) for values in zip(*(dataset[c] for c in dataset.column_names))]
    if answerable is not None:
        rows = [r for r in rows if bool(r["answers"]["text"]) == answerable]
    return random.Random(seed).sample(rows, min(n, len(rows)))


def f1(prediction: str, answers: list[str]) -> float:
    """SQuAD token F1 (best over the gold answers; an unanswerable question scores 1 for "")."""
    from bertkit.metrics.squad.squad import f1_score, metric_max_over_ground_truths

    if not answers:
        return float(prediction == "")
    return metric_max_over_ground_truths(f1_score, prediction, answers)


def compare(predictor, rows: list[dict], fillers, words: int = 2500, seed: int = 0, scorings=None,
            **options) -> dict:
    """F1 and abstention rate of `predictor` on each question alone and hidden in a haystack.

    Positions cycle start/middle/end over the rows; fillers never come from the row's own article.
    With `scorings` (names of QuestionAnswering.scoring), one report per way of comparing windows."""
    rng = random.Random(seed)
    alone = [{"question": r["question"], "context": r["context"]} for r in rows]
    long = []
    for i, r in enumerate(rows):
        pool = [f for f in fillers if f[0] != r["title"]]
        long.append({"question": r["question"],
                     "context": hide(r["context"], pool, rng, words, POSITIONS[i % len(POSITIONS)])})
    golds = [r["answers"]["text"] for r in rows]
    if scorings:  # the window comparisons to try: one forward pass, each one's postprocess
        alone_by, long_by = _predict_each(predictor, alone, scorings), _predict_each(predictor, long, scorings)
        return {s: _report(rows, long, golds, alone_by[s], long_by[s]) for s in scorings}
    return _report(rows, long, golds, predictor(alone, **options), predictor(long, **options))


def _predict_each(predictor, items, scorings):
    family, ctx = predictor.task.family, predictor.context
    items = [family.check_input(predictor.task, x) for x in items]
    features = family.preprocess(ctx, items)
    outputs = predictor.run(features, predictor.batch_size)
    kept, results = family.scoring, {}
    try:
        for scoring in scorings:
            family.scoring = scoring
            results[scoring] = family.postprocess(ctx, items, features, outputs)
    finally:
        family.scoring = kept
    return results


def _report(rows, long, golds, out_alone, out_long):

    def summary(outputs):
        scores = [f1(o["answer"], g) for o, g in zip(outputs, golds)]
        return {"f1": 100 * sum(scores) / len(scores),
                "abstain": sum(o["answer"] == "" for o in outputs) / len(outputs),
                "answers": [o["answer"] for o in outputs]}

    return {"n": len(rows), "words": sum(len(x["context"].split()) for x in long) / len(long),
            "alone": summary(out_alone), "haystack": summary(out_long)}
