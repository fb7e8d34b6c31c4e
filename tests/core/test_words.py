"""The raw-text word splitter (treebank / CoNLL-2003 style) and the raw-text scores of tagging."""
import pytest

import bertkit
from bertkit.families.words import detokenize, split_words, token_offsets


def words(text):
    return [w for w, _, _ in split_words(text)]


@pytest.mark.parametrize("text, expected", [
    ("J. K. Rowling lives in Washington D.C. now.", ["J.", "K.", "Rowling", "lives", "in", "Washington", "D.C.",
                                                    "now", "."]),
    ("The U.S. team beat Durham at Chester-le-Street.", ["The", "U.S.", "team", "beat", "Durham", "at",
                                                         "Chester-le-Street", "."]),
    ("Shares rose 3.5 percent to 1,000 yen, he said.", ["Shares", "rose", "3.5", "percent", "to", "1,000", "yen",
                                                        ",", "he", "said", "."]),
    ("I don't think Clinton's plan works; they're wrong!", ["I", "do", "n't", "think", "Clinton", "'s", "plan", "works",
                                                           ";", "they", "'re", "wrong", "!"]),
    ('He said: "Acme Inc. (NYSE) paid $2.5 million."', ["He", "said", ":", '"', "Acme", "Inc.", "(", "NYSE", ")",
                                                       "paid", "$", "2.5", "million", ".", '"']),
    ("Prices in US$100 lots at 9:30 a.m.", ["Prices", "in", "US$", "100", "lots", "at", "9:30", "a.m", "."]),
    ("O'Brien arrived at 5 o'clock...", ["O'Brien", "arrived", "at", "5", "o'clock", "..."]),
    ("1. Michael Schumacher ( Germany ) won 1.", ["1.", "Michael", "Schumacher", "(", "Germany", ")", "won", "1", "."]),
])
def test_split_words_keeps_what_the_treebank_keeps(text, expected):
    assert words(text) == expected


def test_offsets_index_the_text():
    text = "  Mr. Smith's  car, (in Paris)  "
    for word, start, end in split_words(text):
        assert text[start:end] == word
    assert split_words("") == [] and split_words("   ") == []


def test_detokenize_spaces_like_english_and_keeps_offsets():
    tokens = ["He", "said", '"', "no", '"', ",", "and", "did", "n't", "pay", "$", "5", "(", "U.S.", ")", "."]
    text, offsets = detokenize(tokens)
    assert text == 'He said "no", and didn\'t pay $5 (U.S.).'
    assert [text[a:b] for a, b in offsets] == tokens
    assert words(text) == tokens  # the splitter undoes it


def test_token_offsets_find_tokens_and_multiword_tokens():
    text = "I won't go, gonna stay."
    tokens = ["I", "wo", "n't", "go", ",", "gon", "na", "stay", "."]
    offsets = token_offsets(text, tokens)
    assert [text[a:b] for a, b in offsets] == tokens
    assert token_offsets("Hello there", ["Hello", "XYZ"]) == [(0, 5), (6, 11)]  # not written: up to the space


def test_splitter_recovers_conll_tokens(shared_data):
    """Detokenised eng.train sentences split back into their gold tokens (the rules came from this file)."""
    from bertkit.data import read_conll2003

    sentences = read_conll2003(shared_data / "conll2003" / "eng.train")["tokens"]
    exact = 0
    for tokens in sentences:
        text, offsets = detokenize(tokens)
        exact += [(a, b) for _, a, b in split_words(text)] == offsets
    assert exact / len(sentences) > 0.995


@pytest.fixture
def shared_data():
    from bertkit.data_dir import data_dir

    path = data_dir()
    if not (path / "conll2003" / "eng.train").exists():
        pytest.skip(f"CoNLL-2003 not found under {path}")
    return path


def test_ner_scoring_reports_the_raw_text_path(tiny_bert):
    import datasets

    ner = bertkit.load("ner", str(tiny_bert))
    ds = datasets.Dataset.from_dict({"id": ["0", "1"], "tokens": [["J.", "Smith", "won", "."], ["In", "U.S.", "."]],
                                     "tags": [["B-PER", "I-PER", "O", "O"], ["O", "B-LOC", "O"]]})
    outputs = ner(ner.task.family.to_inputs(ner.task, ds))
    assert outputs[0]["raw_text"]["text"] == "J. Smith won."
    assert [w["text"] for w in outputs[0]["raw_text"]["words"]] == ["J.", "Smith", "won", "."]
    scores = ner.task.family.score(ner.task, outputs, ds)
    for key in ("raw_text_overall_precision", "raw_text_overall_recall", "raw_text_overall_f1"):
        assert 0.0 <= scores[key] <= 1.0
    assert "raw_text" not in ner("J. Smith won.")  # only scoring inputs carry the raw view


def test_srl_scoring_reports_the_raw_text_path(tiny_bert):
    import datasets

    srl = bertkit.load("srl", str(tiny_bert))
    ds = datasets.Dataset.from_dict({
        "id": ["s:1"], "tokens": [["Mary", "did", "n't", "sell", "it", "."]], "predicate_index": [3],
        "predicate_sense": ["sell.01"], "tags": [["B-ARG0", "O", "B-ARGM-NEG", "B-V", "B-ARG1", "O"]],
        "text": ["Mary didn't sell it."]})
    outputs = srl(srl.task.family.to_inputs(srl.task, ds))
    frame = outputs[0]["raw_text"]["frames"][0]
    assert frame["predicate"]["text"] == "sell" and frame["predicate"]["start"] == 12
    scores = srl.task.family.score(srl.task, outputs, ds)
    assert {"raw_text_precision", "raw_text_recall", "raw_text_f1"} <= set(scores)
