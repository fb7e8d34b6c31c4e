"""Readers on small files the tests write: exact values on happy paths, and every error path's message
(file, line, problem)."""
import hashlib
import json
import math
import time
import zipfile

import datasets
import pytest

from bertkit.data import (
    CONLL2003_LABELS, HUB_IDS, PROPBANK_ROLES, DataError, conll2003_to_canonical, glue_to_canonical,
    load_hub_dataset, read_conll2003, read_glue, read_parallel, read_propbank, read_squad, read_text,
    read_user_file, split_squad_by_article, srl_label_names,
)
from bertkit.data import hub


def error_of(fn, *args, **kwargs):
    with pytest.raises(DataError) as info:
        fn(*args, **kwargs)
    return info.value


# --- DataError -------------------------------------------------------------------------------------

def test_data_error_message_and_attributes():
    err = DataError("dev.tsv", "label 'x' not in ['a']", 3)
    assert str(err) == "dev.tsv, line 3: label 'x' not in ['a']"
    assert (err.path, err.line, err.problem) == ("dev.tsv", 3, "label 'x' not in ['a']")
    assert isinstance(err, ValueError)
    assert str(DataError("f.json", "missing key 'data'")) == "f.json: missing key 'data'"


# --- GLUE ------------------------------------------------------------------------------------------

def test_cola_without_header(write):
    path = write("train.tsv", "gj04\t1\t\tThe cat sat.\ngj04\t0\t*\tCat the sat \"oops.\n")
    ds = read_glue(path, "cola")
    assert ds.column_names == ["idx", "text", "label"]
    assert ds["idx"][:] == [0, 1] and ds["label"][:] == [1, 0]
    assert ds["text"][:] == ["The cat sat.", 'Cat the sat "oops.']


def test_cola_test_file_has_index_and_no_labels(write):
    ds = read_glue(write("test.tsv", "index\tsentence\n7\tBill whistled.\n"), "cola")
    assert ds[0] == {"idx": 7, "text": "Bill whistled.", "label": -1}


def test_mrpc_bom_header_and_unmatched_quote(write):
    text = "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t11\t22\tHe said so.\t\"He did.\n"
    ds = read_glue(write("train.tsv", text), "mrpc")
    assert ds[0] == {"idx": 0, "text": "He said so.", "text_pair": '"He did.', "label": 1}


def test_string_labels_map_through_label_names(write):
    path = write("dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n1\tC.\tD.\tnot_entailment\n")
    assert read_glue(path, "rte")["label"][:] == [0, 1]  # default: the hub's order
    assert read_glue(path, "rte", ["not_entailment", "entailment"])["label"][:] == [1, 0]


def test_qnli_and_hub_like_header(write):
    ds = read_glue(write("dev.tsv", "index\tquestion\tsentence\tlabel\n3\tWho?\tHe.\tentailment\n"), "qnli")
    assert ds[0] == {"idx": 3, "text": "Who?", "text_pair": "He.", "label": 0}
    ds = read_glue(write("hub.tsv", "sentence1\tsentence2\tlabel\nA.\tB.\t1\n"), "mrpc")
    assert ds[0] == {"idx": 0, "text": "A.", "text_pair": "B.", "label": 1}
    ds = read_glue(write("sst.tsv", "sentence\tlabel\nfine .\t1\n"), "sst2", ["negative", "positive"])
    assert ds[0] == {"idx": 0, "text": "fine .", "label": 1}


def test_stsb_scores_and_unlabelled_test(write):
    head = "index\tgenre\tsentence1\tsentence2"
    ds = read_glue(write("dev.tsv", f"{head}\tscore\n0\tnews\tA.\tB.\t3.800\n"), "stsb")
    assert ds.features["label"].dtype == "float32"
    assert ds[0]["label"] == pytest.approx(3.8) and ds[0]["text_pair"] == "B."
    assert math.isnan(read_glue(write("test.tsv", f"{head}\n0\tnews\tA.\tB.\n"), "stsb")[0]["label"])


