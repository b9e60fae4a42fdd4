"""Configuration rows that are not facts: queue settings (T, S, target, priority)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.store.models import Queue


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """A queue's configuration: what its service level and short abandons are measured against."""

    key: str
    channel: str
    sl_threshold_seconds: float
    short_abandon_seconds: float
    sl_target: float = 0.8
    priority: int = 0
    name: str | None = None


def configure_queues(engine: Engine, settings: list[QueueSettings]) -> int:
    """Create or update queues by key with these settings (one transaction); how many changed."""
    with Session(engine) as session, session.begin():
        found = {q.key: q for q in session.scalars(select(Queue))}
        for s in settings:
            queue = found.get(s.key)
            if queue is None:
                queue = Queue(key=s.key, name=s.name or s.key)
                session.add(queue)
            queue.name = s.name or queue.name or s.key
            queue.channel = s.channel
            queue.sl_threshold_seconds = s.sl_threshold_seconds
            queue.short_abandon_seconds = s.short_abandon_seconds
            queue.sl_target = s.sl_target
            queue.priority = s.priority
    return len(settings)
