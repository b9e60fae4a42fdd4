"""Build facts from events: a contact from all its events, agent state intervals from state events.

Both are pure functions of the *set* of events: the order they arrive in does not matter, which is
what lets ingest accept events out of order and re-sent events without changing the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from ccops.events._model import (
    AgentState,
    AgentStateEvent,
    Channel,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEvent,
    ContactOffered,
    ContactTransferred,
    ContactWrapped,
    Direction,
    Outcome,
)


@dataclass(slots=True)
class ContactFacts:
    """One contact as the store keeps it; timestamps are UTC."""

    key: str
    queue: str | None = None
    channel: str | None = None
    direction: str | None = None
    customer: str | None = None
    segment: str | None = None
    vip_tier: int | None = None
    priority: int | None = None
    agent: str | None = None
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    ended_at: datetime | None = None
    wrap_end_at: datetime | None = None
    wait_seconds: float | None = None
    talk_seconds: float | None = None
    hold_seconds: float | None = None
    acw_seconds: float | None = None
    outcome: str | None = None
    reason: str | None = None
    disposition: str | None = None
    resolved: bool | None = None
    transferred_to: str | None = None


_order = attrgetter("at", "id")  # events sort by (at, id): a later id wins at the same instant


def _seconds(later: datetime, earlier: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds())


def fold_contact(key: str, events: Iterable[ContactEvent]) -> ContactFacts:
    """Fold a contact's events into its facts; where two events set one field, the later wins."""
    c = ContactFacts(key=key)
    transferred = False
    explicit_outcome: Outcome | None = None
    explicit_talk: float | None = None
    explicit_acw: float | None = None
    for e in sorted(events, key=_order):
        if isinstance(e, ContactOffered):
            # The first offer opens the contact; later offers (re-queues) keep the first time.
            if c.offered_at is None:
                c.offered_at = e.at
            c.queue = e.queue
            c.channel = _TEXT[e.channel]
            c.direction = _TEXT[e.direction]
            c.customer = e.customer or c.customer
            c.segment = e.segment or c.segment
            c.vip_tier = e.vip_tier if e.vip_tier is not None else c.vip_tier
            c.priority = e.priority if e.priority is not None else c.priority
            c.reason = e.reason or c.reason
        elif isinstance(e, ContactAnswered):
            if c.answered_at is None:
                c.answered_at = e.at
            c.agent = e.agent
        elif isinstance(e, ContactAbandoned):
            c.abandoned_at = e.at
        elif isinstance(e, ContactTransferred):
            transferred = True
            c.transferred_to = e.to_queue or e.to_agent or c.transferred_to
        elif isinstance(e, ContactEnded):
            c.ended_at = e.at
            if e.talk_seconds is not None:
                explicit_talk = e.talk_seconds
            if e.hold_seconds is not None:
                c.hold_seconds = e.hold_seconds
            if e.outcome is not None:
                explicit_outcome = e.outcome
            c.disposition = e.disposition or c.disposition
            c.reason = e.reason or c.reason
            if e.resolved is not None:
                c.resolved = e.resolved
        elif isinstance(e, ContactWrapped):
            c.wrap_end_at = e.at
            if e.acw_seconds is not None:
                explicit_acw = e.acw_seconds

    if c.offered_at is not None:
        left_queue = c.answered_at or c.abandoned_at
        if left_queue is None and c.answered_at is None and c.ended_at is not None:
            left_queue = c.ended_at
        if left_queue is not None:
            c.wait_seconds = _seconds(left_queue, c.offered_at)
    if c.answered_at is not None:
        hold = c.hold_seconds or 0.0
        if explicit_talk is not None:
            c.talk_seconds = explicit_talk
        elif c.ended_at is not None:
            c.talk_seconds = max(0.0, _seconds(c.ended_at, c.answered_at) - hold)
        if c.hold_seconds is None and c.ended_at is not None:
            c.hold_seconds = 0.0
        if explicit_acw is not None:
            c.acw_seconds = explicit_acw
        elif c.wrap_end_at is not None and c.ended_at is not None:
            c.acw_seconds = _seconds(c.wrap_end_at, c.ended_at)
        elif c.ended_at is not None:
            c.acw_seconds = 0.0

    if explicit_outcome is not None and c.abandoned_at is None:
        c.outcome = explicit_outcome.value
    elif c.abandoned_at is not None and c.answered_at is None:
        c.outcome = Outcome.abandoned.value
    elif transferred:
        c.outcome = Outcome.transferred.value
    elif c.answered_at is not None and c.ended_at is not None:
        c.outcome = Outcome.handled.value
    elif c.ended_at is not None:
        c.outcome = Outcome.abandoned.value
    return c


# Enum members as their text (a dict lookup; the members' `.value` goes through a descriptor).
_TEXT: dict[str, str] = {m: m.value for enum in (Channel, Direction) for m in enum}
_STATE_TEXT: dict[str, str] = {m: m.value for m in AgentState}


@dataclass(slots=True, frozen=True)
class StateInterval:
    """An agent's state from `start` until `end` (None while it lasts)."""

    agent: str
    state: str
    start: datetime
    end: datetime | None
    reason: str | None
    queue: str | None


def state_interval_values(
    events: Sequence[AgentStateEvent],
) -> list[tuple[str, str, datetime, datetime | None, str | None, str | None]]:
    """`build_state_intervals` as plain tuples (agent, state, start, end, reason, queue), for
    writers that turn them into rows; the same rule, without an object per interval."""
    ordered = sorted(events, key=_order)
    out = []
    last = len(ordered) - 1
    for i, e in enumerate(ordered):
        end = ordered[i + 1].at if i < last else None
        if end is not None and end == e.at:
            continue  # superseded at the same instant by a later-id event
        out.append((e.agent, _STATE_TEXT[e.state], e.at, end, e.reason, e.queue))
    return out


def build_state_intervals(events: Sequence[AgentStateEvent]) -> list[StateInterval]:
    """Turn one agent's state events into back-to-back intervals (order of input is irrelevant)."""
    return [StateInterval(*values) for values in state_interval_values(events)]
