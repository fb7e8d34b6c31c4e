"""Named entities (PER, ORG, LOC, MISC) with CoNLL-2003 IOB2 tags: eng.train -> eng.testa (dev).

eng.testa is the reported score, so checkpoints are chosen on `tune`: every tenth block of 100
consecutive eng.train sentences (blocks keep a document's sentences together); `train` is the rest.
"""
from ..data import CONLL2003_LABELS, read_conll2003
from ..families.tagging import TokenTagging
from .base import Task, carve_tune, register

BLOCK = 100

TASK = register(Task(
    name="ner",
    family=TokenTagging(),
    description="Named entities (person, organisation, location, misc) in CoNLL-2003 style.",
    labels=tuple(CONLL2003_LABELS),
    files={"train": "conll2003/eng.train", "tune": "conll2003/eng.train", "dev": "conll2003/eng.testa"},
    read=lambda path, split: carve_tune(read_conll2003(path, CONLL2003_LABELS), split, BLOCK),
    tune_split="tune",
    version="2",  # raw-text words split as the treebank does; scores gain raw_text_*
    metric="seqeval",
    primary_metric="overall_f1",
    headline=("overall_precision", "overall_recall", "overall_f1"),
    references="ner",
    target_score=85.0,
    title="NER",
    dataset="CoNLL-2003",
    hub_dataset=("eriktks/conll2003", None),
    examples=(
        "EU rejects German call to boycott British lamb.",
        "Angela Merkel met Emmanuel Macron in Paris on Tuesday to discuss Airbus.",
        "Sundar Pichai said Google will open a new office in Zurich.",
    ),
    train_defaults={"epochs": 6, "lr": 5e-4, "batch_size": 32, "max_length": 256},
))
