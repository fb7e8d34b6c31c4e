"""Readers on the real files of the shared data folder (counts from each folder's PROVENANCE.md)."""
import pytest

from bertkit.data import (
    CONLL2003_LABELS, PROPBANK_ROLES, read_conll2003, read_glue, read_parallel, read_propbank, read_squad,
    read_text, split_squad_by_article,
)

GLUE_COUNTS = [
    ("sst2", "SST-2/dev.tsv", 872, 0, "it 's a charming and often affecting journey . ", 1),
    ("sst2", "SST-2/test.tsv", 1821, 0, "uneasy mishmash of styles and genres .", -1),
    ("cola", "CoLA/train.tsv", 8551, 0, "Our friends won't buy this analysis, let alone the next one we propose.", 1),
    ("cola", "CoLA/dev.tsv", 1043, 0, "The sailors rode the breeze clear of the rocks.", 1),
    ("cola", "CoLA/test.tsv", 1063, 0, "Bill whistled past the house.", -1),
    ("mrpc", "MRPC/train.tsv", 3668, 0, 'Amrozi accused his brother, whom he called "the witness", of deliberately '
                                        "distorting his evidence.", 1),
    ("mrpc", "MRPC/dev.tsv", 408, 0, "He said the foodservice pie business doesn't fit the company's long-term "
                                     "growth strategy.", 1),
    ("stsb", "STS-B/dev.tsv", 1500, 0, "A man with a hard hat is dancing.", 5.0),
    ("stsb", "STS-B/train.tsv", 5749, 0, "A plane is taking off.", 5.0),
    ("rte", "RTE/dev.tsv", 277, 0, "Dana Reeve, the widow of the actor Christopher Reeve, has died of lung cancer "
                                   "at age 44, according to the Christopher Reeve Foundation.", 1),
    ("rte", "RTE/train.tsv", 2490, 0, "No Weapons of Mass Destruction Found in Iraq Yet.", 1),
    ("wnli", "WNLI/dev.tsv", 71, 0, "The drain is clogged with hair. It has to be cleaned.", 0),
    ("qnli", "QNLI/dev.tsv", 5463, 0, "What came into force after the new constitution was herald?", 0),
]


@pytest.mark.parametrize("task, name, rows, idx, text, label", GLUE_COUNTS, ids=[c[1] for c in GLUE_COUNTS])
def test_glue_files(shared_data, task, name, rows, idx, text, label):
    ds = read_glue(shared_data / "glue" / name, task)
    assert len(ds) == rows
    assert (ds[0]["idx"], ds[0]["text"], ds[0]["label"]) == (idx, text, label)


def test_glue_label_balance(shared_data):
    assert sum(read_glue(shared_data / "glue" / "MRPC" / "train.tsv", "mrpc")["label"]) == 2474
    rte = read_glue(shared_data / "glue" / "RTE" / "dev.tsv", "rte", ["entailment", "not_entailment"])
    assert list(rte["label"]).count(0) == 146  # entailment
    # The row with index 2164 starts with an unmatched quote (QUOTE_NONE keeps it as text).
    train = read_glue(shared_data / "glue" / "RTE" / "train.tsv", "rte")
    assert train[2164]["idx"] == 2164 and train[2164]["text"].startswith('"')


