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
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, and_, bindparam, delete, func, insert, select
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

EVENTS = cast(Table, EventRecord.__table__)
CONTACTS = cast(Table, Contact.__table__)
STATES = cast(Table, AgentStateInterval.__table__)
QUEUES = cast(Table, Queue.__table__)
AGENTS = cast(Table, Agent.__table__)
CUSTOMERS = cast(Table, Customer.__table__)
REJECTS = cast(Table, Reject.__table__)

CHUNK = 5000  # keys per IN (...) lookup; SQLite allows 32,766 parameters

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
    """Naive UTC, the store's form (events already carry UTC, so this only drops the zone)."""
    if ts.tzinfo is None:
        return ts
    if ts.utcoffset():
        ts = ts.astimezone(UTC)
    return ts.replace(tzinfo=None)


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


EVENT_COLUMNS = ("id", "type", "at", "contact_key", "agent_key", "body", "received_at")
STATE_COLUMNS = ("agent_id", "state", "reason", "queue_id", "start_at", "end_at")
CONTACT_COLUMNS = (
    "key", "channel", "direction", "queue_id", "customer_id", "agent_id", "segment", "vip_tier",
    "priority", "offered_at", "answered_at", "abandoned_at", "ended_at", "wrap_end_at",
    "wait_seconds", "talk_seconds", "hold_seconds", "acw_seconds", "outcome", "reason",
    "disposition", "resolved", "transferred_to",
)  # fmt: skip


