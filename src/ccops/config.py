"""Settings from the environment, in one place."""

from __future__ import annotations

import os

DEFAULT_DATABASE_URL = "sqlite:///ccops.db"


def database_url(explicit: str | None = None) -> str:
    """The store's URL: an explicit value, else CCOPS_DATABASE_URL, else ./ccops.db (SQLite)."""
    return explicit or os.environ.get("CCOPS_DATABASE_URL") or DEFAULT_DATABASE_URL


def redis_url() -> str | None:
    """The Redis URL for live fan-out across workers, if configured (CCOPS_REDIS_URL)."""
    return os.environ.get("CCOPS_REDIS_URL") or None
