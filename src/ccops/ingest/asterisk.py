"""Asterisk importers: queue_log (every event, Asterisk 1.4 to 22), cdr_csv Master.csv, follow.

The parsers are pure generators from lines to canonical events or `Rejected` items; the
`import_*` functions feed them into an `Ingestor`. docs/importers.md says how each queue_log
event maps to canonical events and why. This module also holds the small pieces every importer
shares (`Rejected`, `ParseStats`, `ImportResult`, `feed`, the fast event builders).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, delete, insert, select

from ccops.events import (
    AgentState,
    AgentStateEvent,
    Channel,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    ContactWrapped,
    Direction,
    Event,
    Outcome,
    trusted_builder,
)
from ccops.ingest.pipeline import (
    DEFAULT_BATCH,
    Ingestor,
    IngestSummary,
    SecondProcessJob,
    parallel_by_default,
    write_from_second_process,
)
from ccops.store.models import ImportCheckpoint
from ccops.store.writer import StoreWriter, paused_gc

# -- shared by every importer -------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Rejected:
    """An input record that could not become events: where it was, what it was, and why."""

    position: int
    raw: str
    reason: str


@dataclass(slots=True)
class ParseStats:
    """What a parser saw: records read (not blank), blank lines, records that build no event."""

    lines: int = 0
    blank: int = 0
    ignored: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class ImportResult:
    """The ingest summary (lines read, events, contacts, states, rejects) and parser counts."""

    summary: IngestSummary
    stats: ParseStats


MAX_KEY = 200
MAX_TEXT = 200
MAX_SECONDS = 10_000_000.0


_builder = trusted_builder


_NEW = object.__new__
_PUT = object.__setattr__
_FIELDS_SET: set[str] = set()  # shared and never mutated: the models are frozen


def _new(cls: Any, values: dict[str, Any]) -> Any:
    """An event from a dict holding every field of `cls` (the hot path of queue_log parsing)."""
    obj = _NEW(cls)
    _PUT(obj, "__dict__", values)
    _PUT(obj, "__pydantic_fields_set__", _FIELDS_SET)
    _PUT(obj, "__pydantic_extra__", None)
    _PUT(obj, "__pydantic_private__", None)
    return obj


offered = _builder(ContactOffered)
answered = _builder(ContactAnswered)
abandoned = _builder(ContactAbandoned)
transferred = _builder(ContactTransferred)
ended = _builder(ContactEnded)
wrapped = _builder(ContactWrapped)
agent_state = _builder(AgentStateEvent)


def event_id(text: str) -> str:
    """`text` as an event id, hashed when longer than an id may be (200 characters)."""
    if len(text) <= MAX_KEY:
        return text
    return text.split(":", 1)[0] + ":h:" + hashlib.sha1(text.encode()).hexdigest()


def feed(ingestor: Ingestor, items: Iterable[Event | Rejected]) -> None:
    """Hand parsed items to the ingestor: events are added, rejects kept with line and reason."""
    add = ingestor.add_event
    reject = ingestor.reject
    with paused_gc():  # a batch's events are acyclic: full collections over them are waste
        for item in items:
            if type(item) is Rejected:
                reject(item.position, item.raw, item.reason)
            else:
                add(item)  # type: ignore[arg-type]


def finish(ingestor: Ingestor, stats: ParseStats) -> ImportResult:
    """Flush the ingestor; report lines (not events) as read, as the summary promises."""
    summary = ingestor.close()
    summary.read = stats.lines
    summary.blank = stats.blank
    return ImportResult(summary, stats)


def import_file(
    engine: Engine | StoreWriter,
    path: Path,
    producer: Callable[[Path, Any, Callable[[int], None] | None], Generator[Any, None, ParseStats]],
    options: Any = None,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> ImportResult:
    """Import `path` through an importer's `producer` (its events and rejects, then its counts).

    With `parallel` (default: files of 8 MB or more on two cores or more) the producer runs in a
    second process that also prepares each batch while this one writes the previous batch; the
    store ends the same either way. `producer` must be a module-level function.
    """
    ingestor = Ingestor(engine, source=str(path), batch_size=batch_size)
    if parallel_by_default(path, parallel):
        job = SecondProcessJob(
            str(path), str(path), batch_size, ingestor.writer.kind,
            f"{producer.__module__}:{producer.__qualname__}", options,
        )  # fmt: skip
        stats: ParseStats = write_from_second_process(ingestor, job, on_progress)
        return finish(ingestor, stats)
    items = producer(path, options, on_progress)
    add = ingestor.add_event
    reject = ingestor.reject
    with paused_gc():
        while True:
            try:
                item = next(items)
            except StopIteration as done:
                return finish(ingestor, done.value)
            if type(item) is Rejected:
                reject(item.position, item.raw, item.reason)
            else:
                add(item)


def progress_lines(
    fh: IO[bytes], on_progress: Callable[[int], None] | None, every: int = 8192
) -> Iterator[bytes]:
    """The file's lines, reporting bytes read to `on_progress` every `every` lines."""
    if on_progress is None:
        yield from fh
        return
    n = 0
    size = 0
    for line in fh:
        size += len(line)
        n += 1
        if n == every:
            on_progress(size)
            n = size = 0
        yield line
    if size:
        on_progress(size)


