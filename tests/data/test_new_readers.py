"""Readers for the data added for issue 10: SQuAD 2.0 explorer pages, Tatoeba, WikiText-2 train (CSV zip),
TEI novels, OntoNotes CoNLL-2012; each on a small synthetic file and (skipped when absent) the real one."""
import io
import tarfile
import zipfile

import pytest

from bertkit.data import DataError, read_text
from bertkit.data.conll2012 import bracket_tags, read_conll2012_ner, read_conll2012_srl
from bertkit.data.parallel import read_tatoeba
from bertkit.data.squad_html import find_answer, read_squad_explorer
from bertkit.data.tei import read_tei

PAGE = """<html><body><h1 id="title">Tiny_Article</h1><div class="para-wrap"><div class="row">
<div class="col-md-6"><pre>Paris is the capital of France &amp; its largest  city.</pre></div>
<div class="col-md-6 qas-wrap">
<div class="qa-wrap" data-id="q1"><p><strong class="question">What is the capital?</strong></p>
<ul><li><p><i>Ground Truth Answers: </i><span class="answer">Paris</span><span class="answer">FRANCE &amp; its</span>
<span class="answer">largest city</span><span class="answer">Berlin</span></p></li>
<li class="prediction-holder"><p><span class="prediction"></span></p></li></ul></div>
<div class="qa-wrap" data-id="q2"><p><strong class="question">Who won?</strong></p>
<ul><li><p><span class="no-answer">&lt;No Answer&gt;</span></p></li></ul></div>
</div></div></div></body></html>"""


