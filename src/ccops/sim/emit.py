"""Records → canonical `ccops.events` events (lazily, in time order) and JSONL lines."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from ccops.events import (
    AGENT_STATES,
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
from ccops.sim.records import CONTAINED, OUTCOME_NAMES, ContactRecords

SOURCE = "ccops-sim"

# Event kinds, in the order they are emitted when two share an instant.
OFFERED, ANSWERED, ABANDONED, TRANSFERRED, ENDED, WRAPPED, STATE = range(7)
STATE_CODE = {name: i for i, name in enumerate(AGENT_STATES)}
_STATES = tuple(AgentState(s) for s in AGENT_STATES)
_OUTCOMES = tuple(Outcome(o) for o in OUTCOME_NAMES)


def contact_key(seed: int, index: int) -> str:
    """The deterministic contact key of contact `index` in the run with `seed`."""
    return f"sim-{seed}-{index:07d}"


class _Clock:
    """Seconds from the scenario start → UTC datetimes, rounded to the microsecond."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(microseconds=round(seconds * 1e6))


def _schedule(records: ContactRecords) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All event (time, kind, row) triples sorted by time, kind, row."""
    n = len(records)
    rows = np.arange(n, dtype=np.int64)
    contained = records.outcome == CONTAINED
    times = [records.arrival]
    kinds = [np.full(n, OFFERED)]
    index = [rows]

    def add(t: np.ndarray, kind: int, mask: np.ndarray) -> None:
        times.append(t[mask])
        kinds.append(np.full(int(mask.sum()), kind))
        index.append(rows[mask])

    answered = ~np.isnan(records.answered)
    add(records.answered, ANSWERED, answered)
    add(records.abandoned, ABANDONED, ~np.isnan(records.abandoned) & ~answered)
    if records.transfer_to is not None:
        add(records.ended, TRANSFERRED, records.transfer_to >= 0)
    add(records.ended, ENDED, (answered | contained) & ~np.isnan(records.ended))
    add(records.wrapped, WRAPPED, answered & (records.wrapped > records.ended))
    log = records.agent_log
    if log:
        times.append(np.fromiter((e[0] for e in log), dtype=np.float64, count=len(log)))
        kinds.append(np.full(len(log), STATE))
        index.append(np.arange(len(log), dtype=np.int64))
    t = np.concatenate(times)
    k = np.concatenate(kinds)
    i = np.concatenate(index)
    order = np.lexsort((i, k, t))
    return t[order], k[order], i[order]


def event_count(records: ContactRecords) -> int:
    """How many events `iter_events` will yield for the whole run (for progress bars)."""
    return int(_schedule(records)[0].size)


def iter_event_dicts(records: ContactRecords, until: float = math.inf) -> Iterator[dict[str, Any]]:
    """Yield each event as a dict in canonical field order (None fields left out), in time order."""
    clock = _Clock(records.start)
    seed = records.seed
    qn, qc, an = records.queue_names, records.queue_channels, records.agent_names
    channels = tuple(Channel(c) for c in qc)
    queue = records.queue.tolist()
    agent = records.agent.tolist()
    answered_at = records.answered.tolist()
    ended_at, wrapped_at = records.ended.tolist(), records.wrapped.tolist()
    hold = records.hold.tolist()
    outcome = records.outcome.tolist()
    customer = records.customer.tolist() if records.customer is not None else None
    vip = records.vip_tier.tolist() if records.vip_tier is not None else None
    prio = records.priority.tolist() if records.priority is not None else None
    seg = records.segment.tolist() if records.segment is not None else None
    reason = records.reason.tolist() if records.reason is not None else None
    resolved = records.resolved.tolist() if records.resolved is not None else None
    xfer = records.transfer_to.tolist() if records.transfer_to is not None else None
    parent = records.parent.tolist() if records.parent is not None else None
    vhold = records.virtual_hold.tolist() if records.virtual_hold is not None else None
    log = sorted(records.agent_log, key=lambda e: e[0]) if records.agent_log else []
    t_all, k_all, i_all = _schedule(records)
    if log:
        # STATE rows index the log as recorded; map them to the time-sorted log.
        order = np.argsort(
            np.fromiter((e[0] for e in records.agent_log), dtype=np.float64), kind="stable"
        )
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        state_rows = k_all == STATE
        i_all = i_all.copy()
        i_all[state_rows] = rank[i_all[state_rows]]
    for t, kind, row in zip(t_all.tolist(), k_all.tolist(), i_all.tolist(), strict=True):
        if t >= until:
            return
        at = clock.at(t)
        if kind == STATE:
            _, a, code, q = log[row]
            d: dict[str, Any] = {
                "v": 1,
                "id": f"sim-{seed}-s{row:09d}",
                "at": at,
                "source": SOURCE,
                "type": "agent.state",
                "agent": an[a],
                "state": _STATES[code],
            }
            if q >= 0:
                d["queue"] = qn[q]
            yield d
            continue
        key = contact_key(seed, row)
        if kind == OFFERED:
            d = {"v": 1, "id": f"{key}-offered", "at": at, "source": SOURCE}
            attrs: dict[str, Any] = {}
            if parent is not None and parent[row] >= 0:
                attrs["transferred_from"] = contact_key(seed, parent[row])
            if vhold is not None and vhold[row]:
                attrs["virtual_hold"] = True
            if attrs:
                d["attributes"] = attrs
            d["contact"] = key
            d["type"] = "contact.offered"
            d["queue"] = qn[queue[row]]
            d["channel"] = channels[queue[row]]
            d["direction"] = Direction.inbound
            if customer is not None and customer[row] >= 0:
                d["customer"] = f"sim-{seed}-cust-{customer[row]}"
            if seg is not None and seg[row] >= 0:
                d["segment"] = records.segment_names[seg[row]]
            if vip is not None:
                d["vip_tier"] = vip[row]
            if prio is not None:
                d["priority"] = prio[row]
            if reason is not None and reason[row] >= 0:
                d["reason"] = records.reason_names[reason[row]]
            yield d
        elif kind == ANSWERED:
            yield {
                "v": 1,
                "id": f"{key}-answered",
                "at": at,
                "source": SOURCE,
                "contact": key,
                "type": "contact.answered",
                "agent": an[agent[row]],
            }
        elif kind == ABANDONED:
            yield {
                "v": 1,
                "id": f"{key}-abandoned",
                "at": at,
                "source": SOURCE,
                "contact": key,
                "type": "contact.abandoned",
            }
        elif kind == TRANSFERRED:
            assert xfer is not None
            yield {
                "v": 1,
                "id": f"{key}-transferred",
                "at": at,
                "source": SOURCE,
                "contact": key,
                "type": "contact.transferred",
                "to_queue": qn[xfer[row]],
            }
        elif kind == ENDED:
            if outcome[row] == CONTAINED:
                talk, hold_s = 0.0, 0.0
            else:
                hold_s = hold[row]
                talk = max(0.0, ended_at[row] - answered_at[row] - hold_s)
            d = {
                "v": 1,
                "id": f"{key}-ended",
                "at": at,
                "source": SOURCE,
                "contact": key,
                "type": "contact.ended",
                "talk_seconds": round(talk, 3),
                "hold_seconds": round(hold_s, 3),
                "outcome": _OUTCOMES[outcome[row]],
            }
            if reason is not None and reason[row] >= 0:
                d["reason"] = records.reason_names[reason[row]]
            if resolved is not None and resolved[row] >= 0:
                d["resolved"] = bool(resolved[row])
            yield d
        else:
            yield {
                "v": 1,
                "id": f"{key}-wrapped",
                "at": at,
                "source": SOURCE,
                "contact": key,
                "type": "contact.wrapped",
                "acw_seconds": round(wrapped_at[row] - ended_at[row], 3),
            }


_MODELS: dict[str, type[Event]] = {
    "contact.offered": ContactOffered,
    "contact.answered": ContactAnswered,
    "contact.abandoned": ContactAbandoned,
    "contact.transferred": ContactTransferred,
    "contact.ended": ContactEnded,
    "contact.wrapped": ContactWrapped,
    "agent.state": AgentStateEvent,
}


_BUILDERS = {kind: trusted_builder(model) for kind, model in _MODELS.items()}


def iter_events(records: ContactRecords, until: float = math.inf) -> Iterator[Event]:
    """Yield the run's canonical event models in time order (only those before `until`)."""
    builders = _BUILDERS
    for d in iter_event_dicts(records, until):
        yield builders[d["type"]](**d)


