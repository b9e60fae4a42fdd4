"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from ccops import __version__
from ccops.api.deps import EngineDep
from ccops.store.db import current_revision

router = APIRouter(tags=["health"])


@router.get("/health")
def health(engine: EngineDep) -> dict[str, str | None]:
    """Report that the service runs and which schema revision its store is at."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "schema": current_revision(engine)}
