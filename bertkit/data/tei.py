"""Novels in TEI XML (ELTeC) → running text for masked-LM training: one `text` row per paragraph.

Only the text inside `<body>` is kept: the `<teiHeader>` (metadata), `<front>`/`<back>` matter,
`<note>`s and page breaks are dropped; a paragraph (`<p>`, or a verse line group `<lg>`) becomes one
row with its white space collapsed. `path` is one `.xml` file, a folder of them, or a tar of them
(e.g. `eltec-eng.tar.xz`), read in name order.
"""
import os
import re
import xml.etree.ElementTree as ET

import datasets

from bertkit.data.errors import DataError, check_file, archive_files

_DROPPED = {"note", "pb", "fw", "figure"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def tei_paragraphs(name, data: bytes) -> list[str]:
    """The paragraphs of one TEI document's `<body>`."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise DataError(name, f"not well-formed XML: {err}", err.position[0]) from None
    body = next((e for e in root.iter() if _local(e.tag) == "body"), None)
    if body is None:
        raise DataError(name, "no <body>: not a TEI text")
    for parent in list(body.iter()):
        children = list(parent)
        for k, child in enumerate(children):
            if _local(child.tag) not in _DROPPED:
                continue
            if child.tail:  # the text after a dropped element stays, after its previous sibling
                kept = [c for c in children[:k] if _local(c.tag) not in _DROPPED]
                if kept:
                    kept[-1].tail = (kept[-1].tail or "") + child.tail
                else:
                    parent.text = (parent.text or "") + child.tail
            parent.remove(child)
    rows = []
    for element in body.iter():
        if _local(element.tag) in ("p", "lg"):
            text = re.sub(r"\s+", " ", "".join(element.itertext())).strip()
            if text:
                rows.append(text)
    return rows


def _documents(path):
    return archive_files(path, ".xml", "TEI files")


def read_tei(path, max_documents=None):
    """Read TEI novels into a `datasets.Dataset` with columns `text` (one paragraph) and `document`
    (the file it came from). `max_documents` reads the first N files only."""
    texts, documents = [], []
    for k, (name, data) in enumerate(_documents(os.fspath(path))):
        if max_documents is not None and k >= max_documents:
            break
        rows = tei_paragraphs(name, data)
        texts.extend(rows)
        documents.extend([os.path.basename(name.rsplit(":", 1)[-1])] * len(rows))
    if not texts:
        raise DataError(path, "no TEI paragraphs found")
    return datasets.Dataset.from_dict({"text": texts, "document": documents},
                                      features=datasets.Features({"text": datasets.Value("string"),
                                                                  "document": datasets.Value("string")}))
