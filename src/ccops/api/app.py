"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from ccops import __version__
from ccops.api.routes import events, health, staffing
from ccops.store.db import make_engine
from ccops.store.writer import StoreWriter


def create_app(database_url: str | None = None) -> FastAPI:
    """Build the app on the store at `database_url` (default: CCOPS_DATABASE_URL or ./ccops.db)."""
    app = FastAPI(
        title="ccops",
        version=__version__,
        description="Contact-center operations platform: events in, one metric catalog out.",
    )
    app.state.engine = make_engine(database_url)
    app.state.writer = StoreWriter(app.state.engine)
    app.include_router(health.router)
    app.include_router(events.router, prefix="/api/v1")
    app.include_router(staffing.router, prefix="/api/v1")
    return app
