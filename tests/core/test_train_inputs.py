"""Strict inputs: numeric options checked at parse time and in the Recipe; label typos, header-only
files, non-numeric STS-B labels and bad --column values are clear errors; every shipped card's
Recreate command parses with the real argument parser."""
import re
import shlex
from pathlib import Path

import pytest

import bertkit
from bertkit.cli import build_parser
from bertkit.recipe import RecipeError, make_recipe

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("option,value,message", [
    ("--epochs", "-1", "must be > 0"), ("--max-steps", "0", "must be >= 1, or -1"),
    ("--max-minutes", "-1", "must be > 0"), ("--lr", "0", "must be > 0"), ("--batch-size", "0", "must be >= 1"),
    ("--lora-r", "0", "must be >= 1"), ("--warmup", "1", r"must be in \[0, 1\)"), ("--column", "review", "NAME=COLUMN"),
    ("--epochs", "x", "expected a number")])
def test_bad_numbers_fail_at_parse_time(option, value, message, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["train", "sst2", option, value])
    assert info.value.code == 2 and re.search(message, capsys.readouterr().err)


def test_the_recipe_checks_too():
    with pytest.raises(RecipeError, match="batch_size must be >= 1, got 0"):
        make_recipe("sst2", batch_size=0)
    with pytest.raises(RecipeError, match="unknown training option"):
        make_recipe("sst2", warmup_steps=3)


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


def test_label_typo_names_file_line_and_value(tiny_bert, tmp_path):
    path = write(tmp_path, "t.csv", "text,label\ngood,positive\nbad,negative\nfine,postive\n")
    with pytest.raises(bertkit.BertkitError, match=r"t.csv, line 4: label 'postive' is not one of .*--labels"):
        bertkit.train("sst2", model=str(tiny_bert), train_file=path, output=str(tmp_path / "o"), progress=False)


def test_header_only_and_non_numeric_stsb(tiny_bert, tmp_path):
    with pytest.raises(bertkit.BertkitError, match="h.csv: the file has no rows"):
        bertkit.train("sst2", model=str(tiny_bert), train_file=write(tmp_path, "h.csv", "text,label\n"),
                      output=str(tmp_path / "o"), progress=False)
    path = write(tmp_path, "s.csv", "text,text_pair,label\na,b,3.5\nc,d,high\n")
    with pytest.raises(bertkit.BertkitError, match=r"s.csv, line 3: label 'high' is not a number"):
        bertkit.train("stsb", model=str(tiny_bert), train_file=path, output=str(tmp_path / "o"), progress=False)


def test_ner_token_tag_mismatch(tiny_bert, tmp_path):
    path = write(tmp_path, "n.jsonl", '{"tokens": ["Paris", "is"], "tags": ["B-LOC", "O"]}\n'
                                      '{"tokens": ["John", "ran"], "tags": ["B-PER"]}\n')
    with pytest.raises(bertkit.BertkitError, match=r"n.jsonl, line 2: 2 tokens but 1 tags"):
        bertkit.train("ner", model=str(tiny_bert), train_file=path, output=str(tmp_path / "o"), progress=False)


def test_every_shipped_cards_command_parses():
    cards = sorted((REPO / "bertkit" / "heads").glob("*/README.md"))
    assert cards
    for card in cards:
        command = card.read_text().split("## Recreate")[1].split("```")[1].strip()
        argv = shlex.split(command)
        assert argv[:4] == ["python", "-m", "bertkit", "train"], card
        args = build_parser().parse_args(argv[3:])
        assert args.task == card.parent.name
