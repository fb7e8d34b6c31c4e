"""SQuAD 2.0 dev as the official explorer pages (one HTML page per article, in a folder or a tar)
-> the canonical QA schema, with the answer offsets the pages lack found again in the paragraph.

A page holds `<h1 id="title">`, then per paragraph a `<pre>` context and `qa-wrap` blocks
(`data-id`, `<strong class="question">`, gold `<span class="answer">` texts, or one
`<span class="no-answer">` for an unanswerable question). Offsets: each answer text is looked up
in its context, exactly first, then ignoring case and runs of white space; of several matches the
first is taken (the pages keep no offsets, and the official v2 metric scores answer texts only, so
the choice only moves training targets). An answer found nowhere keeps its text with
`answer_start == -1`; `read_squad_explorer(..., stats=dict)` counts them. Pages without paragraphs (the index) are skipped.
"""
import os
import re
from html.parser import HTMLParser

import datasets

from bertkit.data.errors import DataError, check_file, decode, archive_files
from bertkit.data.squad import SQUAD_FEATURES


class _Page(HTMLParser):
    """Collects title, paragraphs and their questions from one explorer page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.paragraphs, self.field, self.buffer = None, [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = attrs.get("class", "")
        if tag == "h1" and attrs.get("id") == "title":
            self._start("title")
        elif tag == "pre":
            self.paragraphs.append({"context": None, "qas": []})
            self._start("context")
        elif tag == "div" and cls == "qa-wrap":
            if not self.paragraphs:
                raise ValueError(f"question {attrs.get('data-id')!r} comes before any paragraph")
            self.paragraphs[-1]["qas"].append({"id": attrs.get("data-id"), "question": None, "answers": [],
                                               "impossible": False})
        elif tag == "strong" and cls == "question":
            self._start("question")
        elif tag == "span" and cls == "answer":
            self._start("answer")
        elif tag == "span" and cls == "no-answer":
            self.paragraphs[-1]["qas"][-1]["impossible"] = True

    def _start(self, field):
        self.field, self.buffer = field, []

    def handle_data(self, data):
        if self.field:
            self.buffer.append(data)

    def handle_endtag(self, tag):
        if not self.field or tag not in ("h1", "pre", "strong", "span"):
            return
        text, field = "".join(self.buffer), self.field
        self.field = None
        if field == "title":
            self.title = text.strip()
        elif field == "context":
            self.paragraphs[-1]["context"] = text
        elif field == "question":
            self.paragraphs[-1]["qas"][-1]["question"] = text
        else:
            self.paragraphs[-1]["qas"][-1]["answers"].append(text)


def find_answer(context: str, answer: str) -> int:
    """Offset of `answer` in `context`: exact first match, else ignoring case and white-space runs; -1 if absent."""
    start = context.find(answer)
    if start >= 0 or not answer.strip():
        return start
    pattern = r"\s+".join(re.escape(part) for part in answer.split())
    match = re.search(pattern, context, flags=re.IGNORECASE)
    return match.start() if match else -1


def _pages(path):
    """(name, bytes) of every .html page of a folder or a (compressed) tar, sorted by name."""
    return archive_files(path, ".html", "explorer pages")


def read_squad_explorer(path, stats: dict | None = None):
    """Read the SQuAD explorer pages in folder or tar `path` into the canonical QA schema (one row per question,
    pages in name order). Unanswerable questions have empty answer lists. `stats`, when given, is filled
    with counts: pages, paragraphs, questions, unanswerable, answers, answers_not_found, questions_not_found
    (answerable questions none of whose answers was found)."""
    counts = dict(pages=0, paragraphs=0, questions=0, unanswerable=0, answers=0, answers_not_found=0,
                  questions_not_found=0)
    rows = []
    for name, data in _pages(os.fspath(path)):
        page = _Page()
        try:
            page.feed(decode(name, data))
        except ValueError as err:
            raise DataError(name, str(err)) from None
        if not page.paragraphs:
            continue  # an index or other page without paragraphs
        if not page.title:
            raise DataError(name, 'no <h1 id="title">: not a SQuAD explorer page')
        counts["pages"] += 1
        for p, paragraph in enumerate(page.paragraphs):
            counts["paragraphs"] += 1
            context = paragraph["context"] or ""
            for qa in paragraph["qas"]:
                if not qa["id"] or qa["question"] is None:
                    raise DataError(name, f"paragraph {p}: a question without data-id or question text")
                texts = [] if qa["impossible"] else qa["answers"]
                if not qa["impossible"] and not texts:
                    raise DataError(name, f"question {qa['id']!r} has neither answers nor a no-answer mark")
                starts = [find_answer(context, t) for t in texts]
                counts["questions"] += 1
                counts["unanswerable"] += qa["impossible"]
                counts["answers"] += len(texts)
                counts["answers_not_found"] += starts.count(-1)
                counts["questions_not_found"] += bool(texts) and all(s < 0 for s in starts)
                rows.append({"id": qa["id"], "title": page.title, "context": context, "question": qa["question"],
                             "answers": {"text": texts, "answer_start": starts}})
    if not rows:
        raise DataError(path, "no SQuAD explorer pages (.html with questions) found")
    if stats is not None:
        stats.update(counts)
    return datasets.Dataset.from_list(rows, features=SQUAD_FEATURES)