def tar_of(path, members):
    with tarfile.open(path, "w:xz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_squad_explorer_recovers_offsets(tmp_path):
    path = tar_of(tmp_path / "pages.tar.xz", {"d/index.html": "<html><h1>SQuAD</h1></html>", "d/Tiny_Article.html": PAGE})
    stats = {}
    ds = read_squad_explorer(path, stats)
    assert ds.column_names == ["id", "title", "context", "question", "answers"]
    q1, q2 = ds[0], ds[1]
    assert q1["title"] == "Tiny_Article" and q1["context"].startswith("Paris is the capital of France & its")
    assert q1["answers"]["text"] == ["Paris", "FRANCE & its", "largest city", "Berlin"]
    starts = q1["answers"]["answer_start"]
    assert starts[0] == 0 and q1["context"][starts[1]:].startswith("France & its")  # case ignored
    assert q1["context"][starts[2]:].startswith("largest  city")  # white-space runs ignored
    assert starts[3] == -1  # not in the paragraph
    assert q2["answers"] == {"text": [], "answer_start": []}
    assert stats == dict(pages=1, paragraphs=1, questions=2, unanswerable=1, answers=4, answers_not_found=1,
                         questions_not_found=0)


def test_squad_explorer_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no SQuAD explorer pages"):
        read_squad_explorer(tmp_path / "empty")
    (tmp_path / "bad.tar.xz").write_bytes(b"not a tar")
    with pytest.raises(DataError, match="not a readable tar"):
        read_squad_explorer(tmp_path / "bad.tar.xz")
    assert find_answer("a b", "") == 0 and find_answer("abc", "zz") == -1


def test_squad_explorer_real(shared_data):
    stats = {}
    ds = read_squad_explorer(shared_data / "squad" / "squad-v2-dev-explorer-html.tar.xz", stats)
    assert (len(ds), stats["unanswerable"], stats["pages"], stats["paragraphs"]) == (11873, 5945, 35, 1204)
    assert stats["answers"] == 20302 and stats["answers_not_found"] == 0


def test_squad_v2_task_splits_by_the_v1_titles(shared_data):
    import bertkit

    v1, v2 = bertkit.get_task("squad"), bertkit.get_task("squad_v2")
    for split in ("train", "tune", "dev"):
        assert set(v2.load(split, shared_data)["title"]) <= set(v1.load(split, shared_data)["title"])
    dev = v2.load("dev", shared_data)
    assert len(dev) == 3954 and sum(not a["text"] for a in dev["answers"]) == 2058


def test_tatoeba(write, tmp_path):
    path = tmp_path / "deu-eng.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("deu.txt", "Hi.\tHallo!\tCC-BY 2.0 (France)\nRun!\tLauf!\t#1\n")
        zf.writestr("_about.txt", "about")
    ds = read_tatoeba(path)
    assert ds.to_dict() == {"source": ["Hallo!", "Lauf!"], "target": ["Hi.", "Run!"]}
    assert len(read_tatoeba(write("deu.txt", "Hi.\tHallo!\nRun!\tLauf!\n"), max_rows=1)) == 1
    with pytest.raises(DataError, match="line 2"):
        read_tatoeba(write("bad.txt", "Hi.\tHallo!\nno tab here\n"))


def test_tatoeba_real(shared_data):
    ds = read_tatoeba(shared_data / "translation" / "tatoeba" / "deu-eng.zip")
    assert len(ds) == 169813 and ds[0] == {"source": "Hallo!", "target": "Hi."}


def test_translation_news_splits(shared_data):
    import bertkit

    task = bertkit.get_task("translation")
    tune, test = task.load("news_tune", shared_data), task.load("news_test", shared_data)
    assert len(tune) == len(test) == 1500 and not set(tune["source"]) & set(test["source"])


def test_wikitext_csv_zip(tmp_path):
    path = tmp_path / "wt.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("wikitext-2/wiki.train.tokens", '" \n = Title = \n \n The cat sat @-@ down . \n ""Quoted"" word \n"\n')
    ds = read_text(path)
    assert ds["text"] == ["The cat sat-down .", '"Quoted" word']
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("x.txt", "a")
    with pytest.raises(DataError, match="wiki.train.tokens"):
        read_text(tmp_path / "other.zip")


def test_wikitext_train_real(shared_data):
    ds = read_text(shared_data / "wikitext" / "wikitext-2-train-csv.zip")
    assert len(ds) == 17556 and ds[0]["text"].startswith("The 2013 – 14 season was the [UNK] season")


TEI = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><title>Header text</title></teiHeader>
<text><front><p>Front matter</p></front><body><div><head>CHAPTER I</head>
<p>It was a dark<note>An editor's note</note> and stormy <pb n="2"/>night.</p>
<lg><l>A verse line,</l><l>and another.</l></lg><p>   </p></div></body></text></TEI>"""


def test_tei(write, tmp_path):
    ds = read_tei(write("novel.xml", TEI))
    assert ds["text"] == ["It was a dark and stormy night.", "A verse line,and another."]
    assert ds["document"] == ["novel.xml", "novel.xml"]
    path = tar_of(tmp_path / "novels.tar.xz", {"x/b.xml": TEI, "x/a.xml": TEI.replace("dark", "bright")})
    assert read_tei(path)["text"][0] == "It was a bright and stormy night."  # name order
    with pytest.raises(DataError, match="no <body>"):
        read_tei(write("header.xml", "<TEI><teiHeader/></TEI>"))
    with pytest.raises(DataError, match="not well-formed"):
        read_tei(write("broken.xml", "<TEI><body><p>x</body>"))


def test_tei_real(shared_data):
    ds = read_tei(shared_data / "text" / "eltec-eng.tar.xz", max_documents=3)
    assert len(set(ds["document"])) == 3 and len(ds) > 1000
    assert not any("teiHeader" in t or "Project Gutenberg eBook" in t for t in ds["text"][:50])


CONLL2012 = """#begin document (nw/x/00/x_0001); part 000
nw/x_0001 0 0 John NNP (TOP(S(NP*) - - - - (PERSON*) (ARG0*) * -
nw/x_0001 0 1 sold VBD (VP* sell 01 - - * (V*) * -
nw/x_0001 0 2 the DT (NP* - - - - * (ARG1* * -
nw/x_0001 0 3 farm NN *) farm - - - * *) (V*) -
nw/x_0001 0 4 -LRB- -LRB- * - - - - * * * -
nw/x_0001 0 5 Iowa NNP * - - - - (GPE*) * (ARGM-LOC*) -
nw/x_0001 0 6 -RRB- -RRB- *)) - - - - * * * -

nw/x_0001 0 0 Hi UH (TOP*) - - - - * -
#end document
"""


def test_conll2012(write):
    path = write("x.gold_conll", CONLL2012)
    srl = read_conll2012_srl(path)
    assert len(srl) == 2
    first = srl[0]
    assert first["tokens"] == ["John", "sold", "the", "farm", "(", "Iowa", ")"]
    assert first["predicate_index"] == 1 and first["predicate_sense"] == "sell.01"
    assert first["tags"] == ["B-ARG0", "B-V", "B-ARG1", "I-ARG1", "O", "O", "O"]
    assert first["text"] == "John sold the farm (Iowa)"
    assert srl[1]["tags"][3] == "B-V" and srl[1]["tags"][5] == "B-ARGM-LOC"
    ner = read_conll2012_ner(path)
    assert ner["tags"] == [["B-PERSON", "O", "O", "O", "O", "B-GPE", "O"], ["O"]]
    assert ner["has_ner"] == [True, False]
    with pytest.raises(DataError, match="never closed"):
        bracket_tags("f", 1, ["(ARG0*", "*"])
    with pytest.raises(DataError, match="never opened"):
        bracket_tags("f", 1, ["*)"])
    with pytest.raises(DataError, match="at least 12 columns"):
        read_conll2012_srl(write("short.gold_conll", "a b c\n"))


def test_conll2012_real(shared_data):
    ner = read_conll2012_ner(shared_data / "ontonotes" / "development.tar.xz")
    assert len(ner) == 15680  # PROVENANCE: development 15,680 sentences
    srl = read_conll2012_srl(shared_data / "ontonotes" / "development.tar.xz")
    assert len(srl) > 30000 and all(t.count("B-V") == 1 for t in srl["tags"][:1000])


SICK = ("pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\n"
        "1\tA man runs.\tA person runs.\t4.5\tENTAILMENT\n2\tA cat sleeps.\tA dog barks.\t1.2\tNEUTRAL\n"
        "3\tA man runs.\tNobody runs.\t3.1\tCONTRADICTION\n")


def test_sick(write):
    from bertkit.data.sick import read_sick

    path = write("SICK_train.txt", SICK)
    two = read_sick(path)
    assert two.column_names == ["idx", "text", "text_pair", "label"] and two["label"] == [0, 1, 1]
    assert read_sick(path, labels=("entailment", "neutral", "contradiction"))["label"] == [0, 1, 2]
    assert read_sick(path, target="relatedness")["label"] == pytest.approx([4.5, 1.2, 3.1])
    with pytest.raises(DataError, match="line 2"):
        read_sick(write("bad.txt", SICK.replace("ENTAILMENT\n", "MAYBE\n", 1)))
    with pytest.raises(DataError, match="header"):
        read_sick(write("nohead.txt", "1\ta\tb\t1\tNEUTRAL\n"))


def test_sick_real(shared_data):
    from bertkit.data.sick import read_sick

    train = read_sick(shared_data / "sick" / "SICK_train.txt")
    trial = read_sick(shared_data / "sick" / "SICK_trial.txt")
    assert (len(train), len(trial)) == (4500, 500)


def test_fill_mask_trains_on_wikitext_train_and_a_capped_share_of_novels(tmp_path, monkeypatch):
    import bertkit
    from bertkit.tasks import fill_mask

    (tmp_path / "wikitext").mkdir()
    (tmp_path / "wikitext" / "wiki.valid.tokens").write_text("".join(f" Valid line {k} .\n" for k in range(40)))
    with zipfile.ZipFile(tmp_path / "wikitext" / "wikitext-2-train-csv.zip", "w") as zf:
        zf.writestr("wikitext-2/wiki.train.tokens", '" \n = Title = \n The train line . \n"\n')
    (tmp_path / "text").mkdir()
    tar_of(tmp_path / "text" / "eltec-eng.tar.xz",
           {"e/a.xml": TEI, "e/b.xml": TEI.replace("dark", "second novel's")})
    monkeypatch.setattr(fill_mask, "ELTEC_NOVELS", 1)
    task = bertkit.get_task("fill-mask")
    train = task.load("train", tmp_path)["text"]
    assert "The train line ." in train and "It was a dark and stormy night." in train
    assert not any("second novel" in t for t in train)  # only the first ELTEC_NOVELS novels
    tune = task.load("tune", tmp_path)["text"]
    assert tune == ["Valid line 38 .", "Valid line 39 ."] and not set(tune) & set(train)


def test_srl_train_adds_ontonotes_in_the_task_label_set(tmp_path):
    """srl's train split: EWT rows (repeated) + OntoNotes rows, PNC renamed PRP, unknown roles dropped."""
    import io
    import tarfile

    from test_readers import BUSH

    import bertkit
    from bertkit.tasks import srl

    ewt = tmp_path / "srl" / "en_ewt-up-dev.conllu"
    ewt.parent.mkdir()
    ewt.write_text("".join(f"# sent_id = s{i}\n# text = x\n{BUSH}\n" for i in range(10)))  # s0 tunes
    task = bertkit.get_task("srl")
    alone = task.load("train", tmp_path)
    assert len(alone) == 9 * 2 and len(task.load("tune", tmp_path)) == 2  # two predicates a sentence
    onto = CONLL2012.replace("(ARGM-LOC*)", "(ARGM-PNC*)").replace("(ARG1* *", "(ARGM-PRX* *")
    member = tarfile.TarInfo("train/data/x.gold_conll")
    member.size = len(onto.encode())
    (tmp_path / "ontonotes").mkdir()
    with tarfile.open(tmp_path / "ontonotes" / "train.tar.xz", "w:xz") as tar:
        tar.addfile(member, io.BytesIO(onto.encode()))
    train = task.load("train", tmp_path)
    assert len(train) == srl.EWT_REPEAT * len(alone) + 2
    john, farm = train[-2], train[-1]
    assert john["tokens"][:2] == ["John", "sold"] and john["predicate_index"] == 1
    assert john["tags"] == ["B-ARG0", "B-V", "O", "O", "O", "O", "O"]  # ARGM-PRX: not a Universal PropBank role
    assert farm["tags"][5] == "B-ARGM-PRP"  # ARGM-PNC under its Universal PropBank name
    assert set(t for tags in train["tags"] for t in tags) <= set(task.labels)
