"""Data readers: files (and hub datasets) → `datasets.Dataset` in the canonical schema of docs/design.md.

Every reader raises `DataError` (file, line, problem) on input it cannot use.
"""
from bertkit import _env  # noqa: F401  (must run before the Hugging Face libraries are imported)
from bertkit.data.conll import CONLL2003_LABELS, read_conll2003
from bertkit.data.errors import DataError
from bertkit.data.glue import GlueFormat, read_glue
from bertkit.data.hub import HUB_IDS, conll2003_to_canonical, glue_to_canonical, load_hub_dataset
from bertkit.data.conll2012 import read_conll2012_ner, read_conll2012_srl
from bertkit.data.parallel import read_parallel, read_tatoeba
from bertkit.data.propbank import PROPBANK_ROLES, read_propbank, srl_label_names
from bertkit.data.sick import read_sick
from bertkit.data.squad import read_squad, split_squad_by_article
from bertkit.data.squad_html import read_squad_explorer
from bertkit.data.tei import read_tei
from bertkit.data.text import read_text
from bertkit.data.user import read_user_file

__all__ = [
    "CONLL2003_LABELS", "DataError", "GlueFormat", "HUB_IDS", "PROPBANK_ROLES",
    "conll2003_to_canonical", "glue_to_canonical", "load_hub_dataset", "read_conll2003", "read_conll2012_ner",
    "read_conll2012_srl", "read_glue", "read_parallel", "read_propbank", "read_sick", "read_squad", "read_squad_explorer",
    "read_tatoeba", "read_tei", "read_text", "read_user_file",
    "split_squad_by_article", "srl_label_names",
]