def iter_events_with_bodies(
    records: ContactRecords, until: float = math.inf
) -> Iterator[tuple[Event, str]]:
    """Yield (event model, its canonical JSON) pairs in time order: what the store keeps."""
    builders = _BUILDERS
    dumps = orjson.dumps
    opt = orjson.OPT_UTC_Z
    for d in iter_event_dicts(records, until):
        yield builders[d["type"]](**d), dumps(d, option=opt).decode()


def iter_jsonl(records: ContactRecords, until: float = math.inf) -> Iterator[bytes]:
    """Yield canonical JSON lines (byte-identical to `dump_event`), without building models."""
    dumps = orjson.dumps
    opt = orjson.OPT_UTC_Z
    for d in iter_event_dicts(records, until):
        yield dumps(d, option=opt)


def write_jsonl(records: ContactRecords, out: IO[bytes] | Path) -> int:
    """Write the run's events as canonical JSONL; return the number of lines."""
    if isinstance(out, Path):
        with out.open("wb") as fh:
            return write_jsonl(records, fh)
    n = 0
    buf: list[bytes] = []
    for line in iter_jsonl(records):
        buf.append(line)
        n += 1
        if len(buf) >= 10_000:
            out.write(b"\n".join(buf) + b"\n")
            buf.clear()
    if buf:
        out.write(b"\n".join(buf) + b"\n")
    return n