def test_glue_wrong_column_count(write):
    path = write("dev.tsv", "sentence\tlabel\nok\t1\ntoo\tmany\t1\n")
    err = error_of(read_glue, path, "sst2")
    assert (err.path, err.line) == (str(path), 3)
    assert err.problem == "expected 2 tab-separated columns, found 3"


def test_glue_missing_header_column(write):
    path = write("dev.tsv", "index\tsentence1\tlabel\n0\tA.\t1\n")
    err = error_of(read_glue, path, "rte")
    assert str(err) == (f"{path}, line 1: missing column(s) ['sentence2'] for task 'rte'; "
                        "the header has ['index', 'sentence1', 'label']")


def test_glue_unknown_label(write):
    path = write("dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n1\tA.\tB.\tmaybe\n")
    err = error_of(read_glue, path, "rte", ["entailment", "not_entailment"])
    assert str(err) == f"{path}, line 3: label 'maybe' not in ['entailment', 'not_entailment']"
    err = error_of(read_glue, write("cola.tsv", "gj04\t2\t\tX.\n"), "cola")
    assert err.line == 1 and err.problem == "label '2' not in ['unacceptable', 'acceptable']"


@pytest.mark.parametrize("score", ["5.5", "-1", "high", "nan"])
def test_stsb_bad_score(write, score):
    path = write("dev.tsv", f"sentence1\tsentence2\tscore\nA.\tB.\t{score}\n")
    err = error_of(read_glue, path, "stsb")
    assert (err.line, err.problem) == (2, f"score {score!r} is not a number in [0, 5]")


def test_glue_bad_index_unknown_task_and_empty_file(write):
    err = error_of(read_glue, write("t.tsv", "index\tsentence\nx1\tHi.\n"), "sst2")
    assert (err.line, err.problem) == (2, "index 'x1' is not an integer")
    with pytest.raises(ValueError, match="unknown GLUE task 'mnli'"):
        read_glue(write("m.tsv", "x\n"), "mnli")
    assert error_of(read_glue, write("e.tsv", ""), "sst2").problem == "the file is empty"
    err = error_of(read_glue, write("big.tsv", "sentence\tlabel\nok\t1\n" + "x" * 200_000 + "\t1\n"), "SST-2")
    assert err.line == 3 and err.problem.startswith("malformed TSV: field larger than field limit")
    assert error_of(read_glue, "/no/such/dev.tsv", "sst2").problem == "file not found"


# --- SQuAD -----------------------------------------------------------------------------------------

SQUAD_V1 = {"version": "1.1", "data": [{"title": "Cats", "paragraphs": [{
    "context": "Cats purr. Dogs bark.",
    "qas": [{"id": "q1", "question": "Who purrs?", "answers": [{"text": "Cats", "answer_start": 0}]},
            {"id": "q2", "question": "Who barks?", "answers": [{"text": "Dogs", "answer_start": 11},
                                                              {"text": "Dogs bark", "answer_start": 11}]}]}]}]}


def test_squad_v1(write):
    ds = read_squad(write("dev.json", json.dumps(SQUAD_V1)))
    assert ds.column_names == ["id", "title", "context", "question", "answers"]
    assert ds[1] == {"id": "q2", "title": "Cats", "context": "Cats purr. Dogs bark.", "question": "Who barks?",
                     "answers": {"text": ["Dogs", "Dogs bark"], "answer_start": [11, 11]}}


def test_squad_v2_impossible_and_zip(tmp_path):
    data = {"version": "v2.0", "data": [{"title": "T", "paragraphs": [{"context": "abc", "qas": [
        {"id": "x", "question": "q?", "answers": [], "plausible_answers": [{"text": "a", "answer_start": 0}],
         "is_impossible": True}]}]}]}
    path = tmp_path / "dev-v2.0.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("dev-v2.0.json", json.dumps(data))
    assert read_squad(path)[0]["answers"] == {"text": [], "answer_start": []}


