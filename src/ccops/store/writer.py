"""Apply a batch of canonical events to the store in one transaction.

Every accepted event is kept once in `events` (its id is the key, so re-sending changes nothing);
the contacts and agent state intervals they touch are re-folded from *all* their stored events, so
the facts do not depend on arrival order. A batch is all-or-nothing: a crash leaves the store as it
was before the batch, and running the same input again completes it.

Writing is split in two: `prepare_batch` does everything that needs no database (event rows,
folds of the batch's contacts, the batch's state intervals, the dimension keys) and may run in
another process; `StoreWriter.write_prepared` applies a prepared batch in one transaction, using
the prepared folds only where the store holds nothing else for that contact or agent and
re-folding from the stored events otherwise.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import pickle
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
    event_json,
    fold_contact,
    parse_event,
    state_interval_values,
)
from ccops.store.db import SQLITE_AUTOCHECKPOINT_PAGES
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
# Batches of at least this many events have their SQLite WAL checkpointed in the background.
BACKGROUND_CHECKPOINT_EVENTS = 10_000
# ... and the writer lets the log grow to at most about this size before it waits for one.
WAL_BOUND_BYTES = 256 << 20

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


@dataclass(slots=True)
class PreparedBatch:
    """A batch of events made ready for one store kind without reading the store.

    Built by `prepare_batch` (in any process: it holds only plain values, so it pickles cheaply)
    and applied by `StoreWriter.write_prepared`. Where a row needs a queue, agent or customer id
    it holds the key; the writer resolves keys to ids.
    """

    kind: str  # "sqlite" or another dialect name: the form timestamps are in
    events: list[tuple[Any, ...]] = field(default_factory=list)  # EVENT_COLUMNS order
    duplicates: int = 0  # ids repeated within the batch (the first one is kept)
    queues: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (channel, priority)
    agents: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    # The batch's contacts folded from the batch's events, CONTACT_COLUMNS order with keys for
    # queue_id, customer_id and agent_id; right for every contact the store has no row for yet.
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    # Per agent: key, earliest state change (naive UTC), the batch's intervals as
    # (state, reason, queue key, start, end); right when the store has nothing later.
    states: list[tuple[str, datetime, list[tuple[Any, ...]]]] = field(default_factory=list)


def dump_batch(batch: PreparedBatch) -> bytes:
    """A prepared batch as bytes for another process.

    SQLite batches hold only text, numbers and None (timestamps are text), which `marshal` writes
    and reads back in about half of pickle's time; other stores' batches hold datetimes and are
    pickled.
    """
    if batch.kind != "sqlite":
        return b"p" + pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
    states = [(agent, first.isoformat(), intervals) for agent, first, intervals in batch.states]
    fields = (
        batch.kind, batch.events, batch.duplicates, batch.queues, batch.agents, batch.customers,
        batch.contacts, states,
    )  # fmt: skip
    return b"m" + marshal.dumps(fields)


def load_batch(data: bytes) -> PreparedBatch:
    """The batch `dump_batch` wrote."""
    if data[:1] == b"p":
        return cast(PreparedBatch, pickle.loads(data[1:]))
    kind, events, duplicates, queues, agents, customers, contacts, states = marshal.loads(data[1:])
    return PreparedBatch(
        kind, events, duplicates, queues, agents, customers, contacts,
        [(agent, datetime.fromisoformat(first), ivs) for agent, first, ivs in states],
    )  # fmt: skip


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk write.

    A batch holds tens of thousands of events and rows, none of them in reference cycles; the
    collector's full passes over them cost a third of the ingest's time. Objects are still freed
    by reference counting, and the collector resumes (if it was on) when the block ends.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class WalCheckpointer:
    """Checkpoints a SQLite store's write-ahead log from a background thread.

    In a bulk write the writer's own automatic checkpoints copied each batch's pages into the
    database and waited for two fsyncs while the parsing process had to wait in turn: about a
    tenth of the ingest's wall time. Here a thread with its own connection runs a PASSIVE
    checkpoint after each commit (it never blocks the writer, and SQLite releases the GIL while
    it works); the writer turns its automatic checkpoints off for those batches. So the log
    does not grow without end, the writer waits for the running checkpoint whenever the log
    passes `bound` bytes, which lets the next transaction start the log again from its head.
    Durability is unchanged: a commit is in the log before it returns.
    """

    def __init__(self, path: str, bound: int | None = None) -> None:
        self.path = path
        self.bound = WAL_BOUND_BYTES if bound is None else bound
        self._kick = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stop = False
        self._wal = f"{path}-wal"
        self._thread = threading.Thread(target=self._run, name="ccops-wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            while True:
                self._kick.wait()
                self._kick.clear()
                if self._stop:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:  # pragma: no cover - a checkpoint is an optimisation
                    pass
                finally:
                    if not self._kick.is_set():
                        self._idle.set()
        finally:
            conn.close()
            self._idle.set()

    def committed(self) -> None:
        """A transaction committed: checkpoint what it wrote."""
        self._idle.clear()
        self._kick.set()

    def before_write(self) -> None:
        """Wait for the checkpoints of every commit so far if the log has grown past the bound.

        Once they have copied every frame, the next transaction starts the log again from its
        head, and SQLite truncates the file to `bound` when it commits (`journal_size_limit`:
        see `write_prepared`). So the file is over the bound exactly while the log is, whatever
        the thread's pace: it is the file, not the thread's last report, that is checked.
        """
        try:
            size = os.stat(self._wal).st_size
        except FileNotFoundError:
            return
        if size > self.bound:
            self._idle.wait()

    def close(self) -> None:
        """Finish the running checkpoint and end the thread."""
        self._idle.wait()
        self._stop = True
        self._kick.set()
        self._thread.join()


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


def _sqlite_text(d: datetime) -> str:
    """SQLAlchemy's SQLite text form of a UTC timestamp (what its DateTime type stores)."""
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 - 3x faster than isoformat
        d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond,
    )  # fmt: skip


