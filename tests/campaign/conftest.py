"""Fixtures of the fault campaign; the harness itself is campaign_harness.py."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from campaign_harness import Ctx  # noqa: E402


@pytest.fixture(scope="session")
def shared() -> dict:
    return {}  # things rows build once (a loaded predictor)


@pytest.fixture
def ctx(tiny_bert, tmp_path, shared):
    return Ctx(tiny_bert, tmp_path, shared)