# -- queue_log ----------------------------------------------------------------------------------

MEMBER_CALLIDS = frozenset(("NONE", "REALTIME", "MANAGER", "CLI", "AMI", ""))
# Events Asterisk writes that carry nothing for contacts or states (kept as "ignored" counts).
IGNORED_EVENTS = frozenset(
    ("QUEUESTART", "CONFIGRELOAD", "AGENTDUMP", "SYSCOMPAT", "PENALTY", "RINGINUSE", "INFO")
)
# Reasons of PAUSE that name a more precise state than `away` (first match wins).
PAUSE_REASON_STATES = (
    ("lunch", AgentState.lunch),
    ("break", AgentState.break_),
    ("training", AgentState.training),
    ("meeting", AgentState.meeting),
)
MAX_PENDING = 10_000  # custom-event attributes waiting for their call's next contact event
EPOCH_MAX = 4_102_444_800  # 2100-01-01

# Rank of a derived state among those at the same instant (ids sort by it): the state restored
# at a call's or a ring's end loses to anything else that happens in that same second.
RANK_RESTORE = "0"
RANK_MEMBER = "5"
RANK_RINGING = "6"
RANK_TALKING = "7"


@dataclass(slots=True)
class QueueLogOptions:
    """Choices that are the center's, not Asterisk's: how each queue exit counts, and whether
    calls also drive agent states (ringing before an answer, talking, back after the call)."""

    call_states: bool = True
    exit_outcomes: dict[str, Outcome] = field(
        default_factory=lambda: {
            "ABANDON": Outcome.abandoned,
            "EXITWITHTIMEOUT": Outcome.voicemail,
            "EXITEMPTY": Outcome.voicemail,
            "EXITWITHKEY": Outcome.callback_requested,
            "WITHDRAW": Outcome.transferred,
        }
    )


# (fewest data fields, {index: name} of the data fields that must be whole numbers)
_LAYOUT: dict[str, tuple[int, dict[int, str]]] = {
    "ENTERQUEUE": (2, {}),
    "CONNECT": (1, {0: "holdtime"}),
    "COMPLETECALLER": (2, {0: "holdtime", 1: "calltime"}),
    "COMPLETEAGENT": (2, {0: "holdtime", 1: "calltime"}),
    "ABANDON": (3, {0: "position", 1: "origposition", 2: "waittime"}),
    "EXITWITHTIMEOUT": (1, {0: "position"}),
    "EXITEMPTY": (1, {0: "position"}),
    "EXITWITHKEY": (1, {}),
    "WITHDRAW": (1, {}),
    "RINGNOANSWER": (1, {0: "ringtime_ms"}),
    "RINGCANCELED": (1, {0: "ringtime_ms"}),
    "TRANSFER": (4, {2: "holdtime", 3: "calltime"}),
    "BLINDTRANSFER": (4, {2: "holdtime", 3: "calltime"}),
    "ATTENDEDTRANSFER": (4, {2: "holdtime", 3: "calltime"}),
}


# The same, as (fewest fields on the line, indexes of the numeric fields) for the hot loop.
_FAST_LAYOUT = {
    name: (5 + fewest, tuple(5 + i for i in numeric)) for name, (fewest, numeric) in _LAYOUT.items()
}


class _Bad(Exception):
    """A line's field is wrong; the message names the field."""


