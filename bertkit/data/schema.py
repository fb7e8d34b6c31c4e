"""The task's schema for rows a user brings: labels checked and converted, tags checked, unlabelled rows told apart."""
from __future__ import annotations


def unlabelled(label) -> bool:
    """A row without a gold label: None, -1 (a class id) or NaN (a score; NaN != NaN), as in GLUE test files."""
    return label is None or label == -1 or label != label
