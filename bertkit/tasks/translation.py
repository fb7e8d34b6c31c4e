"""German -> English translation with a BERT encoder-decoder (bert2bert), Multi30k Task 1.

train -> val (tune) -> test2016 (reported, BLEU with sacrebleu). Each split is a pair of files:
the German side, then the English side. Multi30k is image captions, so a general-domain news split is
held out too: WMT newstest2013, its first 1,500 lines `news_tune` (for choosing general-domain
recipes) and its last 1,500 `news_test` (reported beside test2016, never used to choose).
"""
from ..data import read_parallel
from ..families.translation import Translation
from .base import Task, register

M30K = "translation/multi30k/"
NEWS2013 = ("translation/newstest-dev/newstest2013.de", "translation/newstest-dev/newstest2013.en")
NEWS_TUNE_LINES = 1500  # newstest2013 has 3,000 lines: the first half tunes, the second is held out


def pair(name: str) -> tuple[str, str]:
    return (M30K + name + ".de.gz", M30K + name + ".en.gz")


def read_split(paths, split):
    source, target = paths
    ds = read_parallel(source, target)
    if split == "news_tune":
        return ds.select(range(NEWS_TUNE_LINES))
    if split == "news_test":
        return ds.select(range(NEWS_TUNE_LINES, len(ds)))
    return ds


TASK = register(Task(
    name="translation",
    family=Translation(),
    description="German to English translation with a BERT encoder-decoder (bert2bert, Multi30k).",
    files={"train": pair("train"), "dev": pair("val"), "test": pair("test_2016_flickr"),
           "news_tune": NEWS2013, "news_test": NEWS2013},
    read=read_split,
    metric="sacrebleu",
    primary_metric="bleu",
    reported_split="test",  # dev (Multi30k val) picks the checkpoint
    extra_splits=("news_test",),  # general-domain news, reported beside test2016
    headline=("bleu", "chrf"),
    metric_scale=1.0,
    target_score=12.0,
    title="Translation",
    dataset="Multi30k de→en",
    score_note="sacrebleu corpus BLEU (13a) and chrF on test2016; no published BERT2BERT reference for it.",
    hub_dataset=("bentrevett/multi30k", None),
    examples=(
        "Ein Mann fährt mit dem Fahrrad die Straße entlang.",
        "Zwei Kinder spielen im Sand am Strand.",
        "Eine Frau in einem roten Kleid singt auf der Bühne.",
    ),
    # Greedy decoding for the per-epoch evaluation (beam search only when reporting).
    train_defaults={"epochs": 10, "lr": 1e-3, "batch_size": 64, "max_length": 64, "lora_r": 32, "int8": True, "eval_every": 1000,
                    "eval_options": {"num_beams": 1}},
))
