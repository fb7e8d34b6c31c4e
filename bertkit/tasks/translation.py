"""German -> English translation with a BERT encoder-decoder (bert2bert), Multi30k Task 1.

train -> val (tune) -> test2016 (reported, BLEU with sacrebleu). Each file path names the German
side; the English side is the sibling file with `.en.gz`.
"""
from ..data import read_parallel
from ..families.translation import Translation
from .base import Task, register

M30K = "translation/multi30k/"


def read_split(path, split):
    return read_parallel(path, path.with_name(path.name.replace(".de.gz", ".en.gz")))


TASK = register(Task(
    name="translation",
    family=Translation(),
    description="German to English translation with a BERT encoder-decoder (bert2bert, Multi30k).",
    files={"train": M30K + "train.de.gz", "dev": M30K + "val.de.gz", "test": M30K + "test_2016_flickr.de.gz"},
    read=read_split,
    metric="sacrebleu",
    primary_metric="bleu",
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
