"""A comparable picture of a store's facts (without bookkeeping times), for equality tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

FACT_QUERIES = {
    "events": "SELECT id, type, at, contact_key, agent_key, body FROM events",
    "contacts": """SELECT c.key, c.channel, c.direction, q.key, cu.key, a.key, c.offered_at,
        c.answered_at, c.abandoned_at, c.ended_at, c.wrap_end_at, c.wait_seconds, c.talk_seconds,
        c.hold_seconds, c.acw_seconds, c.outcome, c.resolved, c.transferred_to
        FROM contacts c LEFT JOIN queues q ON q.id = c.queue_id
        LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN agents a ON a.id = c.agent_id""",
    "agent_states": """SELECT a.key, s.state, s.reason, s.start_at, s.end_at FROM agent_states s
        JOIN agents a ON a.id = s.agent_id""",
    "queues": "SELECT key, channel, sl_threshold_seconds FROM queues",
    "agents": "SELECT key FROM agents",
    "customers": "SELECT key, segment, vip_tier FROM customers",
    "rejects": "SELECT source, position, reason, raw FROM rejects",
}


def _norm(v: Any) -> str:
    """One text form for a value on any engine (SQLite returns raw text, PostgreSQL types)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    return str(v)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every fact table as a sorted list of rows."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name, sql in FACT_QUERIES.items():
            rows = [tuple(_norm(v) for v in r) for r in conn.execute(text(sql))]
            out[name] = sorted(rows)
    return out
