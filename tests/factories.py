"""Builders of canonical events for tests: realistic little contact streams with known answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def iso(ts: datetime) -> str:
    """UTC timestamp text as events carry it."""
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def contact_events(
    n: int, seed: int = 1, start: datetime = START, queues: tuple[str, ...] = ("general", "vip")
) -> list[dict[str, Any]]:
    """n contacts (about 10% abandoned, 5% transferred) and agents' state changes, as dicts."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        key = f"c{seed}-{i}"
        offered = start + timedelta(seconds=i * 7 + rng.randint(0, 5))
        queue = rng.choice(queues)
        out.append(
            {
                "v": 1,
                "id": f"{key}-offer",
                "type": "contact.offered",
                "at": iso(offered),
                "contact": key,
                "queue": queue,
                "channel": "voice",
                "customer": f"cust-{rng.randint(1, n // 3 + 1)}",
                "vip_tier": 1 if queue == "vip" else 0,
            }
        )
        wait = rng.randint(0, 90)
        if rng.random() < 0.1:
            out.append(
                {
                    "id": f"{key}-abandon",
                    "type": "contact.abandoned",
                    "at": iso(offered + timedelta(seconds=wait)),
                    "contact": key,
                }
            )
            continue
        agent = f"agent-{rng.randint(1, 12)}"
        answered = offered + timedelta(seconds=wait)
        talk = rng.randint(30, 600)
        hold = rng.choice([0, 0, 0, 15, 40])
        ended = answered + timedelta(seconds=talk + hold)
        out.append(
            {
                "id": f"{key}-answer",
                "type": "contact.answered",
                "at": iso(answered),
                "contact": key,
                "agent": agent,
            }
        )
        if rng.random() < 0.05:
            out.append(
                {
                    "id": f"{key}-xfer",
                    "type": "contact.transferred",
                    "at": iso(ended),
                    "contact": key,
                    "to_queue": "backoffice",
                }
            )
        out.append(
            {
                "id": f"{key}-end",
                "type": "contact.ended",
                "at": iso(ended),
                "contact": key,
                "hold_seconds": hold,
                "resolved": rng.random() < 0.8,
            }
        )
        out.append(
            {
                "id": f"{key}-wrap",
                "type": "contact.wrapped",
                "at": iso(ended + timedelta(seconds=rng.randint(0, 60))),
                "contact": key,
            }
        )
        out.append(
            {
                "id": f"{key}-s1",
                "type": "agent.state",
                "at": iso(answered),
                "agent": agent,
                "state": "talking",
            }
        )
        out.append(
            {
                "id": f"{key}-s2",
                "type": "agent.state",
                "at": iso(ended),
                "agent": agent,
                "state": "after_call_work",
            }
        )
    return out
