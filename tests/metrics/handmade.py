"""A small center with hand-computed answers: contacts and agent states as canonical events.

Queue `sales` keeps the defaults (T = 20 s, S = 5 s); queue `support` is configured T = 30 s,
S = 10 s. Agents a1 and a2 are in team `t1`; a1 costs 20 an hour. Expected figures are worked out
by hand in tests/metrics/test_handmade_figures.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from ccops.events import parse_event
from ccops.ingest.pipeline import ingest_events
from ccops.store.models import Agent, Queue, Team

DAY1 = datetime(2026, 11, 2, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def _at(day: datetime, hhmm: str) -> datetime:
    h, m, *sec = hhmm.split(":")
    return day + timedelta(hours=int(h), minutes=int(m), seconds=float(sec[0]) if sec else 0)


def _iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


# key, day, offered hh:mm, queue, fate, wait, talk, hold, acw, agent, customer, reason, extra
CONTACTS: list[tuple[Any, ...]] = [
    ("s1", DAY1, "08:01", "sales", "answer", 10, 100, 0, 20, "a1", "k1", "billing", {}),
    ("s2", DAY1, "08:02", "sales", "answer", 20, 200, 30, 10, "a2", "k2", "billing", {}),
    ("s3", DAY1, "08:05", "sales", "answer", 25, 150, 0, 30, "a1", "k3", "card", {}),
    ("s4", DAY1, "08:10", "sales", "abandon", 3, 0, 0, 0, None, "k4", None, {}),
    ("s5", DAY1, "08:12", "sales", "abandon", 40, 0, 0, 0, None, "k5", None, {}),
    ("s6", DAY1, "08:20", "sales", "transfer", 5, 60, 0, None, "a2", "k1", "billing", {}),
    ("s7", DAY1, "08:35", "sales", "answer", 0, 90, 10, 20, "a1", None, None, {}),
    ("s8", DAY1, "08:40", "sales", "abandon", 5, 0, 0, 0, None, None, None, {}),
    ("s9", DAY1, "08:50", "sales", "answer", 30, 120, 0, None, "a2", "k6", None, {}),
    ("s13", DAY1, "08:15", "sales", "ivr", 0, 0, 0, 0, None, "k9", None, {}),
    ("p1", DAY1, "08:03", "support", "answer", 28, 300, 60, 40, "a3", "k7", "outage", {}),
    ("p2", DAY1, "08:07", "support", "abandon", 8, 0, 0, 0, None, None, None, {}),
    ("p3", DAY1, "08:33", "support", "answer", 45, 240, 0, 60, "a3", "k8", "outage", {}),
    ("p4", DAY1, "08:45", "support", "abandon", 15, 0, 0, 0, None, None, None, {}),
    (
        "p5", DAY1, "08:47", "support", "answer", 31, 180, 20, None, "a4", "k7", "other",
        {"channel": "chat", "segment": "gold", "vip_tier": 2},
    ),
    ("s10", DAY2, "09:00", "sales", "answer", 12, 100, 0, 20, "a1", "k6", None, {}),
    ("s11", DAY2, "09:10", "sales", "abandon", 2, 0, 0, 0, None, "k2", "billing", {}),
    (
        "p6", DAY2, "10:00", "support", "answer", 10, 100, 0, 10, "a3", "k8", "outage",
        {"direction": "outbound"},
    ),
    ("s12", DAY1 + timedelta(days=7), "08:06", "sales", "answer", 9, 50, 0, 0, "a1", "k3", "card",
     {}),
]  # fmt: skip

# agent, day, [(hh:mm[:ss.fff], state)] — each state lasts until the next
STATES: list[tuple[str, datetime, list[tuple[str, str]]]] = [
    (
        "a1",
        DAY1,
        [
            ("08:00", "available"),
            ("08:10", "talking"),
            ("08:40", "after_call_work"),
            ("08:50", "available"),
            ("09:00", "break"),
            ("09:15", "available"),
            ("09:30", "offline"),
        ],
    ),
    (
        "a2",
        DAY1,
        [
            ("08:00", "available"),
            ("08:05", "talking"),
            ("08:20", "holding"),
            ("08:25", "talking"),
            ("08:55", "after_call_work"),
            ("09:05", "available"),
            ("09:30", "lunch"),
            ("10:00", "offline"),
        ],
    ),
    (  # sub-second timestamps: durations count in whole (floored) seconds on every engine
        "a5",
        DAY2,
        [("10:00:00.700", "available"), ("10:10:00.400", "talking"), ("10:20:00.900", "offline")],
    ),
]


def contact_event_dicts() -> list[dict[str, Any]]:
    """The contacts above as canonical events."""
    out: list[dict[str, Any]] = []
    for key, day, hhmm, queue, fate, wait, talk, hold, acw, agent, cust, reason, extra in CONTACTS:
        offered = _at(day, hhmm)
        offer: dict[str, Any] = {
            "id": f"{key}-offer",
            "type": "contact.offered",
            "at": _iso(offered),
            "contact": key,
            "queue": queue,
            **extra,
        }
        if cust:
            offer["customer"] = cust
        if reason:
            offer["reason"] = reason
        out.append(offer)
        left = offered + timedelta(seconds=wait)
        if fate == "abandon":
            out.append({"id": f"{key}-ab", "type": "contact.abandoned", "at": _iso(left),
                        "contact": key})  # fmt: skip
            continue
        if fate == "ivr":
            out.append({"id": f"{key}-end", "type": "contact.ended", "at": _iso(left),
                        "contact": key, "outcome": "contained_in_ivr"})  # fmt: skip
            continue
        out.append({"id": f"{key}-ans", "type": "contact.answered", "at": _iso(left),
                    "contact": key, "agent": agent})  # fmt: skip
        ended = left + timedelta(seconds=talk + hold)
        if fate == "transfer":
            out.append({"id": f"{key}-xfer", "type": "contact.transferred", "at": _iso(ended),
                        "contact": key, "to_queue": "backoffice"})  # fmt: skip
        out.append({"id": f"{key}-end", "type": "contact.ended", "at": _iso(ended),
                    "contact": key, "hold_seconds": hold})  # fmt: skip
        if acw is not None:
            out.append({"id": f"{key}-wrap", "type": "contact.wrapped",
                        "at": _iso(ended + timedelta(seconds=acw)), "contact": key})  # fmt: skip
    return out


def state_event_dicts() -> list[dict[str, Any]]:
    """The agents' state timelines above as canonical events."""
    return [
        {"id": f"{agent}-{hhmm}", "type": "agent.state", "at": _iso(_at(day, hhmm)),
         "agent": agent, "state": state}
        for agent, day, timeline in STATES
        for hhmm, state in timeline
    ]  # fmt: skip


def ingest(engine: Engine, events: list[dict[str, Any]], source: str = "test") -> None:
    """Events through the one ingest path (parse → Ingestor → store writer)."""
    ingest_events(engine, [parse_event(e) for e in events], source)


def configure(engine: Engine) -> None:
    """The center's configuration (not events): support's thresholds, team t1, a1's cost rate."""
    with engine.begin() as conn:
        conn.execute(
            update(Queue)
            .where(Queue.key == "support")
            .values(sl_threshold_seconds=30.0, short_abandon_seconds=10.0)
        )
        conn.execute(insert(Team).values(key="t1", name="Team one"))
        team_id = conn.scalar(select(Team.id).where(Team.key == "t1"))
        conn.execute(update(Agent).where(Agent.key.in_(["a1", "a2"])).values(team_id=team_id))
        conn.execute(update(Agent).where(Agent.key == "a1").values(cost_rate_per_hour=20.0))


def build(engine: Engine) -> None:
    """Load the handmade center into an empty, migrated store."""
    ingest(engine, contact_event_dicts() + state_event_dicts())
    configure(engine)
