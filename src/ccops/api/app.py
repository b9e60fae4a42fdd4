"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ccops import __version__
from ccops.api.routes import events, forecast, health, report, schedule, staffing
from ccops.config import redis_url
from ccops.store.db import make_engine
from ccops.store.writer import StoreWriter


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    await app.state.live.start()
    try:
        yield
    finally:
        await app.state.live.stop()


def create_app(database_url: str | None = None) -> FastAPI:
    """Build the app on the store at `database_url` (default: CCOPS_DATABASE_URL or ./ccops.db)."""
    app = FastAPI(
        title="ccops",
        version=__version__,
        description="Contact-center operations platform: events in, one metric catalog out.",
        lifespan=_lifespan,
    )
    app.state.engine = make_engine(database_url)
    app.state.writer = StoreWriter(app.state.engine)
    from ccops.web import make_fanout, mount_web  # the web layer imports ccops.api.deps

    app.state.live = make_fanout(redis_url())  # in-process, or Redis pub/sub across workers
    app.include_router(health.router)
    app.include_router(events.router, prefix="/api/v1")
    app.include_router(staffing.router, prefix="/api/v1")
    app.include_router(report.router, prefix="/api/v1")
    app.include_router(forecast.router, prefix="/api/v1")
    app.include_router(schedule.router, prefix="/api/v1")
    mount_web(app)
    return app
