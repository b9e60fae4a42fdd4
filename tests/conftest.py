"""Shared fixtures: the store on every engine, and the read-only ../shared folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CCOPS_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's ../shared folder (real files, reference tables); skips when absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}; set CCOPS_SHARED_DIR to run this test")
    return SHARED
