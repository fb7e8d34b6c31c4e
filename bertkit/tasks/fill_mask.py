"""Masked-word prediction (BERT's pre-training task) with an MLM head tied to the word embeddings.

Training text: WikiText-2 valid (first 95 % of lines; the last 5 % tune the checkpoint choice),
WikiText-2 train (the shared CSV zip: 2.09M tokens, no article in valid or test), the first
ELTEC_NOVELS novels of ELTeC-eng (TEI paragraphs; 19th-century prose, capped so it does not outweigh
the encyclopaedic text), plus the running English text of the other training sets, each when present
in the data dir. WikiText-2 test is never trained on: it is the reported held-out measure (masked-token
top-1/top-5, non-[UNK]).
"""
from datasets import Dataset, concatenate_datasets

from ..data import read_text
from ..families.fill_mask import FillMask
from .base import Task, register

WIKI_VALID = "wikitext/wiki.valid.tokens"
ELTEC_NOVELS = 20  # of 99 (~2.3M of 11.4M words)
EXTRA_TEXT = ("wikitext/wikitext-2-train-csv.zip", "text/eltec-eng.tar.xz", "translation/multi30k/train.en.gz",
              "glue/SST-2/train.tsv", "glue/STS-B/train.tsv", "glue/MRPC/train.tsv", "glue/CoLA/train.tsv",
              "conll2003/eng.train")
TUNE_FRACTION = 0.05


def _extra_text(path):
    from . import base

    name = path.name
    if name.endswith(".zip"):
        return list(read_text(path)["text"])
    if name.endswith(".tar.xz"):
        from ..data import read_tei

        return list(read_tei(path, max_documents=ELTEC_NOVELS)["text"])
    if name.endswith(".gz"):
        from ..data import read_parallel

        return [t for t in read_parallel(path, path)["target"] if t.strip()]
    if name == "eng.train":
        from ..data import read_conll2003

        return [" ".join(t) for t in read_conll2003(path)["tokens"]]
    task = {"SST-2": "sst2", "STS-B": "stsb", "MRPC": "mrpc", "CoLA": "cola"}[path.parent.name]
    ds = base.get_task(task).load("train", path.parents[2])
    return list(ds["text"]) + (list(ds["text_pair"]) if "text_pair" in ds.column_names else [])


def read_split(paths, split):
    paths = paths if isinstance(paths, list) else [paths]
    wiki = read_text(paths[0])
    cut = int(len(wiki) * (1 - TUNE_FRACTION))
    if split == "tune":
        return wiki.select(range(cut, len(wiki)))
    if split == "test":
        return wiki
    parts = [wiki.select(range(cut))]
    for path in paths[1:]:
        if path.exists():
            parts.append(Dataset.from_dict({"text": _extra_text(path)}))
    return concatenate_datasets(parts)


TASK = register(Task(
    name="fill-mask",
    family=FillMask(),
    description="Fill in the [MASK]: BERT's masked-language-model head, any number of masks.",
    files={"train": (WIKI_VALID,) + EXTRA_TEXT, "tune": WIKI_VALID, "test": "wikitext/wiki.test.tokens"},
    read=read_split,
    tune_split="tune",
    metric="masked_lm",
    primary_metric="top1_accuracy",
    reported_split="test",
    headline=("top1_accuracy", "top5_accuracy"),
    target_score=30.0,
    title="Fill-mask",
    dataset="WikiText-2 test",
    score_note="15% of non-[UNK] tokens of each 128-token block masked (seeded); accuracy on the masked tokens.",
    examples=(
        "Paris is the [MASK] of France.",
        "The man worked as a [MASK] in the [MASK].",
        "She opened the door and [MASK] into the room.",
    ),
    train_defaults={"epochs": 12, "eval_every": 300, "lr": 1e-3, "batch_size": 64, "max_length": 128, "lora_r": 64, "int8": True},
))
