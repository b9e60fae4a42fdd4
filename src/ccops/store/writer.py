"""Apply a batch of canonical events to the store in one transaction.

Every accepted event is kept once in `events` (its id is the key, so re-sending changes nothing);
the contacts and agent state intervals they touch are re-folded from *all* their stored events, so
the facts do not depend on arrival order. A batch is all-or-nothing: a crash leaves the store as it
was before the batch, and running the same input again completes it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Table, and_, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ccops.events import (
    AgentStateEvent,
    ContactAnswered,
    ContactEvent,
    ContactFacts,
    ContactOffered,
    Event,
    StateInterval,
    build_state_intervals,
    fold_contact,
    parse_event,
)
from ccops.store.models import (
    Agent,
    AgentStateInterval,
    Contact,
    Customer,
    EventRecord,
    Queue,
    Reject,
)

CHUNK = 500

# Service-level threshold T by channel for queues created on first sight (GLOSSARY.md defaults).
DEFAULT_SL_THRESHOLD = {
    "voice": 20.0,
    "chat": 60.0,
    "email": 86400.0,
    "sms": 3600.0,
    "social": 3600.0,
    "app": 60.0,
}


@dataclass(slots=True, frozen=True)
class RejectedInput:
    """One input that was refused, with where it came from and why."""

    source: str
    position: int
    reason: str
    raw: str


@dataclass(slots=True)
class BatchResult:
    """What one batch did to the store."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    contacts: int = 0
    state_intervals: int = 0
    accepted_ids: list[str] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _naive(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(tzinfo=None) if ts.tzinfo else ts


def _queue_row(key: str, channel: str, priority: int) -> dict[str, Any]:
    """A queue first seen in events, with the glossary's defaults for its channel."""
    return {
        "key": key,
        "name": key,
        "channel": channel,
        "sl_threshold_seconds": DEFAULT_SL_THRESHOLD.get(channel, 20.0),
        "short_abandon_seconds": 5.0,
        "sl_target": 0.8,
        "priority": priority,
    }


def _customer_row(key: str) -> dict[str, Any]:
    """A customer first seen in events. Segment and VIP tier are snapshotted on each contact
    (order-independent); the customer's own attributes are master data, not set by events."""
    return {
        "key": key,
        "segment": None,
        "vip_tier": 0,
        "consent_call": True,
        "consent_sms": False,
        "consent_email": False,
    }


def _insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> None:
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=[key]), rows)
    elif conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(table).on_conflict_do_nothing(index_elements=[key]), rows)
    else:  # pragma: no cover - other engines are not stores yet
        existing = _existing(conn, table.c[key], [r[key] for r in rows])
        conn.execute(insert(table), [r for r in rows if r[key] not in existing])


