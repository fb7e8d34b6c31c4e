"""demo/shipped_results.py reads the cards' held-out sections back into results entries."""
import bertkit
from demo.shipped_results import card_entry

CARD = """# card

## Held-out scores (evaluation suite, 95 % bootstrap interval)

Split: `test`, 1,000 examples, 16.0 examples/s on this machine.

| metric | value | 95 % CI |
|---|---|---|
| bleu | 38.10 | [36.50, 39.70] |
| chrf | 58.00 | [57.00, 59.00] |

Also held out (never used to choose):

Split: `news_test`, 1,500 examples, 3.1 examples/s on this machine.

| metric | value | 95 % CI |
|---|---|---|
| bleu | 1.20 | [1.00, 1.40] |
| chrf | 18.00 | [17.70, 18.30] |
"""


def test_card_entry_keeps_each_split_apart():
    entry = card_entry(bertkit.get_task("translation"), CARD)
    assert entry["split"] == "test" and entry["n_examples"] == 1000
    assert entry["scores"]["bleu"] == {"value": 38.1, "ci": [36.5, 39.7]}  # not the news rows below it
    news = entry["extra_splits"]["news_test"]
    assert news["n_examples"] == 1500 and news["scores"]["bleu"] == {"value": 1.2, "ci": [1.0, 1.4]}
    only = card_entry(bertkit.get_task("translation"), CARD.split("Also held out")[0])
    assert "extra_splits" not in only and only["scores"]["chrf"]["value"] == 58.0


def test_srl_gold_spans_per_role_are_real_counts():
    """The leaderboard's "Gold spans" were 0 on every row; now counted from the held-out data, and they
    agree with the published recall (recall × gold spans is a whole number of found spans)."""
    import json
    from pathlib import Path

    from demo.leaderboard import leaderboard

    entry = json.loads((Path(__file__).parents[2] / "evaluation/published/default.json").read_text())["tasks"]["srl"]
    counts = {k.removesuffix("_number"): v for k, v in entry["counts"].items()}
    assert counts["ARG1"] > counts["ARG0"] > counts["ARGM-TMP"] > 0
    for role, gold in counts.items():
        recall = entry["scores"].get(f"{role}_recall", {}).get("value")
        if recall:
            found = recall * gold
            assert abs(found - round(found)) < 0.2, (role, recall, gold)
    text, _ = leaderboard("/no/such/results")
    rows = [line for line in text.split("### SRL per role")[1].split("###")[0].splitlines()
            if line.startswith("| default")]
    gold = {line.split("|")[2].strip(): int(line.rstrip(" |").rsplit("|", 1)[1]) for line in rows}
    assert gold["ARG0"] == counts["ARG0"] and all(n > 0 for n in gold.values())
