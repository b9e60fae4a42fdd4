"""Shared fixtures: the store on every engine, and the read-only ../shared folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CCOPS_SHARED_DIR", REPO.parent / "shared"))
POSTGRES_URL = os.environ.get("CCOPS_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("CCOPS_TEST_REDIS_URL")

NO_POSTGRES = "PostgreSQL tests need CCOPS_TEST_POSTGRES_URL (set by .ci/run)"
NO_REDIS = "Redis tests need CCOPS_TEST_REDIS_URL (set by .ci/run)"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's ../shared folder (real files, reference tables); skips when absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}; set CCOPS_SHARED_DIR to run this test")
    return SHARED


@pytest.fixture
def redis_url() -> str:
    """The test Redis; skips with a reason when CCOPS_TEST_REDIS_URL is not set."""
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    return REDIS_URL


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for one test, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"ccops_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store URL, on SQLite (a file) and on PostgreSQL (a private schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Engine]:
    """An engine on an empty store with the schema migrated to head."""
    from ccops.store import make_engine, upgrade

    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()