def _stamper(kind: str) -> Callable[[datetime], Any]:
    """Timestamps (UTC) in the form the driver takes for `kind`, each datetime object converted
    once: a contact's and an interval's times are the same objects as its events' `at`."""
    form: Callable[[datetime], Any] = (
        _sqlite_text if kind == "sqlite" else (lambda d: d.replace(tzinfo=None))
    )
    memo: dict[int, tuple[datetime, Any]] = {}
    get = memo.get

    def stamp(d: datetime) -> Any:
        hit = get(id(d))
        if hit is not None and hit[0] is d:
            return hit[1]
        value = form(d)
        memo[id(d)] = (d, value)  # holding `d` keeps its id from being reused meanwhile
        return value

    return stamp


def _contact_values(c: ContactFacts, stamp: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """A folded contact in CONTACT_COLUMNS order, with queue, customer and agent as keys."""
    return (
        c.key, c.channel, c.direction, c.queue, c.customer, c.agent,
        c.segment, c.vip_tier, c.priority,
        stamp(c.offered_at) if c.offered_at else None,
        stamp(c.answered_at) if c.answered_at else None,
        stamp(c.abandoned_at) if c.abandoned_at else None,
        stamp(c.ended_at) if c.ended_at else None,
        stamp(c.wrap_end_at) if c.wrap_end_at else None,
        c.wait_seconds, c.talk_seconds, c.hold_seconds, c.acw_seconds,
        c.outcome, c.reason, c.disposition, c.resolved, c.transferred_to,
    )  # fmt: skip


def _interval_values(
    events: Sequence[AgentStateEvent], stamp: Callable[[datetime], Any]
) -> list[tuple[Any, ...]]:
    """An agent's intervals as (state, reason, queue key, start, end), timestamps stamped."""
    return [
        (state, reason, queue, stamp(start), stamp(end) if end else None)
        for _, state, start, end, reason, queue in state_interval_values(events)
    ]


def prepare_batch(
    events: Sequence[Event],
    bodies: Sequence[str | None] | None = None,
    kind: str = "sqlite",
    received: datetime | None = None,
) -> PreparedBatch:
    """Everything about a batch that needs no database: pure, so it can run in another process.

    `bodies`, when given, holds each event's JSON text as received (kept as the stored body; it
    parses to the same event), saving a re-serialisation. `kind` is the store's dialect name
    (timestamps are text on SQLite, naive datetimes elsewhere); `received` (default now) is the
    events' `received_at`. An id repeated within the batch counts as a duplicate; the first is kept.
    """
    stamp = _stamper(kind)
    now = received if received is not None else datetime.now(UTC)
    received_at = stamp(now)
    batch = PreparedBatch(kind)
    rows = batch.events
    append = rows.append
    seen: set[str] = set()
    by_contact: dict[str, list[ContactEvent]] = {}
    by_agent: dict[str, list[AgentStateEvent]] = {}
    queues = batch.queues
    agents: dict[str, None] = {}
    customers: dict[str, None] = {}
    duplicates = 0
    for i, e in enumerate(events):
        eid = e.id
        if eid in seen:
            duplicates += 1
            continue
        seen.add(eid)
        body = bodies[i] if bodies is not None else None
        if not body:
            body = event_json(e)
        if isinstance(e, AgentStateEvent):
            agent = e.agent
            append((eid, e.type, stamp(e.at), None, agent, body, received_at))
            found = by_agent.get(agent)
            if found is None:
                by_agent[agent] = [e]
                agents[agent] = None
            else:
                found.append(e)
            if e.queue and e.queue not in queues:
                queues[e.queue] = ("voice", 0)
            continue
        contact = e.contact
        append((eid, e.type, stamp(e.at), contact, None, body, received_at))
        listed = by_contact.get(contact)
        if listed is None:
            by_contact[contact] = [e]
        else:
            listed.append(e)
        if isinstance(e, ContactOffered):
            if e.queue not in queues:
                queues[e.queue] = (e.channel.value, e.priority or 0)
            if e.customer:
                customers[e.customer] = None
        elif isinstance(e, ContactAnswered):
            agents[e.agent] = None
    batch.duplicates = duplicates
    batch.agents = list(agents)
    batch.customers = list(customers)
    batch.contacts = [
        _contact_values(fold_contact(key, evs), stamp) for key, evs in by_contact.items()
    ]
    batch.states = [
        (agent, _naive(min(e.at for e in evs)), _interval_values(evs, stamp))
        for agent, evs in by_agent.items()
    ]
    return batch


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


def _agent_row(key: str) -> dict[str, Any]:
    """An agent first seen in events, named by its key."""
    return {"key": key, "name": key}


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


def _driver(conn: Connection) -> Any:
    """The DBAPI connection under `conn`, in the transaction SQLAlchemy began."""
    return conn.connection.driver_connection


def _insert_ignore(
    conn: Connection, table: Table, rows: list[dict[str, Any]], key: str, plain: bool = False
) -> None:
    """Insert the rows whose `key` is not in `table` yet. `plain` rows hold only values the
    driver takes as they are (no timestamps), so SQLite gets them without SQLAlchemy's
    per-row processing."""
    if not rows:
        return
    if conn.dialect.name == "sqlite" and plain:
        names = list(rows[0])
        sql = (
            f'INSERT OR IGNORE INTO "{table.name}" ({", ".join(names)}) '
            f"VALUES ({', '.join(':' + n for n in names)})"
        )
        _driver(conn).executemany(sql, rows)
    elif conn.dialect.name == "sqlite":
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

# The dimension tables a batch creates rows in on first sight, and each one's new row.
DIMENSIONS: dict[str, tuple[Table, Callable[[str], dict[str, Any]]]] = {
    "queues": (QUEUES, lambda key: _queue_row(key, "voice", 0)),
    "agents": (AGENTS, _agent_row),
    "customers": (CUSTOMERS, _customer_row),
}


def _bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows through the driver directly (COPY on PostgreSQL).

    SQLAlchemy's per-row parameter processing is the ingest's bottleneck otherwise, so rows come
    as tuples in `columns` order with timestamps already in the engine's form (`_stamper`).
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cursor = _driver(conn).cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row(r)
        return
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    _driver(conn).executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


def _lookup(
    conn: Connection, table: Table, columns: tuple[str, ...], key: str, values: Sequence[Any]
) -> Iterator[tuple[Any, ...]]:
    """Rows (`columns`) of `table` whose `key` column is in `values`, through the driver: one
    `= ANY(array)` on PostgreSQL, IN lists of CHUNK keys on SQLite (SQLAlchemy's rendering of
    thousands of bound parameters per lookup costs more than the lookup)."""
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = _driver(conn).cursor()
    if conn.dialect.name == "postgresql":
        cursor.execute(f'SELECT {names} FROM "{table.name}" WHERE "{key}" = ANY(%s)', (values,))
        yield from cursor.fetchall()
        return
    for part in _chunks(values):
        marks = ", ".join("?" for _ in part)
        cursor.execute(f'SELECT {names} FROM "{table.name}" WHERE "{key}" IN ({marks})', part)
        yield from cursor.fetchall()


def _existing(conn: Connection, column: Any, values: Sequence[Any]) -> set[Any]:
    """The values of `column` (a text column) already in its table."""
    return {v for (v,) in _lookup(conn, column.table, (column.name,), column.name, list(values))}


def _key_ids(conn: Connection, table: Table, keys: Sequence[str]) -> dict[str, int]:
    """The ids of the rows of `table` with these keys (those that exist)."""
    return dict(_lookup(conn, table, ("key", "id"), "key", list(keys)))


class StoreWriter:
    """Writes event batches to one store; keeps a cache of dimension keys to row ids."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.kind = engine.dialect.name
        self._ids: dict[str, dict[str, int]] = {name: {} for name in DIMENSIONS}
        self._analyzed = engine.dialect.name != "postgresql"
        database = engine.url.database if self.kind == "sqlite" else None
        self._wal_path = database if database and database != ":memory:" else None
        self._checkpointer: WalCheckpointer | None = None

    def close(self) -> None:
        """Finish background work (a running WAL checkpoint); the writer may be used again."""
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None

    def _bulk_checkpointer(self, events: int) -> WalCheckpointer | None:
        """The background checkpointer for a batch of `events`, started on first need."""
        if self._wal_path is None or events < BACKGROUND_CHECKPOINT_EVENTS:
            return None
        if self._checkpointer is None:
            self._checkpointer = WalCheckpointer(self._wal_path)
        return self._checkpointer

    # -- dimensions -------------------------------------------------------------------------
    def _resolve(
        self,
        conn: Connection,
        kind: str,
        keys: Iterable[str],
        ids: dict[str, int],
        new_row: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        """Put the id of every key into `ids`, creating rows for keys seen for the first time."""
        table, default_row = DIMENSIONS[kind]
        make = new_row or default_row
        cache = self._ids[kind].get
        missing = []
        for key in keys:
            if key in ids:
                continue
            found = cache(key)
            if found is None:
                missing.append(key)
            else:
                ids[key] = found
        if missing:
            _insert_ignore(conn, table, [make(k) for k in missing], "key", plain=True)
            ids.update(_key_ids(conn, table, missing))

    def _dimensions(self, conn: Connection, batch: PreparedBatch) -> dict[str, dict[str, int]]:
        """Ids of every queue, agent and customer the batch names (created on first sight)."""
        ids: dict[str, dict[str, int]] = {name: {} for name in DIMENSIONS}
        first_seen = batch.queues
        self._resolve(
            conn, "queues", first_seen, ids["queues"], lambda k: _queue_row(k, *first_seen[k])
        )
        self._resolve(conn, "agents", batch.agents, ids["agents"])
        self._resolve(conn, "customers", batch.customers, ids["customers"])
        return ids

    # -- facts ------------------------------------------------------------------------------
    def _contacts(
        self, conn: Connection, values: list[tuple[Any, ...]], ids: dict[str, dict[str, int]]
    ) -> int:
        table = CONTACTS
        known = _key_ids(conn, table, [v[0] for v in values])
        again: list[tuple[Any, ...]] = []
        if known:
            # Contacts seen in earlier batches: re-fold from every stored event of theirs.
            values = [v for v in values if v[0] not in known]
            by_contact: dict[str, list[ContactEvent]] = {k: [] for k in known}
            for contact_key, body in _lookup(
                conn, EVENTS, ("contact_key", "body"), "contact_key", list(known)
            ):
                by_contact[contact_key].append(cast(ContactEvent, parse_event(body)))
            stamp = _stamper(self.kind)
            again = [_contact_values(fold_contact(k, evs), stamp) for k, evs in by_contact.items()]
            channel = {v[3]: v[1] or "voice" for v in again if v[3]}
            self._resolve(
                conn, "queues", channel, ids["queues"], lambda k: _queue_row(k, channel[k], 0)
            )
            self._resolve(conn, "customers", {v[4] for v in again if v[4]}, ids["customers"])
            self._resolve(conn, "agents", {v[5] for v in again if v[5]}, ids["agents"])
            for part in _chunks(list(known.values())):
                conn.execute(delete(table).where(table.c.id.in_(part)))
        queue = ids["queues"].get
        customer = ids["customers"].get
        agent = ids["agents"].get
        _bulk_insert(
            conn,
            table,
            ("id", *CONTACT_COLUMNS),
            [
                (known[v[0]], v[0], v[1], v[2], queue(v[3]), customer(v[4]), agent(v[5]), *v[6:])
                for v in again
            ],
        )
        _bulk_insert(
            conn,
            table,
            CONTACT_COLUMNS,
            [(v[0], v[1], v[2], queue(v[3]), customer(v[4]), agent(v[5]), *v[6:]) for v in values],
        )
        return len(values) + len(again)

    def _states(
        self,
        conn: Connection,
        per_agent: list[tuple[str, datetime, list[tuple[Any, ...]]]],
        ids: dict[str, dict[str, int]],
    ) -> int:
        st = STATES
        agent_ids = ids["agents"]
        latest: dict[int, datetime] = {}
        for part in _chunks([agent_ids[key] for key, _, _ in per_agent]):
            for agent_id, start in conn.execute(
                select(st.c.agent_id, func.max(st.c.start_at))
                .where(st.c.agent_id.in_(part))
                .group_by(st.c.agent_id)
            ):
                latest[agent_id] = start
        built: list[tuple[int, list[tuple[Any, ...]]]] = []
        closes: list[dict[str, Any]] = []
        for agent_key, first, intervals in per_agent:
            agent_id = agent_ids[agent_key]
            last_start = latest.get(agent_id)
            if last_start is None or last_start < first:
                # In order (the usual case): close the open interval, append the new ones.
                if last_start is not None:
                    closes.append({"a": agent_id, "s": last_start, "e": first})
            else:
                intervals = _interval_values(
                    self._rebuild_states(conn, agent_id, agent_key, first), _stamper(self.kind)
                )
            built.append((agent_id, intervals))
        if closes:
            conn.execute(
                st.update()
                .where(and_(st.c.agent_id == bindparam("a"), st.c.start_at == bindparam("s")))
                .values(end_at=bindparam("e")),
                closes,
            )
        queue_ids = ids["queues"]
        self._resolve(conn, "queues", {iv[2] for _, ivs in built for iv in ivs if iv[2]}, queue_ids)
        queue = queue_ids.get
        rows = [
            (agent_id, state, reason, queue(q), start, end)
            for agent_id, intervals in built
            for state, reason, q, start, end in intervals
        ]
        _bulk_insert(conn, st, STATE_COLUMNS, rows)
        return len(rows)

    def _rebuild_states(
        self, conn: Connection, agent_id: int, agent_key: str, first: datetime
    ) -> list[AgentStateEvent]:
        """Out of order: delete the agent's intervals from the one before `first` on and return
        the state events to rebuild them from."""
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
        return [cast(AgentStateEvent, parse_event(b)) for b in bodies]

    def _insert_events(
        self, conn: Connection, rows: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """Insert the event rows not stored yet; return them."""
        if not rows:
            return []
        if conn.dialect.name == "sqlite":
            # Usually every event is new: insert optimistically and check the count; only a
            # batch holding already-stored ids pays for the lookup.
            savepoint = conn.begin_nested()
            cursor = _driver(conn).cursor()
            cursor.executemany(
                f"INSERT OR IGNORE INTO events ({', '.join(EVENT_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})",
                rows,
            )
            if cursor.rowcount == len(rows):
                savepoint.commit()
                return rows
            savepoint.rollback()
        stored = _existing(conn, EVENTS.c.id, [r[0] for r in rows])
        new = [r for r in rows if r[0] not in stored] if stored else rows
        _bulk_insert(conn, EVENTS, EVENT_COLUMNS, new)
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
        with paused_gc():
            return self.write_prepared(prepare_batch(events, bodies, self.kind), rejects)

    def write_prepared(
        self, batch: PreparedBatch, rejects: Iterable[RejectedInput] = ()
    ) -> BatchResult:
        """Store a prepared batch (see `prepare_batch`) and rejects in one transaction."""
        if batch.kind != self.kind:
            raise ValueError(f"a batch prepared for {batch.kind} cannot go to {self.kind}")
        result = BatchResult(duplicates=batch.duplicates)
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
        checkpointer = self._bulk_checkpointer(len(batch.events))
        if checkpointer is not None:
            checkpointer.before_write()
        with paused_gc(), self.engine.begin() as conn:
            if self.kind == "sqlite":
                # Off while the background thread checkpoints; the usual bound otherwise.
                pages = 0 if checkpointer is not None else SQLITE_AUTOCHECKPOINT_PAGES
                limit = checkpointer.bound if checkpointer is not None else -1
                conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={pages}")
                conn.exec_driver_sql(f"PRAGMA journal_size_limit={limit}")
            new = self._insert_events(conn, batch.events)
            if len(new) < len(batch.events):
                # Some were stored already (a re-run, or an overlapping source): the facts come
                # from the new events only, as if the batch had held just those.
                result.duplicates += len(batch.events) - len(new)
                body = EVENT_COLUMNS.index("body")
                batch = prepare_batch(
                    [parse_event(r[body]) for r in new], [r[body] for r in new], self.kind
                )
            if new:
                ids = self._dimensions(conn, batch)
                if batch.contacts:
                    result.contacts = self._contacts(conn, batch.contacts, ids)
                if batch.states:
                    result.state_intervals = self._states(conn, batch.states, ids)
                committed_ids = ids
            _insert_ignore(conn, REJECTS, reject_rows, "fingerprint")
        if checkpointer is not None:
            checkpointer.committed()
        if not self._analyzed and new:
            # PostgreSQL plans the key lookups as sequential scans until the tables have
            # statistics; one ANALYZE after the first batch keeps later batches on the indexes.
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE events, contacts, agent_states, rejects")
            self._analyzed = True
        # Only after the commit: a rolled-back batch must not leave ids of vanished rows cached.
        for kind, found in committed_ids.items():
            self._ids[kind].update(found)
        result.accepted = len(new)
        result.accepted_ids = [r[0] for r in new]
        return result


__all__ = [
    "BatchResult",
    "PreparedBatch",
    "RejectedInput",
    "StoreWriter",
    "WalCheckpointer",
    "dump_batch",
    "load_batch",
    "paused_gc",
    "prepare_batch",
]
