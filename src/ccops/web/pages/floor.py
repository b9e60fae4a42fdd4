"""The wallboard: queues and agents now, kept live over Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.api.deps import EngineDep, LiveDep, ScopeDep, SessionDep
from ccops.web import floor
from ccops.web.scope import Scope
from ccops.web.templating import STATE_NAMES, gettext_for, render

router = APIRouter()

HEARTBEAT_SECONDS = 5.0  # a fresh snapshot at least this often (and a keep-alive)
MIN_GAP_SECONDS = 0.1  # bursts of events are coalesced into one snapshot per gap


def _snapshot(engine: Engine, scope: Scope) -> dict[str, Any]:
    with Session(engine) as session:
        return floor.snapshot(session, scope)


@router.get("/wallboard", include_in_schema=False)
def wallboard_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """The wallboard page (filled and kept live by static/wallboard.js)."""
    scope.require("floor")
    _ = gettext_for(request)
    return render(
        request,
        "wallboard.html",
        initial=floor.snapshot(db, scope),
        state_labels={state: _(name) for state, name in STATE_NAMES.items()},
        limits=floor.STATE_LIMITS,
    )


@router.get("/api/v1/wallboard", tags=["floor"])
def wallboard_data(scope: ScopeDep, db: SessionDep) -> dict[str, Any]:
    """The live floor now: queues, agents in your scope, alerts."""
    scope.require("floor")
    return floor.snapshot(db, scope)


@router.get("/live/wallboard", include_in_schema=False)
async def wallboard_stream(
    request: Request, scope: ScopeDep, engine: EngineDep, live: LiveDep
) -> StreamingResponse:
    """Server-Sent Events: a snapshot now, then one after each batch of events (coalesced)."""
    scope.require("floor")
    subscription = live.subscribe()

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 1000\n\n"
            while not subscription.closed:
                snap = await run_in_threadpool(_snapshot, engine, scope)
                yield f"event: snapshot\ndata: {json.dumps(snap)}\n\n"
                message = await subscription.get(timeout=HEARTBEAT_SECONDS)
                if subscription.closed or await request.is_disconnected():
                    break
                if message is not None:
                    await asyncio.sleep(MIN_GAP_SECONDS)
                    subscription.drain()
        finally:
            subscription.close()

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