def _bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows through the driver directly (COPY on PostgreSQL).

    SQLAlchemy's per-row parameter processing is the ingest's bottleneck otherwise; values are
    converted here the way SQLAlchemy stores them (SQLite: ISO text with microseconds).
    """
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row([r[c] for c in columns])
        return
    stmt = insert(table).compile(dialect=conn.dialect, column_keys=columns)
    order = list(stmt.positiontup) if stmt.positional and stmt.positiontup else columns
    if conn.dialect.name == "sqlite":
        stamps = {c.name for c in table.columns if isinstance(c.type, DateTime)}
        convert = [c in stamps for c in order]

        def row_values(r: dict[str, Any]) -> tuple[Any, ...]:
            return tuple(
                (v.isoformat(" ", "microseconds") if v is not None else None) if conv else v
                for v, conv in zip((r[c] for c in order), convert, strict=True)
            )

        conn.exec_driver_sql(str(stmt), [row_values(r) for r in rows])
    else:  # pragma: no cover - other engines are not stores yet
        conn.execute(insert(table), rows)


def _existing(conn: Connection, column: Any, values: Sequence[Any]) -> set[Any]:
    found: set[Any] = set()
    for part in _chunks(list(values)):
        found.update(conn.execute(select(column).where(column.in_(part))).scalars())
    return found


class StoreWriter:
    """Writes event batches to one store; keeps a cache of dimension keys to row ids."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ids: dict[str, dict[str, int]] = {"queues": {}, "agents": {}, "customers": {}}
        self._analyzed = engine.dialect.name != "postgresql"

    # -- dimensions -------------------------------------------------------------------------
    def _resolve(
        self,
        conn: Connection,
        table: Table,
        wanted: dict[str, dict[str, Any]],
        pending: dict[str, int],
    ) -> dict[str, int]:
        cache = self._ids[table.name]
        missing = [k for k in wanted if k not in cache and k not in pending]
        if missing:
            _insert_ignore(conn, table, [wanted[k] for k in missing], "key")
            for part in _chunks(missing):
                for key, id_ in conn.execute(
                    select(table.c.key, table.c.id).where(table.c.key.in_(part))
                ):
                    pending[key] = id_
        return pending

    def _dimensions(self, conn: Connection, events: list[Event]) -> dict[str, dict[str, int]]:
        queues: dict[str, dict[str, Any]] = {}
        agents: dict[str, dict[str, Any]] = {}
        customers: dict[str, dict[str, Any]] = {}
        for e in events:
            if isinstance(e, ContactOffered):
                if e.queue not in queues:
                    queues[e.queue] = _queue_row(e.queue, e.channel.value, e.priority or 0)
                if e.customer and e.customer not in customers:
                    customers[e.customer] = _customer_row(e.customer)
            elif isinstance(e, ContactAnswered | AgentStateEvent):
                agents.setdefault(e.agent, {"key": e.agent, "name": e.agent})
                if isinstance(e, AgentStateEvent) and e.queue:
                    queues.setdefault(e.queue, _queue_row(e.queue, "voice", 0))
        pending: dict[str, dict[str, int]] = {"queues": {}, "agents": {}, "customers": {}}
        self._resolve(conn, Queue.__table__, queues, pending["queues"])  # type: ignore[arg-type]
        self._resolve(conn, Agent.__table__, agents, pending["agents"])  # type: ignore[arg-type]
        self._resolve(conn, Customer.__table__, customers, pending["customers"])  # type: ignore[arg-type]
        return pending

    def _id(self, pending: dict[str, dict[str, int]], kind: str, key: str | None) -> int | None:
        if key is None:
            return None
        found = self._ids[kind].get(key)
        return found if found is not None else pending[kind].get(key)

    # -- facts ------------------------------------------------------------------------------
    def _contacts(
        self, conn: Connection, new: list[ContactEvent], pending: dict[str, dict[str, int]]
    ) -> int:
        by_contact: dict[str, list[ContactEvent]] = defaultdict(list)
        for e in new:
            by_contact[e.contact].append(e)
        keys = list(by_contact)
        table = Contact.__table__
        known: dict[str, int] = {}
        for part in _chunks(keys):
            known.update(
                (k, i)
                for k, i in conn.execute(
                    select(table.c.key, table.c.id).where(table.c.key.in_(part))
                )
            )
        if known:
            # Contacts seen in earlier batches: re-fold from every stored event of theirs.
            ev = EventRecord.__table__
            for k in known:
                by_contact[k] = []
            for part in _chunks(list(known)):
                for contact_key, body in conn.execute(
                    select(ev.c.contact_key, ev.c.body).where(ev.c.contact_key.in_(part))
                ):
                    by_contact[contact_key].append(parse_event(body))  # type: ignore[arg-type]
            for part in _chunks(list(known.values())):
                conn.execute(delete(table).where(table.c.id.in_(part)))
        folded = [fold_contact(key, events) for key, events in by_contact.items()]
        self._ensure_known(conn, folded, pending)
        rows = []
        for facts in folded:
            key = facts.key
            row = self._contact_row(facts, pending)
            if key in known:
                row["id"] = known[key]
            rows.append(row)
        with_id = [r for r in rows if "id" in r]
        without_id = [r for r in rows if "id" not in r]
        _bulk_insert(conn, table, with_id)  # type: ignore[arg-type]
        _bulk_insert(conn, table, without_id)  # type: ignore[arg-type]
        return len(rows)

    def _ensure_known(
        self, conn: Connection, folded: list[ContactFacts], pending: dict[str, dict[str, int]]
    ) -> None:
        """Resolve keys that re-folded contacts carry from earlier batches (or processes)."""
        wanted: dict[str, dict[str, dict[str, Any]]] = {"queues": {}, "agents": {}, "customers": {}}
        for c in folded:
            if c.queue and self._id(pending, "queues", c.queue) is None:
                wanted["queues"][c.queue] = _queue_row(c.queue, c.channel or "voice", 0)
            if c.agent and self._id(pending, "agents", c.agent) is None:
                wanted["agents"][c.agent] = {"key": c.agent, "name": c.agent}
            if c.customer and self._id(pending, "customers", c.customer) is None:
                wanted["customers"][c.customer] = _customer_row(c.customer)
        tables = {
            "queues": Queue.__table__,
            "agents": Agent.__table__,
            "customers": Customer.__table__,
        }
        for kind, rows in wanted.items():
            if rows:
                self._resolve(conn, tables[kind], rows, pending[kind])  # type: ignore[arg-type]

    def _contact_row(self, c: ContactFacts, pending: dict[str, dict[str, int]]) -> dict[str, Any]:
        def ts(value: datetime | None) -> datetime | None:
            return _naive(value) if value is not None else None

        return {
            "key": c.key,
            "channel": c.channel,
            "direction": c.direction,
            "queue_id": self._id(pending, "queues", c.queue),
            "customer_id": self._id(pending, "customers", c.customer),
            "agent_id": self._id(pending, "agents", c.agent),
            "segment": c.segment,
            "vip_tier": c.vip_tier,
            "priority": c.priority,
            "offered_at": ts(c.offered_at),
            "answered_at": ts(c.answered_at),
            "abandoned_at": ts(c.abandoned_at),
            "ended_at": ts(c.ended_at),
            "wrap_end_at": ts(c.wrap_end_at),
            "wait_seconds": c.wait_seconds,
            "talk_seconds": c.talk_seconds,
            "hold_seconds": c.hold_seconds,
            "acw_seconds": c.acw_seconds,
            "outcome": c.outcome,
            "reason": c.reason,
            "disposition": c.disposition,
            "resolved": c.resolved,
            "transferred_to": c.transferred_to,
        }

    def _states(
        self, conn: Connection, new: list[AgentStateEvent], pending: dict[str, dict[str, int]]
    ) -> int:
        earliest: dict[str, datetime] = {}
        for e in new:
            at = _naive(e.at)
            if e.agent not in earliest or at < earliest[e.agent]:
                earliest[e.agent] = at
        st = AgentStateInterval.__table__
        ev = EventRecord.__table__
        built: list[tuple[int, StateInterval]] = []
        for agent_key, first in earliest.items():
            agent_id = self._id(pending, "agents", agent_key)
            assert agent_id is not None
            before = conn.execute(
                select(func.max(st.c.start_at)).where(
                    and_(st.c.agent_id == agent_id, st.c.start_at < first)
                )
            ).scalar()
            since = before if before is not None else first
            conn.execute(delete(st).where(and_(st.c.agent_id == agent_id, st.c.start_at >= since)))
            bodies = conn.execute(
                select(ev.c.body).where(
                    and_(ev.c.agent_key == agent_key, ev.c.type == "agent.state", ev.c.at >= since)
                )
            ).scalars()
            events = [parse_event(b) for b in bodies]
            built.extend((agent_id, iv) for iv in build_state_intervals(events))  # type: ignore[arg-type]
        unknown = {
            iv.queue: _queue_row(iv.queue, "voice", 0)
            for _, iv in built
            if iv.queue and self._id(pending, "queues", iv.queue) is None
        }
        if unknown:
            self._resolve(conn, Queue.__table__, unknown, pending["queues"])  # type: ignore[arg-type]
        rows = [
            {
                "agent_id": agent_id,
                "state": iv.state,
                "reason": iv.reason,
                "queue_id": self._id(pending, "queues", iv.queue),
                "start_at": _naive(iv.start),
                "end_at": _naive(iv.end) if iv.end is not None else None,
            }
            for agent_id, iv in built
        ]
        _bulk_insert(conn, st, rows)  # type: ignore[arg-type]
        return len(rows)

    # -- the batch --------------------------------------------------------------------------
    def write(self, events: Sequence[Event], rejects: Iterable[RejectedInput] = ()) -> BatchResult:
        """Store a batch of events and rejects atomically; already-stored event ids are skipped."""
        result = BatchResult()
        unique: dict[str, Event] = {}
        for e in events:
            if e.id in unique:
                result.duplicates += 1
            else:
                unique[e.id] = e
        now = datetime.now(UTC).replace(tzinfo=None)
        reject_rows = [
            {
                "fingerprint": hashlib.sha256(
                    f"{r.source}\x00{r.position}\x00{r.raw}".encode()
                ).hexdigest(),
                "source": r.source,
                "position": r.position,
                "reason": r.reason,
                "raw": r.raw[:10000],
                "created_at": now,
            }
            for r in rejects
        ]
        result.rejected = len(reject_rows)
        committed_ids: dict[str, dict[str, int]] = {}
        with self.engine.begin() as conn:
            stored = _existing(conn, EventRecord.__table__.c.id, list(unique))
            new = [e for k, e in unique.items() if k not in stored]
            result.duplicates += len(stored)
            if new:
                _bulk_insert(
                    conn,
                    EventRecord.__table__,
                    [  # type: ignore[arg-type]
                        {
                            "id": e.id,
                            "type": e.type,
                            "at": _naive(e.at),
                            "contact_key": getattr(e, "contact", None),
                            "agent_key": e.agent if isinstance(e, AgentStateEvent) else None,
                            "body": e.model_dump_json(exclude_none=True),
                            "received_at": now,
                        }
                        for e in new
                    ],
                )
                pending = self._dimensions(conn, new)
                contact_events = [e for e in new if not isinstance(e, AgentStateEvent)]
                state_events = [e for e in new if isinstance(e, AgentStateEvent)]
                if contact_events:
                    result.contacts = self._contacts(conn, contact_events, pending)
                if state_events:
                    result.state_intervals = self._states(conn, state_events, pending)
            _insert_ignore(conn, Reject.__table__, reject_rows, "fingerprint")  # type: ignore[arg-type]
            if new:
                committed_ids = pending
        if not self._analyzed and new:
            # PostgreSQL plans the key lookups as sequential scans until the tables have
            # statistics; one ANALYZE after the first batch keeps later batches on the indexes.
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE events, contacts, agent_states, rejects")
            self._analyzed = True
        # Only after the commit: a rolled-back batch must not leave ids of vanished rows cached.
        for kind, ids in committed_ids.items():
            self._ids[kind].update(ids)
        result.accepted = len(new)
        result.accepted_ids = [e.id for e in new]
        return result


__all__ = ["BatchResult", "RejectedInput", "StoreWriter"]