def _bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows through the driver directly (COPY on PostgreSQL).

    SQLAlchemy's per-row parameter processing is the ingest's bottleneck otherwise, so rows come
    as tuples in `columns` order with timestamps already in the engine's form (`_stamp`).
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row(r)
        return
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


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
        # How timestamps go to the driver: naive UTC; SQLite keeps SQLAlchemy's ISO text form.
        # Event timestamps are UTC already, so dropping the "+00:00" suffix is exact.
        self._stamp: Any = (
            (lambda d: d.isoformat(" ", "microseconds")[:26])
            if engine.dialect.name == "sqlite"
            else (lambda d: d.replace(tzinfo=None))
        )

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
        self._resolve(conn, QUEUES, queues, pending["queues"])
        self._resolve(conn, AGENTS, agents, pending["agents"])
        self._resolve(conn, CUSTOMERS, customers, pending["customers"])
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
        table = CONTACTS
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
            ev = EVENTS
            for k in known:
                by_contact[k] = []
            for part in _chunks(list(known)):
                for contact_key, body in conn.execute(
                    select(ev.c.contact_key, ev.c.body).where(ev.c.contact_key.in_(part))
                ):
                    by_contact[contact_key].append(cast(ContactEvent, parse_event(body)))
            for part in _chunks(list(known.values())):
                conn.execute(delete(table).where(table.c.id.in_(part)))
        folded = [fold_contact(key, events) for key, events in by_contact.items()]
        self._ensure_known(conn, folded, pending)
        fresh = [self._contact_row(c, pending) for c in folded if c.key not in known]
        again = [(known[c.key], *self._contact_row(c, pending)) for c in folded if c.key in known]
        _bulk_insert(conn, table, ("id", *CONTACT_COLUMNS), again)
        _bulk_insert(conn, table, CONTACT_COLUMNS, fresh)
        return len(folded)

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
            "queues": QUEUES,
            "agents": AGENTS,
            "customers": CUSTOMERS,
        }
        for kind, rows in wanted.items():
            if rows:
                self._resolve(conn, tables[kind], rows, pending[kind])

    def _contact_row(self, c: ContactFacts, pending: dict[str, dict[str, int]]) -> tuple[Any, ...]:
        """The contact as a row tuple in CONTACT_COLUMNS order."""
        stamp = self._stamp
        ids = self._ids
        queue = ids["queues"].get(c.queue) if c.queue else None
        agent = ids["agents"].get(c.agent) if c.agent else None
        customer = ids["customers"].get(c.customer) if c.customer else None
        return (
            c.key, c.channel, c.direction,
            queue if queue is not None else self._id(pending, "queues", c.queue),
            customer if customer is not None else self._id(pending, "customers", c.customer),
            agent if agent is not None else self._id(pending, "agents", c.agent),
            c.segment, c.vip_tier, c.priority,
            stamp(c.offered_at) if c.offered_at else None,
            stamp(c.answered_at) if c.answered_at else None,
            stamp(c.abandoned_at) if c.abandoned_at else None,
            stamp(c.ended_at) if c.ended_at else None,
            stamp(c.wrap_end_at) if c.wrap_end_at else None,
            c.wait_seconds, c.talk_seconds, c.hold_seconds, c.acw_seconds,
            c.outcome, c.reason, c.disposition, c.resolved, c.transferred_to,
        )  # fmt: skip

    def _states(
        self, conn: Connection, new: list[AgentStateEvent], pending: dict[str, dict[str, int]]
    ) -> int:
        by_agent: dict[str, list[AgentStateEvent]] = defaultdict(list)
        for e in new:
            by_agent[e.agent].append(e)
        st = STATES
        agent_ids = {k: self._id(pending, "agents", k) for k in by_agent}
        latest: dict[int, datetime] = {}
        for part in _chunks([i for i in agent_ids.values() if i is not None]):
            for agent_id, start in conn.execute(
                select(st.c.agent_id, func.max(st.c.start_at))
                .where(st.c.agent_id.in_(part))
                .group_by(st.c.agent_id)
            ):
                latest[agent_id] = start
        built: list[tuple[int, StateInterval]] = []
        closes: list[dict[str, Any]] = []
        for agent_key, events in by_agent.items():
            agent_id = agent_ids[agent_key]
            assert agent_id is not None
            first = min(_naive(e.at) for e in events)
            last_start = latest.get(agent_id)
            if last_start is None or last_start < first:
                # In order (the usual case): close the open interval, append the new ones.
                intervals = build_state_intervals(events)
                if last_start is not None:
                    closes.append({"a": agent_id, "s": last_start, "e": first})
            else:
                intervals = self._rebuild_states(conn, agent_id, agent_key, first)
            built.extend((agent_id, iv) for iv in intervals)
        if closes:
            conn.execute(
                st.update()
                .where(and_(st.c.agent_id == bindparam("a"), st.c.start_at == bindparam("s")))
                .values(end_at=bindparam("e")),
                closes,
            )
        unknown = {
            iv.queue: _queue_row(iv.queue, "voice", 0)
            for _, iv in built
            if iv.queue and self._id(pending, "queues", iv.queue) is None
        }
        if unknown:
            self._resolve(conn, QUEUES, unknown, pending["queues"])
        stamp = self._stamp
        rows = [
            (agent_id, iv.state, iv.reason, self._id(pending, "queues", iv.queue),
             stamp(iv.start), stamp(iv.end) if iv.end is not None else None)
            for agent_id, iv in built
        ]  # fmt: skip
        _bulk_insert(conn, st, STATE_COLUMNS, rows)
        return len(rows)

    def _rebuild_states(
        self, conn: Connection, agent_id: int, agent_key: str, first: datetime
    ) -> list[StateInterval]:
        """Out of order: rebuild the agent's intervals from the one before `first` onwards."""
        st = STATES
        ev = EVENTS
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
        return build_state_intervals([parse_event(b) for b in bodies])  # type: ignore[misc]

    def _insert_events(
        self,
        conn: Connection,
        unique: dict[str, Event],
        texts: dict[str, str | None],
        now: datetime,
    ) -> list[Event]:
        """Insert the events not stored yet; return them."""
        stamp = self._stamp
        received = stamp(now)

        def rows(events: Iterable[Event]) -> list[tuple[Any, ...]]:
            return [
                (
                    e.id,
                    e.type,
                    stamp(e.at),
                    getattr(e, "contact", None),
                    getattr(e, "agent", None) if e.type == "agent.state" else None,
                    texts[e.id] or e.model_dump_json(exclude_none=True),
                    received,
                )
                for e in events
            ]

        table = EVENTS
        if not unique:
            return []
        if conn.dialect.name == "sqlite":
            # Usually every event is new: insert optimistically and check the count; only a
            # batch holding already-stored ids pays for the lookup.
            savepoint = conn.begin_nested()
            names = ", ".join(EVENT_COLUMNS)
            marks = ", ".join("?" for _ in EVENT_COLUMNS)
            cursor = conn.exec_driver_sql(
                f"INSERT OR IGNORE INTO events ({names}) VALUES ({marks})",
                rows(unique.values()),
            )
            if cursor.rowcount == len(unique):
                savepoint.commit()
                return list(unique.values())
            savepoint.rollback()
        stored = _existing(conn, table.c.id, list(unique))
        new = [e for k, e in unique.items() if k not in stored]
        _bulk_insert(conn, table, EVENT_COLUMNS, rows(new))
        return new

    # -- the batch --------------------------------------------------------------------------
    def write(
        self,
        events: Sequence[Event],
        rejects: Iterable[RejectedInput] = (),
        bodies: Sequence[str | None] | None = None,
    ) -> BatchResult:
        """Store a batch of events and rejects atomically; already-stored event ids are skipped.

        `bodies`, when given, holds each event's JSON text as received (kept as the event's
        stored body; it parses to the same event), saving a re-serialisation.
        """
        result = BatchResult()
        unique: dict[str, Event] = {}
        texts: dict[str, str | None] = {}
        for i, e in enumerate(events):
            if e.id in unique:
                result.duplicates += 1
            else:
                unique[e.id] = e
                texts[e.id] = bodies[i] if bodies is not None else None
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
            new = self._insert_events(conn, unique, texts, now)
            result.duplicates += len(unique) - len(new)
            if new:
                pending = self._dimensions(conn, new)
                contact_events = [e for e in new if not isinstance(e, AgentStateEvent)]
                state_events = [e for e in new if isinstance(e, AgentStateEvent)]
                if contact_events:
                    result.contacts = self._contacts(conn, contact_events, pending)
                if state_events:
                    result.state_intervals = self._states(conn, state_events, pending)
            _insert_ignore(conn, REJECTS, reject_rows, "fingerprint")
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