def test_squad_zip_needs_exactly_one_json(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.json", "{}")
        zf.writestr("b.json", "{}")
    err = error_of(read_squad, path)
    assert err.problem == "the zip must hold exactly one .json file; it holds ['a.json', 'b.json']"


def test_squad_bad_json_names_line(write):
    path = write("dev.json", '{"data": [\n  {"title": "T",\n   "paragraphs": [}\n]}')
    err = error_of(read_squad, path)
    assert err.line == 3 and err.problem.startswith("invalid JSON: ")


def test_squad_missing_keys(write):
    broken = json.loads(json.dumps(SQUAD_V1))
    del broken["data"][0]["paragraphs"][0]["qas"][1]["answers"]
    err = error_of(read_squad, write("dev.json", json.dumps(broken)))
    assert err.problem == "question 'q2': missing key 'answers'"
    del broken["data"][0]["paragraphs"][0]["qas"][0]["id"]
    err = error_of(read_squad, write("dev2.json", json.dumps(broken)))
    assert err.problem == "article 'Cats' paragraph 0 question 0: missing key 'id'"
    assert error_of(read_squad, write("x.json", "[]")).problem == "top level: missing key 'data'"


def test_squad_answer_start_outside_context(write):
    broken = json.loads(json.dumps(SQUAD_V1))
    broken["data"][0]["paragraphs"][0]["qas"][0]["answers"][0]["answer_start"] = 99
    err = error_of(read_squad, write("dev.json", json.dumps(broken)))
    assert err.problem == "question 'q1': answer_start 99 is not an offset into the context"


def test_split_by_article_follows_the_documented_rule():
    titles = [f"title{i}" for i in range(10) for _ in range(i + 1)]
    ds = datasets.Dataset.from_dict({"title": titles, "id": [str(i) for i in range(len(titles))]})
    train, held = split_squad_by_article(ds, 0.3)
    ordered = sorted(set(titles), key=lambda t: hashlib.sha256(t.encode()).hexdigest())
    expected, taken = [], 0
    for title in ordered:  # titles in hash order until 30 % of the questions are held out
        if taken >= 0.3 * len(titles):
            break
        expected.append(title)
        taken += titles.count(title)
    assert sorted(set(held["title"])) == sorted(expected) and len(held) >= 0.3 * len(titles)
    assert not set(train["title"]) & set(held["title"]) and len(train) + len(held) == len(ds)
    with pytest.raises(ValueError):
        split_squad_by_article(ds, 1.5)


# --- CoNLL-2003 ------------------------------------------------------------------------------------

CONLL = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER
"""


def test_conll2003(write):
    ds = read_conll2003(write("eng.train", CONLL), CONLL2003_LABELS)
    assert ds[:] == {"id": ["0", "1"], "tokens": [["EU", "rejects", "German"], ["Peter", "Blackburn"]],
                     "tags": [["B-ORG", "O", "B-MISC"], ["B-PER", "I-PER"]]}


def test_conll2003_iob1_becomes_iob2(write):
    text = "U.N. NNP I-NP I-ORG\nofficial NN I-NP O\nEkeus NNP I-NP I-PER\nheads VBZ I-VP O\n" \
           "Rolf NNP I-NP I-PER\nB NNP I-NP B-PER\nC NNP I-NP I-PER\n"
    assert read_conll2003(write("iob1.txt", text))["tags"][0] == \
        ["B-ORG", "O", "B-PER", "O", "B-PER", "B-PER", "I-PER"]


def test_conll2003_errors(write):
    path = write("bad.txt", "EU NNP B-NP B-ORG\n\nPeter NNP B-NP B-PERSON\n")
    err = error_of(read_conll2003, path, CONLL2003_LABELS)
    assert str(err) == f"{path}, line 3: tag 'B-PERSON' not in {CONLL2003_LABELS}"
    err = error_of(read_conll2003, write("one.txt", "EU B-ORG\nlonely\n"))
    assert (err.line, err.problem) == (2, "expected a token and a tag, found 'lonely'")


# --- PropBank --------------------------------------------------------------------------------------

def conllu(rows):
    """CoNLL-U Plus lines from (id, form, upos, head, roleset, *argument cells)."""
    return "".join(f"{i}\t{form}\t{form.lower()}\t{upos}\t_\t_\t{head}\tdep\t_\t_\t{roleset}\t" + "\t".join(args) + "\n"
                   for i, form, upos, head, roleset, *args in rows)


BUSH = conllu([
    (1, "President", "PROPN", 5, "_", "ARG0", "_"), (2, "Bush", "PROPN", 1, "_", "_", "_"),
    (3, "on", "ADP", 4, "_", "_", "_"), (4, "Tuesday", "PROPN", 5, "_", "ARGM-TMP", "_"),
    (5, "nominated", "VERB", 0, "nominate.01", "V", "_"), (6, "two", "NUM", 7, "_", "_", "_"),
    (7, "individuals", "NOUN", 5, "_", "ARG1", "ARG0"), (8, "to", "PART", 9, "_", "_", "_"),
    (9, "replace", "VERB", 5, "replace.01", "ARG2", "V"), (10, "retiring", "VERB", 11, "_", "_", "_"),
    (11, "jurists", "NOUN", 9, "_", "_", "ARG1"), (12, "on", "ADP", 14, "_", "_", "_"),
    (13, "federal", "ADJ", 14, "_", "_", "_"), (14, "courts", "NOUN", 11, "_", "_", "_"),
    (15, "in", "ADP", 18, "_", "_", "_"), (16, "the", "DET", 18, "_", "_", "_"),
    (17, "Washington", "PROPN", 18, "_", "_", "_"), (18, "area", "NOUN", 14, "_", "_", "_"),
    (19, ".", "PUNCT", 5, "_", "_", "_"),
])
# A multiword-token line, an empty node, a phrasal particle marked V, and nested argument heads.
DOGS = "1-2\tBigdogs\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\n" + conllu([
    (1, "Big", "ADJ", 2, "_", "ARGM-ADJ"), (2, "dogs", "NOUN", 3, "_", "ARG0"),
    (3, "broke", "VERB", 0, "break_through.26", "V"), (4, "through", "ADP", 3, "_", "V"),
    (5, ",", "PUNCT", 3, "_", "_"), (6, "loudly", "ADV", 3, "_", "ARGM-MNR"),
]) + "6.1\tgone\tgo\tVERB\t_\t_\t_\t_\t3:conj\t_\t_\t_\n" + conllu([(7, ".", "PUNCT", 3, "_", "_")])
NO_PREDICATE = "1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_\t_\t\n"


def spans(row):
    """{role: text} of a BIO tag sequence."""
    out = {}
    for token, tag in zip(row["tokens"], row["tags"]):
        if tag.startswith("B-"):
            role = tag[2:]
            out[role] = token
        elif tag.startswith("I-"):
            out[tag[2:]] += " " + token
    return out


def test_propbank_expands_heads_to_spans(write):
    path = write("up.conllu", f"# sent_id = s1\n# text = President Bush ...\n{BUSH}\n{NO_PREDICATE}\n# sent_id = s3\n{DOGS}")
    ds = read_propbank(path)
    assert ds["id"][:] == ["s1:4", "s1:8", "s3:2"]
    assert ds["predicate_index"][:] == [4, 8, 2]
    assert ds["predicate_sense"][:] == ["nominate.01", "replace.01", "break_through.26"]
    assert spans(ds[0]) == {"ARG0": "President Bush", "ARGM-TMP": "on Tuesday", "V": "nominated",
                            "ARG1": "two individuals",
                            "ARG2": "to replace retiring jurists on federal courts in the Washington area"}
    assert ds[0]["tags"][-1] == "O"  # the final PUNCT is trimmed
    assert spans(ds[1]) == {"ARG0": "two individuals", "V": "replace",
                            "ARG1": "retiring jurists on federal courts in the Washington area"}
    assert ds[2]["tokens"] == ["Big", "dogs", "broke", "through", ",", "loudly", "."]
    # "Big" (ARGM-ADJ, shorter) wins over the ARG0 subtree "Big dogs"; the particle becomes C-V.
    assert ds[2]["tags"] == ["B-ARGM-ADJ", "B-ARG0", "B-V", "B-C-V", "O", "B-ARGM-MNR", "O"]


def test_propbank_label_names():
    names = srl_label_names()
    assert names[:4] == ["O", "B-V", "B-ARG0", "I-ARG0"] and len(names) == 2 + 2 * len(PROPBANK_ROLES)
    assert {"ARGA", "ARGM-TMP", "C-ARG1", "R-ARG0", "C-V"} <= set(PROPBANK_ROLES)
    assert PROPBANK_ROLES == sorted(PROPBANK_ROLES)


def test_propbank_unknown_role(write):
    path = write("up.conllu", "# sent_id = s1\n" + BUSH.replace("ARGM-TMP", "ARGM-WHEN"))
    err = error_of(read_propbank, path)
    assert str(err) == f"{path}, line 5: unknown role 'ARGM-WHEN' in argument column 1"


def test_propbank_missing_argument_column(write):
    path = write("up.conllu", conllu([(1, "Dogs", "NOUN", 2, "_", "ARG0")]) + "2\tbark\tbark\tVERB\t_\t_\t0\troot\t_\t_\tbark.01\n")
    err = error_of(read_propbank, path)
    assert (err.line, err.problem) == (2, "expected 12 tab-separated columns (the sentence has 1 predicates), found 11")
    err = error_of(read_propbank, write("short.conllu", "1\tDogs\tdog\n"))
    assert (err.line, err.problem) == (1, "expected at least 11 tab-separated columns, found 3")


# --- parallel text ---------------------------------------------------------------------------------

def test_parallel_plain_and_gz(write):
    ds = read_parallel(write("train.de.gz", "Hallo Welt.\n\nZwei\n"), write("train.en", "Hello world.\n\nTwo\n"))
    assert ds[:] == {"source": ["Hallo Welt.", "", "Zwei"], "target": ["Hello world.", "", "Two"]}


def test_parallel_line_count_mismatch(write):
    src, tgt = write("a.de", "1\n2\n3\n"), write("a.en", "1\n2\n")
    assert str(error_of(read_parallel, src, tgt)) == \
        f"{src}: 3 lines, but the target file {tgt} has 2 lines; the files must be line-aligned"


def test_parallel_bad_utf8_names_line(write):
    src = write("b.de", b"ok\nok\n\xff\xfe bad\n")
    err = error_of(read_parallel, src, write("b.en", "1\n2\n3\n"))
    assert (err.path, err.line) == (str(src), 3) and err.problem.startswith("not valid UTF-8 text")


# --- running text ----------------------------------------------------------------------------------

def test_wikitext_tokens(write):
    text = " \n = Lobster = \n \n The 1 @,@ 000 @-@ year old <unk> is 2 @.@ 5 m . \n \n = = Range = = \n Sea . \n"
    assert read_text(write("wiki.valid.tokens", text))["text"][:] == \
        ["The 1,000-year old [UNK] is 2.5 m .", "Sea ."]


def test_plain_text_paragraphs_and_lines(write):
    path = write("play.txt", "First Citizen:\nSpeak.\n\nAll:\nSpeak, speak.\n")
    assert read_text(path)["text"][:] == ["First Citizen: Speak.", "All: Speak, speak."]
    assert read_text(path, mode="lines")["text"][:] == ["First Citizen:", "Speak.", "All:", "Speak, speak."]
    assert read_text(write("lines.txt", "one\ntwo\n"))["text"][:] == ["one", "two"]
    assert error_of(read_text, write("empty.txt", "\n\n")).problem == "no text in the file"


# --- user files ------------------------------------------------------------------------------------

def test_user_csv_with_column_map(write):
    path = write("reviews.csv", 'review,stars,extra\n"Great, really",5,x\n"Two\nlines",1,y\n')
    ds = read_user_file(path, {"text": "review", "label": "stars"}, ["text", "label"])
    assert ds[:] == {"text": ["Great, really", "Two\nlines"], "label": ["5", "1"]}


def test_user_tsv_jsonl_and_json_list(write):
    ds = read_user_file(write("d.tsv", 'text\tlabel\n"quoted\t1\n'), None, ["text", "label"])
    assert ds[0] == {"text": '"quoted', "label": "1"}
    ds = read_user_file(write("d.jsonl", '{"q": "Who?", "label": 2}\n\n{"q": "Why?", "label": 0}\n'),
                        {"text": "q"}, ["text", "label"])
    assert ds[:] == {"text": ["Who?", "Why?"], "label": [2, 0]}
    ds = read_user_file(write("d.json", '[{"text": "a"}, {"text": "b"}]'), None, ["text"])
    assert ds["text"][:] == ["a", "b"]


def test_user_file_errors(write, tmp_path):
    assert str(error_of(read_user_file, tmp_path / "none.csv", None, ["text"])) == f"{tmp_path / 'none.csv'}: file not found"
    err = error_of(read_user_file, write("d.xlsx", "x"), None, ["text"])
    assert err.problem == "unknown file type '.xlsx'; accepted: .csv, .tsv, .jsonl, .json"
    err = error_of(read_user_file, write("d.csv", "review,stars\nok,5\n"), {"label": "stars"}, ["text", "label"])
    assert (err.line, err.problem) == (1, "missing column 'text' (for 'text'); the file has columns ['review', 'stars']")
    err = error_of(read_user_file, write("d.jsonl", '{"text": "a"}\n{"text": "b",}\n'), None, ["text"])
    assert err.line == 2 and err.problem.startswith("invalid JSON: ")
    err = error_of(read_user_file, write("e.jsonl", '{"text": "a"}\n{"txt": "b"}\n'), None, ["text"])
    assert (err.line, err.problem) == (2, "record 2 has no column 'text' (for 'text')")
    err = error_of(read_user_file, write("f.csv", "text,label\na,1\nb\n"), None, ["text"])
    assert (err.line, err.problem) == (3, "expected 2 columns (the header has ['text', 'label']), found 1")
    err = error_of(read_user_file, write("g.jsonl", '{"text": "a"}\n[1]\n'), None, ["text"])
    assert (err.line, err.problem) == (2, "record 2 is a list, not a JSON object")


# --- hub -------------------------------------------------------------------------------------------

@pytest.fixture
def empty_caches(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "datasets")
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: ("loaded", a, k))
    return tmp_path


def test_hub_ids_are_the_known_ones():
    assert HUB_IDS == {"glue": "nyu-mll/glue", "squad": "rajpurkar/squad", "squad_v2": "rajpurkar/squad_v2",
                       "conll2003": "eriktks/conll2003", "multi30k": "bentrevett/multi30k"}


def test_hub_offline_and_not_cached_fails_fast(empty_caches, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.monotonic()
    err = error_of(load_hub_dataset, "glue", "rte")
    assert time.monotonic() - start < 2
    assert str(err) == ("nyu-mll/glue: the Hugging Face Hub is unreachable (offline); download the data and "
                        "pass --data-dir or --train-file/--validation-file")


def test_hub_offline_but_cached_loads(empty_caches, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    (empty_caches / "hub" / "datasets--rajpurkar--squad" / "snapshots").mkdir(parents=True)
    assert load_hub_dataset("squad") == ("loaded", ("rajpurkar/squad", None), {"split": "validation"})


def test_hub_unreachable_fails_fast(empty_caches, monkeypatch):
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)

    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(hub.socket, "create_connection", refuse)
    start = time.monotonic()
    assert error_of(load_hub_dataset, "bentrevett/multi30k").path == "bentrevett/multi30k"
    assert time.monotonic() - start < 2


def test_hub_schema_converters():
    glue = datasets.Dataset.from_dict(
        {"question": ["Who?"], "sentence": ["He."], "label": [1], "idx": [0]},
        features=datasets.Features({"question": datasets.Value("string"), "sentence": datasets.Value("string"),
                                    "label": datasets.ClassLabel(names=["entailment", "not_entailment"]),
                                    "idx": datasets.Value("int32")}))
    assert glue_to_canonical(glue, "qnli")[0] == {"text": "Who?", "text_pair": "He.", "label": 1, "idx": 0}
    conll = datasets.Dataset.from_dict(
        {"id": ["0"], "tokens": [["EU", "rejects"]], "ner_tags": [[3, 0]]},
        features=datasets.Features({"id": datasets.Value("string"), "tokens": datasets.List(datasets.Value("string")),
                                    "ner_tags": datasets.List(datasets.ClassLabel(names=CONLL2003_LABELS))}))
    assert conll2003_to_canonical(conll)[0] == {"id": "0", "tokens": ["EU", "rejects"], "tags": ["B-ORG", "O"]}
