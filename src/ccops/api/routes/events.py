"""POST /api/v1/events: batches of canonical events from integrations and the live feed.

Callers authenticate with an API token (`Authorization: Bearer ccops_...`). After a batch is
stored, open wallboards are told through the live fan-out.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ccops.api.deps import ApiClient, LiveDep, WriterDep
from ccops.ingest.pipeline import Ingestor

router = APIRouter(tags=["events"])

MAX_BATCH = 50_000
# One batch at a time per process: stores serialise writers anyway (SQLite) or would contend on
# the same contacts (PostgreSQL); queued requests wait here instead of exhausting the pool.
_WRITE_LOCK = threading.Lock()


class RejectedEvent(BaseModel):
    """An event of the batch that was refused: its index in the batch and why."""

    position: int
    reason: str


class EventBatchResult(BaseModel):
    """What happened to a posted batch."""

    received: int
    accepted: int
    duplicates: int
    rejected: list[RejectedEvent]


def _ingest(writer: Any, events: list[Any]) -> EventBatchResult:
    with _WRITE_LOCK:
        return _ingest_locked(writer, events)


def _ingest_locked(writer: Any, events: list[Any]) -> EventBatchResult:
    ingestor = Ingestor(writer, source="api", batch_size=MAX_BATCH + 1)
    for position, raw in enumerate(events):
        if isinstance(raw, dict):
            ingestor.add_parsed(position, raw)
        else:
            ingestor.reject(position, repr(raw)[:500], "an event is a JSON object")
    summary = ingestor.close()
    return EventBatchResult(
        received=len(events),
        accepted=summary.accepted,
        duplicates=summary.duplicates,
        rejected=[RejectedEvent(position=r.position, reason=r.reason) for r in summary.rejects],
    )


@router.post("/events", response_model=EventBatchResult)
async def post_events(
    writer: WriterDep,
    live: LiveDep,
    _client: ApiClient,
    events: list[Any] = Body(..., description="A JSON array of canonical events (docs/events.md)"),
) -> EventBatchResult:
    """Accept a batch: valid events land (re-sent ids change nothing), invalid ones are listed."""
    if len(events) > MAX_BATCH:
        from fastapi import HTTPException

        raise HTTPException(413, f"at most {MAX_BATCH} events per request; split the batch")
    result = await run_in_threadpool(_ingest, writer, events)
    if result.accepted:
        await live.publish({"type": "events", "accepted": result.accepted, "at": time.time()})
    return result
