"""Detokenising and truecasing an uncased decoder's output (bertkit/recase.py), learnt and used end to end."""
import json

import pytest

import bertkit
from bertkit.recase import build_table, detokenize, fold, recase

from train_data import write_csv


@pytest.mark.parametrize("decoded, text", [
    ("a blond - haired man ' s dog.", "a blond-haired man's dog."),
    ("they don ' t know what we ' ve done , do they ?", "they don't know what we've done, do they?"),
    ('a sign reads " stop here " .', 'a sign reads "stop here".'),
    ("it costs $ 3 . 50 ( about 10 , 000 yen ) .", "it costs $3.50 (about 10,000 yen)."),
    ("a 3 - year - old and / or a dog", "a 3-year-old and/or a dog"),
    ("plain words stay", "plain words stay"),
])
def test_detokenize_joins_what_wordpiece_split(decoded, text):
    assert detokenize(decoded) == text


def test_table_learns_inner_case_only_and_skips_rare_words():
    texts = ["Tom met Mary in Berlin.", "Yesterday Tom and I saw Mary.", "We live in Berlin with Tom, as I do. Tom too.",
             "Apples grow here.", "I like apples and the café.", "The café near Müller is small.", "Zurich once."]
    table = build_table(texts)
    assert table["tom"] == "Tom" and table["mary"] == "Mary" and table["berlin"] == "Berlin"
    assert table["i"] == "I" and table["cafe"] == "café"  # the key is what the uncased tokenizer makes
    assert "apples" not in table  # capitalised only as a sentence's first word
    assert "the" not in table and "yesterday" not in table
    assert "zurich" not in table and "muller" not in table  # seen once
    assert fold("Müller") == "muller"


def test_recase_uses_the_table_and_capitalises_sentences():
    table = {"tom": "Tom", "berlin": "Berlin", "i": "I", "cafe": "café"}
    assert recase("tom and i went to berlin. we liked the cafe! then? home", table) == \
        "Tom and I went to Berlin. We liked the café! Then? Home"
    assert recase('"yes," she said.', table) == '"Yes," she said.'
    assert recase("iPhone sales", {"iphone": "iPhone"}) == "IPhone sales"  # a sentence start wins
    assert recase("mixed NATO case", table) == "Mixed NATO case"  # words with capitals are left alone


def test_training_stores_the_table_and_serving_applies_it(tiny_bert, tmp_path):
    rows = [("Tom wohnt in Berlin.", "Now Tom lives in Berlin."), ("Ich sehe Tom.", "I see Tom in Berlin."),
            ("Ein blonder Mann.", "a blond-haired man.")] * 4
    write_csv(tmp_path / "train.csv", rows, header=("de", "en"))
    out = tmp_path / "tr"
    bertkit.train("translation", model=str(tiny_bert), train_file=str(tmp_path / "train.csv"),
                  columns={"source": "de", "target": "en"}, output=str(out), max_steps=2, batch_size=4,
                  lora=True, progress=False)
    meta = json.loads((out / "bertkit.json").read_text())
    assert meta["truecase"] == {"berlin": "Berlin", "tom": "Tom"}  # "I" and "Now" only start sentences
    task = bertkit.get_task("translation")
    from bertkit.families.base import Context

    ctx = Context(task, tokenizer=None, max_length=64, meta=meta)
    assert task.family.postprocess(ctx, [], [], ["tom ' s dog in berlin . a 3 - year - old"]) == \
        [{"text": "Tom's dog in Berlin. A 3-year-old"}]
    assert task.family.postprocess(Context(task, None, 64), [], [], ["tom ' s dog"]) == [{"text": "tom's dog"}]


def test_pairs_case_a_word_by_its_neighbour():
    texts = ["We flew to New York today.", "They love New York a lot.", "A new car and a new bike.",
             "Her new car is red."]
    table = build_table(texts)
    assert table["new york"] == "New" and table["york"] == "York" and "new" not in table
    assert recase("we like new york and a new car.", table) == "We like New York and a new car."