def test_conll2003(shared_data):
    train = read_conll2003(shared_data / "conll2003" / "eng.train", CONLL2003_LABELS)
    assert len(train) == 14041 and sum(map(len, train["tokens"])) == 203621
    assert train[0] == {"id": "0", "tokens": ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
                        "tags": ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"]}
    assert sum(tag == "B-PER" for tags in train["tags"] for tag in tags) == 6600
    assert len(read_conll2003(shared_data / "conll2003" / "eng.testa", CONLL2003_LABELS)) == 3250


def test_squad_dev_and_article_split(shared_data):
    ds = read_squad(shared_data / "squad" / "dev-v1.1.json.zip")
    assert len(ds) == 10570 and len(set(ds["title"])) == 48
    assert ds[0]["id"] == "56be4db0acb8001400a502ec" and ds[0]["title"] == "Super_Bowl_50"
    assert ds[0]["answers"] == {"text": ["Denver Broncos"] * 3, "answer_start": [177] * 3}
    train, held = split_squad_by_article(ds)
    assert not set(train["title"]) & set(held["title"])
    assert len(train) + len(held) == len(ds) and 0.2 <= len(held) / len(ds) < 0.25  # ~80/20 by questions
    train2, held2 = split_squad_by_article(ds)
    assert train2["id"][:] == train["id"][:] and held2["id"][:] == held["id"][:]


@pytest.mark.parametrize("split, predicates", [("dev", 4977), ("test", 4799)])
def test_propbank(shared_data, split, predicates):
    ds = read_propbank(shared_data / "srl" / f"en_ewt-up-{split}.conllu")
    assert len(ds) == predicates
    roles = {tag[2:] for tags in ds["tags"] for tag in tags if tag != "O"}
    assert roles - {"V"} <= set(PROPBANK_ROLES)
    assert all(tags[p] == "B-V" for p, tags in zip(ds["predicate_index"], ds["tags"]))
    if split == "dev":
        assert ds[0]["id"].endswith("-0001:3") and ds[0]["predicate_sense"] == "come.03"
        assert ds[0]["tags"] == ["B-ARG2", "I-ARG2", "I-ARG2", "B-V", "B-ARG1", "I-ARG1", "O"]


def test_multi30k(shared_data):
    folder = shared_data / "translation" / "multi30k"
    ds = read_parallel(folder / "train.de.gz", folder / "train.en.gz")
    assert len(ds) == 29000
    assert ds[0] == {"source": "Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.",
                     "target": "Two young, White males are outside near many bushes."}
    assert len(read_parallel(folder / "val.de.gz", folder / "val.en.gz")) == 1014


def test_wikitext_and_shakespeare(shared_data):
    ds = read_text(shared_data / "wikitext" / "wiki.valid.tokens")
    assert ds[0]["text"].startswith("Homarus gammarus , known as the European lobster")
    assert not any(t.startswith("=") or "@-@" in t or "<unk>" in t for t in ds["text"])
    assert any("[UNK]" in t for t in ds["text"])
    shakespeare = read_text(shared_data / "wikitext" / "tiny_shakespeare" / "input.txt")
    assert shakespeare[0]["text"] == "First Citizen: Before we proceed any further, hear me speak."


def test_glue_tune_split_is_carved_from_train_and_disjoint():
    """GLUE dev is reported, so checkpoints are chosen on a slice of train (never on dev)."""
    from bertkit.tasks.base import get_task
    from bertkit.tasks.base import tune_step

    task = get_task("rte")
    assert task.tune_split == "tune"
    train, tune = task.load("train"), task.load("tune")
    assert len(train) + len(tune) == 2490  # RTE train.tsv
    assert len(tune) == len(range(0, 2490, tune_step(2490))) == 249
    assert not set(train["idx"]) & set(tune["idx"])  # row-disjoint (RTE itself repeats a few pairs)
    assert tune_step(67349) == 34  # SST-2: at most ~2,000 tune rows


def test_ner_tunes_on_blocks_of_train_never_on_the_reported_testa():
    from bertkit.tasks.base import get_task

    task = get_task("ner")
    assert task.tune_split == "tune" and task.files["tune"] == task.files["train"] != task.files["dev"]
    train, tune = task.load("train"), task.load("tune")
    assert (len(train), len(tune)) == (12600, 1441)  # 14,041 eng.train sentences, every 10th block of 100
    whole = task.read(task.data_paths("dev")[0].with_name("eng.train"), "all")  # the file, uncarved
    assert tune["tokens"][:100] == whole["tokens"][:100]  # block 0 (sentences 0-99) is tune
    assert train["tokens"][:100] == whole["tokens"][100:200]  # block 1 is train