def _int(value: str, name: str, event: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _Bad(f"{name}: {value[:40]!r} is not a whole number ({event})") from None
    if number < 0 or number > MAX_SECONDS * 1000:
        raise _Bad(f"{name}: {number} is out of range ({event})")
    return number


def _optional_int(data: list[str], index: int) -> int | None:
    if len(data) > index:
        value = data[index]
        if value.isdigit() and len(value) < 12:
            return int(value)
    return None


def _pause_state(reason: str) -> AgentState:
    low = reason.lower()
    for word, state in PAUSE_REASON_STATES:
        if word in low:
            return state
    return AgentState.away


_STATE_TEXT = {s: s.value for s in AgentState}
_AVAILABLE: tuple[AgentState, str | None] = (AgentState.available, None)
_RINGING = AgentState.ringing
_TALKING = AgentState.talking
_VOICE = Channel.voice
_INBOUND = Direction.inbound
_NO_CALLER = frozenset(("unknown", "anonymous", "<unknown>"))
_HUNG_UP = {"COMPLETECALLER": "caller", "COMPLETEAGENT": "agent"}
_HANDLED = Outcome.handled


class QueueLogParser:
    """Turns queue_log lines into canonical events. Keeps a little state per agent (membership,
    paused or not) and per call (custom-event attributes waiting for the call's next event)."""

    def __init__(self, options: QueueLogOptions | None = None) -> None:
        self.options = options or QueueLogOptions()
        self._call_states = self.options.call_states
        self.members: dict[str, set[str]] = {}
        self.base: dict[str, tuple[AgentState, str | None]] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self._last_ts = ""
        self._last_at = datetime(1970, 1, 1, tzinfo=UTC)
        self._last_ms = 0
        self._handlers: dict[str, Callable[..., list[Any]]] = {
            "ENTERQUEUE": self._enterqueue,
            "CONNECT": self._connect,
            "COMPLETECALLER": self._complete,
            "COMPLETEAGENT": self._complete,
            "ABANDON": self._exit,
            "EXITWITHTIMEOUT": self._exit,
            "EXITEMPTY": self._exit,
            "EXITWITHKEY": self._exit,
            "WITHDRAW": self._exit,
            "RINGNOANSWER": self._ring,
            "RINGCANCELED": self._ring,
            "TRANSFER": self._transfer,
            "BLINDTRANSFER": self._transfer,
            "ATTENDEDTRANSFER": self._transfer,
            "ADDMEMBER": self._addmember,
            "REMOVEMEMBER": self._removemember,
            "PAUSE": self._pause,
            "PAUSEALL": self._pause,
            "UNPAUSE": self._unpause,
            "UNPAUSEALL": self._unpause,
            "AGENTLOGIN": self._login,
            "AGENTCALLBACKLOGIN": self._login,
            "AGENTLOGOFF": self._logoff,
            "AGENTCALLBACKLOGOFF": self._logoff,
        }

    # -- the line ----------------------------------------------------------------------------
    def parse(
        self, lines: Iterable[bytes | str], stats: ParseStats | None = None, first_line: int = 1
    ) -> Iterator[Event | Rejected]:
        """Events and rejects from queue_log lines; blank lines are counted, never rejected."""
        stats = stats if stats is not None else ParseStats()
        handlers = self._handlers
        layouts = _FAST_LAYOUT
        ignored = stats.ignored
        number = first_line - 1
        for raw in lines:
            number += 1
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            text = text.rstrip("\r\n")
            if not text or text.isspace():
                stats.blank += 1
                continue
            stats.lines += 1
            if "\x00" in text:
                yield Rejected(
                    number, text.replace("\x00", "\\x00"), "line: contains a NUL character"
                )
                continue
            parts = text.split("|")
            if len(parts) < 5:
                yield Rejected(
                    number,
                    text,
                    f"fields: {len(parts)} field(s), a line has at least 5 "
                    "(time|callid|queue|agent|event)",
                )
                continue
            ts = parts[0]
            name = parts[4]
            try:
                if ts == self._last_ts:
                    at = self._last_at
                else:
                    at = self._at(ts)
                handler = handlers.get(name)
                if handler is None:
                    events = self._other(name, parts, ignored)
                else:
                    layout = layouts.get(name)
                    if layout is not None:
                        fewest, numeric = layout
                        if len(parts) < fewest:
                            self._check(name, parts, _LAYOUT[name])
                        for index in numeric:
                            value = parts[index]
                            if not (value.isdigit() and value.isascii() and len(value) < 12):
                                self._check(name, parts, _LAYOUT[name])
                    events = handler(name, at, parts)
            except _Bad as exc:
                yield Rejected(number, text, str(exc))
                continue
            if events:
                yield from events
            elif handler is not None:
                ignored[name] += 1

    def _at(self, ts: str) -> datetime:
        try:
            epoch = float(ts) if "." in ts else int(ts)
        except ValueError:
            raise _Bad(f"time: {ts[:40]!r} is not a Unix epoch") from None
        if not 0 < epoch < EPOCH_MAX:
            raise _Bad(f"time: {ts[:40]!r} is outside 1970-2100")
        at = datetime.fromtimestamp(epoch, UTC)
        self._last_ts = ts
        self._last_at = at
        self._last_ms = round(epoch * 1000)
        return at

    @staticmethod
    def _check(name: str, parts: list[str], layout: tuple[int, dict[int, str]]) -> None:
        fewest, numeric = layout
        have = len(parts) - 5
        if have < fewest:
            raise _Bad(f"{name}: {have} data field(s), needs at least {fewest}")
        for index, field_name in numeric.items():
            value = parts[5 + index]
            if not (value.isascii() and value.isdigit() and len(value) < 12):
                raise _Bad(f"{field_name}: {value[:40]!r} is not a whole number ({name})")

    # -- identities ----------------------------------------------------------------------------
    @staticmethod
    def _call(parts: list[str], name: str) -> tuple[str, str]:
        callid = parts[1]
        if callid in MEMBER_CALLIDS or len(callid) > MAX_KEY - 10:
            raise _Bad(f"callid: {callid[:40]!r} is not a call's uniqueid ({name})")
        queue = parts[2]
        if not queue or queue == "NONE" or len(queue) > MAX_KEY:
            raise _Bad(f"queue: {queue[:40]!r} is not a queue name ({name})")
        return callid, queue

    @staticmethod
    def _agent(parts: list[str], name: str) -> str:
        agent = parts[3]
        if not agent or agent == "NONE" or len(agent) > MAX_KEY:
            raise _Bad(f"agent: {agent[:40]!r} is not an agent or member name ({name})")
        return agent

    def _attrs(self, callid: str, own: dict[str, Any] | None) -> dict[str, Any] | None:
        extra = self.pending.pop(callid, None) if self.pending else None
        if extra is None:
            return own
        if own:
            extra.update(own)
        return extra

    # -- agent states --------------------------------------------------------------------------
    def _state(
        self,
        agent: str,
        at: datetime,
        ms: int,
        state: AgentState,
        reason: str | None,
        rank: str,
    ) -> AgentStateEvent:
        eid = f"aqlog:s:{agent}:{ms}:{rank}{_STATE_TEXT[state]}:{reason or ''}"
        return _new(  # type: ignore[no-any-return]
            AgentStateEvent,
            {"v": 1, "id": eid if len(eid) <= MAX_KEY else event_id(eid), "at": at,
             "source": None, "attributes": None, "type": "agent.state", "agent": agent,
             "state": state, "reason": reason, "queue": None},
        )  # fmt: skip

    def _set_base(
        self, agent: str, at: datetime, state: AgentState, reason: str | None
    ) -> list[Any]:
        self.base[agent] = (state, reason)
        return [self._state(agent, at, self._last_ms, state, reason, RANK_MEMBER)]

    def _restore(self, agent: str, at: datetime) -> AgentStateEvent:
        state, reason = self.base.get(agent, _AVAILABLE)
        return self._state(agent, at, self._last_ms, state, reason, RANK_RESTORE)

    # -- call events ---------------------------------------------------------------------------
    def _contact(
        self, cls: Any, kind: str, eid: str, at: datetime, callid: str, attributes: Any
    ) -> dict[str, Any]:
        """The fields every contact event has; the caller adds its own."""
        return {"v": 1, "id": eid if len(eid) <= MAX_KEY else event_id(eid), "at": at,
                "source": None, "attributes": attributes, "contact": "ast:" + callid,
                "type": kind}  # fmt: skip

    def _enterqueue(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        callid, queue = self._call(parts, name)
        url = parts[5]
        callerid = parts[6]
        own: dict[str, Any] | None = None
        if len(parts) > 7:
            position = parts[7]
            if position.isdigit() and len(position) < 12:
                own = {"position": int(position)}
            if len(parts) > 8 and parts[8]:
                own = own or {}
                own["callerid_name"] = parts[8][:MAX_TEXT]
        if url:
            own = own or {}
            own["url"] = url[:MAX_TEXT]
        customer: str | None = callerid
        if not callerid or len(callerid) > MAX_KEY or callerid.lower() in _NO_CALLER:
            customer = None
        if self.pending:
            own = self._attrs(callid, own)
        eid = f"aqlog:{callid}:{name}:{parts[0]}:{queue}"
        return [
            _new(
                ContactOffered,
                {"v": 1, "id": eid if len(eid) <= MAX_KEY else event_id(eid), "at": at,
                 "source": None, "attributes": own, "contact": "ast:" + callid,
                 "type": "contact.offered", "queue": queue, "channel": _VOICE,
                 "direction": _INBOUND, "customer": customer, "segment": None, "vip_tier": None,
                 "priority": None, "reason": None},
            )
        ]  # fmt: skip

    def _connect(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        callid, _queue = self._call(parts, name)
        agent = self._agent(parts, name)
        own: dict[str, Any] = {"holdtime": int(parts[5])}
        ringtime = None
        if len(parts) > 7:
            ring = parts[7]
            if ring.isdigit() and len(ring) < 9:
                ringtime = own["ringtime"] = int(ring)
        if self.pending:
            own = self._attrs(callid, own)  # type: ignore[assignment]
        eid = f"aqlog:{callid}:{name}:{parts[0]}:{agent}"
        events: list[Any] = [
            _new(
                ContactAnswered,
                {"v": 1, "id": eid if len(eid) <= MAX_KEY else event_id(eid), "at": at,
                 "source": None, "attributes": own, "contact": "ast:" + callid,
                 "type": "contact.answered", "agent": agent},
            )
        ]  # fmt: skip
        if self._call_states:
            ms = self._last_ms
            if ringtime:
                ring_at = at - timedelta(seconds=ringtime)
                events.append(
                    self._state(agent, ring_at, ms - ringtime * 1000, _RINGING, None, RANK_RINGING)
                )
            events.append(self._state(agent, at, ms, _TALKING, None, RANK_TALKING))
        return events

    def _ended(
        self,
        eid: str,
        at: datetime,
        callid: str,
        attributes: Any,
        talk: float | None,
        outcome: Outcome,
    ) -> ContactEnded:
        return _new(  # type: ignore[no-any-return]
            ContactEnded,
            {"v": 1, "id": eid if len(eid) <= MAX_KEY else event_id(eid), "at": at,
             "source": None, "attributes": attributes, "contact": "ast:" + callid,
             "type": "contact.ended", "talk_seconds": talk, "hold_seconds": None,
             "outcome": outcome, "disposition": None, "reason": None, "resolved": None},
        )  # fmt: skip

    def _complete(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        callid, _queue = self._call(parts, name)
        agent = self._agent(parts, name)
        calltime = float(parts[6])
        if calltime > MAX_SECONDS:
            raise _Bad(f"calltime: {parts[6]} is out of range ({name})")
        attrs: dict[str, Any] | None = {"hung_up_by": _HUNG_UP[name], "agent": agent}
        if self.pending:
            attrs = self._attrs(callid, attrs)
        ended_ = self._ended(
            f"aqlog:{callid}:{name}:{parts[0]}:{agent}",
            at,
            callid,
            attrs,
            calltime,
            _HANDLED,
        )
        if self._call_states:
            state, reason = self.base.get(agent, _AVAILABLE)
            return [ended_, self._state(agent, at, self._last_ms, state, reason, RANK_RESTORE)]
        return [ended_]

    def _exit(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        callid, _queue = self._call(parts, name)
        data = parts[5:]
        own: dict[str, Any] = {"exit": name.lower()}
        if name == "EXITWITHKEY":
            own["key"] = data[0][:MAX_TEXT]
            data = data[1:]
        elif name == "WITHDRAW" and len(data) > 3 and data[3]:
            own["info"] = data[3][:MAX_TEXT]
        for index, label in enumerate(("position", "origposition", "waittime")):
            value = _optional_int(data, index)
            if value is not None:
                own[label] = value
        outcome = self.options.exit_outcomes.get(name, Outcome.abandoned)
        eid = f"aqlog:{callid}:{name}:{parts[0]}:{parts[2]}"
        attributes = self._attrs(callid, own)
        if outcome is Outcome.abandoned:
            values = self._contact(
                ContactAbandoned, "contact.abandoned", eid, at, callid, attributes
            )
            return [_new(ContactAbandoned, values)]
        return [self._ended(eid, at, callid, attributes, None, outcome)]

    def _transfer(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        callid, _queue = self._call(parts, name)
        agent = self._agent(parts, name)
        first, second = parts[5][:MAX_TEXT], parts[6][:MAX_TEXT]
        if name == "ATTENDEDTRANSFER":
            own: dict[str, Any] = {"method": first, "to": second}
        else:
            own = {"to": f"{first}@{second}" if second else first}
        calltime = float(parts[8])
        if calltime > MAX_SECONDS:
            raise _Bad(f"calltime: {parts[8]} is out of range ({name})")
        base = f"aqlog:{callid}:{name}:{parts[0]}:{agent}"
        values = self._contact(
            ContactTransferred, "contact.transferred", base, at, callid, self._attrs(callid, own)
        )
        values.update(to_queue=None, to_agent=None)
        events: list[Any] = [
            _new(ContactTransferred, values),
            self._ended(base + ":end", at, callid, {"agent": agent}, calltime, Outcome.transferred),
        ]
        if self._call_states:
            events.append(self._restore(agent, at))
        return events

    def _ring(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        agent = self._agent(parts, name)
        ms = int(parts[5])
        if ms > MAX_SECONDS * 1000:
            raise _Bad(f"ringtime_ms: {ms} is out of range ({name})")
        if ms == 0:
            return []  # rang for no measurable time: no interval to record
        start = at - timedelta(milliseconds=ms)
        return [
            self._state(agent, start, self._last_ms - ms, _RINGING, None, RANK_RINGING),
            self._restore(agent, at),
        ]

    # -- member events -------------------------------------------------------------------------
    def _addmember(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        agent = self._agent(parts, name)
        queue = parts[2]
        if queue and queue != "NONE":
            self.members.setdefault(agent, set()).add(queue)
        if len(parts) > 5 and parts[5].upper() == "PAUSED":
            return self._set_base(agent, at, AgentState.away, "paused when added")
        return self._set_base(agent, at, AgentState.available, None)

    def _removemember(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        agent = self._agent(parts, name)
        queues = self.members.get(agent)
        if queues:
            queues.discard(parts[2])
            if queues:
                return []  # still a member of another queue: not offline yet
        return self._set_base(agent, at, AgentState.offline, None)

    def _pause(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        agent = self._agent(parts, name)
        reason = (parts[5] if len(parts) > 5 else "")[:MAX_TEXT] or None
        state = _pause_state(reason) if reason else AgentState.away
        return self._set_base(agent, at, state, reason)

    def _unpause(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        agent = self._agent(parts, name)
        return self._set_base(agent, at, AgentState.available, None)

    def _login(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        agent = self._agent(parts, name)
        return self._set_base(agent, at, AgentState.available, None)

    def _logoff(self, name: str, at: datetime, parts: list[str]) -> list[Any]:
        agent = self._agent(parts, name)
        self.members.pop(agent, None)
        return self._set_base(agent, at, AgentState.offline, None)

    # -- custom events -----------------------------------------------------------------------
    def _other(self, name: str, parts: list[str], ignored: Counter[str]) -> list[Any]:
        if not name or len(name) > 64 or not name.replace("_", "").replace("-", "").isalnum():
            raise _Bad(f"event: {name[:40]!r} is not an event name")
        callid = parts[1]
        if name in IGNORED_EVENTS or callid in MEMBER_CALLIDS or len(callid) > MAX_KEY - 10:
            ignored[name] += 1
            return []
        # A custom event (QueueLog() in the dialplan, e.g. DID): its data rides on the call's
        # next contact event as an attribute named after it.
        value = "|".join(parts[5:]).rstrip("|")[:500]
        pending = self.pending
        attrs = pending.get(callid)
        if attrs is None:
            if len(pending) >= MAX_PENDING:
                del pending[next(iter(pending))]
            attrs = pending[callid] = {}
        attrs[name.lower()] = value
        ignored[f"{name} (kept as attribute)"] += 1
        return []


def parse_queue_log(
    lines: Iterable[bytes | str],
    stats: ParseStats | None = None,
    options: QueueLogOptions | None = None,
) -> Iterator[Event | Rejected]:
    """Canonical events and rejects from Asterisk queue_log lines (any version 1.4-22)."""
    return QueueLogParser(options).parse(lines, stats)


def import_queue_log(
    engine: Engine | StoreWriter,
    path: Path,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    options: QueueLogOptions | None = None,
    parallel: bool | None = None,
) -> ImportResult:
    """Import a queue_log file (idempotent: event ids come from the lines' content).

    `parallel` parses in a second process while this one writes (default: for big files on two
    cores or more); the store ends the same either way.
    """
    return import_file(engine, path, queue_log_items, options, batch_size, on_progress, parallel)


def queue_log_items(
    path: Path, options: QueueLogOptions | None, on_bytes: Callable[[int], None] | None
) -> Generator[Event | Rejected, None, ParseStats]:
    """A queue_log file's events and rejects, then its parse counts."""
    stats = ParseStats()
    with path.open("rb") as fh:
        yield from QueueLogParser(options).parse(progress_lines(fh, on_bytes), stats)
    return stats


# -- following a growing queue_log ------------------------------------------------------------


READ_CHUNK = 4 << 20  # bytes read per poll round while catching up


CHECKPOINTS = cast(Table, ImportCheckpoint.__table__)


def _checkpoint_key(path: Path) -> str:
    return f"asterisk-queue-log:{path.resolve()}"


def load_checkpoint(engine: Engine, path: Path) -> dict[str, Any] | None:
    """The saved position of a followed file (inode, byte offset, line number), if any."""
    table = CHECKPOINTS
    with engine.connect() as conn:
        state = conn.execute(
            select(table.c.state).where(table.c.source == _checkpoint_key(path))
        ).scalar()
    return dict(state) if state else None


def save_checkpoint(engine: Engine, path: Path, state: dict[str, Any]) -> None:
    """Remember how far a followed file has been imported (after its events are committed)."""
    table = CHECKPOINTS
    key = _checkpoint_key(path)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(delete(table).where(table.c.source == key))
        conn.execute(insert(table).values(source=key, state=state, updated_at=now))


def follow_queue_log(
    engine: Engine,
    path: Path,
    stop: Callable[[], bool] = lambda: False,
    poll_seconds: float = 0.5,
    max_idle_seconds: float | None = None,
    options: QueueLogOptions | None = None,
    on_batch: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import a queue_log as Asterisk appends to it, until `stop()` or `max_idle_seconds` idle.

    Resumes from the checkpoint in `import_checkpoints` (same inode, file not shorter); handles
    rotation (new inode) and truncation by reading the new file from its start. Events are
    committed after every poll that found complete lines, then the checkpoint is saved; a crash
    in between re-reads those lines, which changes nothing (ids are content-derived).
    """
    writer = StoreWriter(engine)
    parser = QueueLogParser(options)
    stats = ParseStats()
    ingestor = Ingestor(writer, source=str(path), batch_size=DEFAULT_BATCH)
    saved = load_checkpoint(engine, path) or {}
    fh: IO[bytes] | None = None
    inode = -1
    offset = 0
    line = 0
    idle = 0.0
    partial = b""
    try:
        while not stop():
            if fh is None:
                try:
                    fh = path.open("rb")
                except FileNotFoundError:
                    fh = None
                if fh is not None:
                    st = os.fstat(fh.fileno())
                    inode = st.st_ino
                    if saved.get("inode") == inode and st.st_size >= saved.get("offset", 0):
                        offset, line = int(saved["offset"]), int(saved.get("line", 0))
                        fh.seek(offset)
                    else:
                        offset, line = 0, 0
                    saved = {}
                    partial = b""
            chunk = fh.read(READ_CHUNK) if fh is not None else b""
            if chunk:
                data = partial + chunk
                cut = data.rfind(b"\n") + 1
                partial = data[cut:]
                complete = data[:cut].splitlines(keepends=True)
                if complete:
                    feed(ingestor, parser.parse(complete, stats, first_line=line + 1))
                    line += len(complete)
                    offset += cut
                    ingestor.flush()
                    save_checkpoint(engine, path, {"inode": inode, "offset": offset, "line": line})
                    if on_batch is not None:
                        on_batch(ImportResult(ingestor.summary, stats))
                idle = 0.0
                continue
            # Nothing new: was the file rotated or truncated?
            try:
                st = path.stat()
                if fh is not None and (st.st_ino != inode or st.st_size < offset):
                    fh.close()
                    fh = None
                    continue
            except FileNotFoundError:
                pass
            if max_idle_seconds is not None and idle >= max_idle_seconds:
                break
            time.sleep(poll_seconds)
            idle += poll_seconds
    finally:
        if fh is not None:
            fh.close()
    summary = ingestor.close()
    summary.read = stats.lines
    summary.blank = stats.blank
    return ImportResult(summary, stats)


# -- cdr_csv Master.csv ---------------------------------------------------------------------

CDR_BASE = 16  # accountcode .. amaflags
# Column counts cdr_csv writes: base, +uniqueid, +userfield, +peeraccount/linkedid/sequence.
CDR_LAYOUTS = {
    16: (False, False, False),
    17: (True, False, False),
    18: (True, True, False),
    19: (False, False, True),
    20: (True, False, True),
    21: (True, True, True),
}
_CHANNEL_SUFFIX = re.compile(r"-[0-9a-fA-F]{4,}(;\d+)?$")


def channel_peer(channel: str) -> str:
    """The device behind a channel name: `SIP/1001-0000000a` -> `SIP/1001`."""
    return _CHANNEL_SUFFIX.sub("", channel)


@dataclass(slots=True)
class CdrOptions:
    """How Master.csv rows become contacts: time zone of its times, queue, what to skip."""

    timezone: str = "UTC"
    queue: str | None = None
    direction: Direction = Direction.inbound
    include_queue_calls: bool = False


def _cdr_time(value: str, column: str, zone: Any) -> datetime:
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(
            f"{column}: {value[:40]!r} is not a date and time (YYYY-MM-DD HH:MM:SS)"
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(UTC)


def _cdr_seconds(value: str, column: str) -> float:
    if not value.isdigit() or len(value) > 8:
        raise _Bad(f"{column}: {value[:40]!r} is not a whole number of seconds")
    return float(value)


def parse_cdr(
    lines: Iterable[bytes | str],
    stats: ParseStats | None = None,
    options: CdrOptions | None = None,
) -> Iterator[Event | Rejected]:
    """Canonical events and rejects from cdr_csv Master.csv rows (16 to 21 columns)."""
    stats = stats if stats is not None else ParseStats()
    options = options or CdrOptions()
    zone = UTC if options.timezone.upper() == "UTC" else ZoneInfo(options.timezone)
    texts: list[str] = []

    def decoded() -> Iterator[str]:
        for raw in lines:
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            texts.append(text)
            yield text

    reader = csv.reader(decoded(), strict=False)
    last_line = 0
    while True:
        texts.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            position = last_line + 1
            last_line = reader.line_num
            stats.lines += 1
            raw = "".join(texts).rstrip("\r\n").replace("\x00", "\\x00")
            yield Rejected(position, raw, f"line: {exc}")
            continue
        position = last_line + 1
        last_line = reader.line_num
        raw = "".join(texts).strip("\r\n")
        if not row or all(not cell.strip() for cell in row):
            stats.blank += max(1, len(texts))
            continue
        stats.lines += 1
        try:
            events = _cdr_events(row, raw, options, zone)
        except _Bad as exc:
            yield Rejected(position, raw.replace("\x00", "\\x00"), str(exc))
            continue
        if events is None:
            stats.ignored["Queue call (import its queue_log instead)"] += 1
            continue
        yield from events


def _cdr_events(row: list[str], raw: str, options: CdrOptions, zone: Any) -> list[Any] | None:
    layout = CDR_LAYOUTS.get(len(row))
    if layout is None:
        raise _Bad(f"columns: {len(row)}, Master.csv rows have 16 to 21")
    if "\x00" in raw:
        raise _Bad("line: contains a NUL character")  # (the kept raw text shows it as \\x00)
    has_uniqueid, has_userfield, has_new = layout
    (accountcode, src, dst, dcontext, _clid, channel, dstchannel, lastapp, _lastdata,
     start, answer, end, duration, billsec, disposition, _amaflags) = row[:CDR_BASE]  # fmt: skip
    if lastapp.lower() == "queue" and not options.include_queue_calls:
        return None
    uniqueid = row[CDR_BASE] if has_uniqueid else ""
    userfield = row[CDR_BASE + 1] if has_userfield else ""
    linkedid = row[-2] if has_new else ""
    started = _cdr_time(start, "start", zone)
    finished = _cdr_time(end, "end", zone)
    _cdr_seconds(duration, "duration")
    talk = _cdr_seconds(billsec, "billsec")
    queue = options.queue or dcontext or "asterisk"
    if len(queue) > MAX_KEY or len(uniqueid) > 100:
        raise _Bad("dcontext: longer than a queue name may be (200)")
    digest = hashlib.sha1(raw.encode()).hexdigest()[:16]
    contact = f"astcdr:{uniqueid}:{digest}"
    attrs: dict[str, Any] = {"disposition": disposition[:MAX_TEXT], "dst": dst[:MAX_TEXT]}
    for name, value in (("channel", channel), ("lastapp", lastapp), ("accountcode", accountcode),
                        ("userfield", userfield), ("linkedid", linkedid)):  # fmt: skip
        if value:
            attrs[name] = value[:MAX_TEXT]
    customer = src if src and len(src) <= MAX_KEY else None
    events: list[Any] = [
        offered(
            id=f"{contact}:offered",
            at=started,
            contact=contact,
            queue=queue,
            customer=customer,
            direction=options.direction,
            attributes=attrs,
        )
    ]
    if disposition == "ANSWERED" and answer:
        answered_at = _cdr_time(answer, "answer", zone)
        agent = channel_peer(dstchannel)[:MAX_KEY] if dstchannel else ""
        if agent:
            events.append(
                answered(id=f"{contact}:answered", at=answered_at, contact=contact, agent=agent)
            )
            outcome = Outcome.handled
        else:
            outcome = Outcome.contained_in_ivr  # answered by the dialplan, not a person
        events.append(
            ended(
                id=f"{contact}:ended",
                at=finished,
                contact=contact,
                talk_seconds=talk if agent else None,
                outcome=outcome,
            )
        )
    else:
        events.append(abandoned(id=f"{contact}:abandoned", at=finished, contact=contact))
    return events


def import_cdr(
    engine: Engine | StoreWriter,
    path: Path,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    options: CdrOptions | None = None,
    parallel: bool | None = None,
) -> ImportResult:
    """Import a cdr_csv Master.csv (calls outside queues by default; idempotent)."""
    return import_file(engine, path, cdr_items, options, batch_size, on_progress, parallel)


def cdr_items(
    path: Path, options: CdrOptions | None, on_bytes: Callable[[int], None] | None
) -> Generator[Event | Rejected, None, ParseStats]:
    """A Master.csv's events and rejects, then its parse counts."""
    stats = ParseStats()
    with path.open("rb") as fh:
        yield from parse_cdr(progress_lines(fh, on_bytes), stats, options)
    return stats


__all__ = [
    "CdrOptions",
    "ImportResult",
    "ParseStats",
    "QueueLogOptions",
    "QueueLogParser",
    "Rejected",
    "channel_peer",
    "follow_queue_log",
    "cdr_items",
    "import_cdr",
    "import_file",
    "import_queue_log",
    "queue_log_items",
    "parse_cdr",
    "parse_queue_log",
]
