"""evaluation/published/default.json: written by scripts/card_scores.py straight from the suite's
results (no Markdown round trip), read by the app's notes and the Leaderboard tab."""
import json
import shutil
import sys
from pathlib import Path

from conftest import RESULTS_FILE, copy_results

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / "evaluation" / "published" / "default.json"


def test_card_scores_publishes_the_results_unrounded_and_renders_the_cards_from_them(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    from card_scores import main

    heads = tmp_path / "heads"
    for task in ("stsb", "translation"):  # two shipped heads: one in the new run, one not
        (heads / task).mkdir(parents=True)
        for name in ("README.md", "bertkit.json"):
            shutil.copy(REPO / "bertkit" / "heads" / task / name, heads / task / name)
    published = tmp_path / "default.json"
    shutil.copy(PUBLISHED, published)
    before = json.loads(published.read_text())
    results = tmp_path / "results"
    results.mkdir()
    copy_results(results)

    data = main(str(results), published, heads, readme=False)
    written = json.loads(published.read_text())
    run = json.loads(RESULTS_FILE.read_text())["tasks"]["stsb"]
    assert written == data and written["schema"] == "bertkit-eval/1"
    assert written["tasks"]["stsb"]["scores"] == run["scores"]  # every digit the suite measured
    assert written["tasks"]["stsb"]["n_examples"] == run["n_examples"] and "predictions" not in written["tasks"]["stsb"]
    hardware = json.loads(RESULTS_FILE.read_text())["manifest"]["hardware"]
    assert written["tasks"]["stsb"]["hardware"] == hardware  # where its examples/s was measured
    assert written["tasks"]["translation"] == before["tasks"]["translation"]  # not in this run: kept as published
    assert written["tasks"]["sst2"] == {"status": "skipped", "reason": "no shipped head", "version": "1",
                                        "split": "dev"}  # no head in this heads folder
    card = (heads / "stsb" / "README.md").read_text()
    value, (low, high) = run["scores"]["spearmanr"]["value"], run["scores"]["spearmanr"]["ci"]
    assert f"| spearmanr | {value * 100:.2f} | [{low * 100:.2f}, {high * 100:.2f}] |" in card
    assert f"examples/s on {hardware['cpu']}, {hardware['torch_threads']} torch threads." in card
    assert "Split: `news_test`" in (heads / "translation" / "README.md").read_text()  # rendered from the file

    text = published.read_text()
    cards = {t: (heads / t / "README.md").read_text() for t in ("stsb", "translation")}
    main(str(tmp_path / "no-results"), published, heads, readme=False)  # nothing new: the file stays as it is
    assert published.read_text() == text
    assert cards == {t: (heads / t / "README.md").read_text() for t in ("stsb", "translation")}


def test_the_shipped_cards_say_what_the_published_file_says():
    """Each shipped head's card shows the published entry as card_scores renders it (the cards may hold
    more rows: squad_v2's best_* rows have no interval, which the file parsed back from the cards dropped)."""
    sys.path.insert(0, str(REPO / "scripts"))
    from card_scores import SECTION, card_section

    data = json.loads(PUBLISHED.read_text())
    for task, entry in data["tasks"].items():
        card = REPO / "bertkit" / "heads" / task / "README.md"
        if entry["status"] == "scored" and card.is_file():
            shown = card.read_text().split(SECTION, 1)[1].splitlines()
            assert set(card_section(task, entry).splitlines()[1:]) <= set(shown), task


def test_srl_gold_spans_per_role_are_real_counts():
    """The leaderboard's "Gold spans" were 0 on every row; now counted from the held-out data, and they
    agree with the published recall (recall × gold spans is a whole number of found spans)."""
    from demo.leaderboard import leaderboard

    entry = json.loads(PUBLISHED.read_text())["tasks"]["srl"]
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
