"""Folding events into facts: order does not matter, and the derived times are right."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.factories import contact_events

from ccops.events import build_state_intervals, fold_contact, parse_event


def _parsed(seed: int, n: int = 40) -> list:  # type: ignore[type-arg]
    return [parse_event(d) for d in contact_events(n, seed=seed)]


def test_a_handled_call_has_its_wait_talk_hold_and_wrap_up_times() -> None:
    events = [
        parse_event(
            {
                "id": "1",
                "type": "contact.offered",
                "at": "2026-01-05T09:00:00Z",
                "contact": "c",
                "queue": "q",
            }
        ),
        parse_event(
            {
                "id": "2",
                "type": "contact.answered",
                "at": "2026-01-05T09:00:12Z",
                "contact": "c",
                "agent": "a",
            }
        ),
        parse_event(
            {
                "id": "3",
                "type": "contact.ended",
                "at": "2026-01-05T09:05:12Z",
                "contact": "c",
                "hold_seconds": 20,
            }
        ),
        parse_event(
            {"id": "4", "type": "contact.wrapped", "at": "2026-01-05T09:05:42Z", "contact": "c"}
        ),
    ]
    c = fold_contact("c", events)
    assert (c.wait_seconds, c.talk_seconds, c.hold_seconds, c.acw_seconds) == (12, 280, 20, 30)
    assert c.outcome == "handled" and c.agent == "a" and c.queue == "q"


def test_an_abandoned_call_waits_until_it_leaves_and_has_no_handle_time() -> None:
    events = [
        parse_event(
            {
                "id": "1",
                "type": "contact.offered",
                "at": "2026-01-05T09:00:00Z",
                "contact": "c",
                "queue": "q",
            }
        ),
        parse_event(
            {"id": "2", "type": "contact.abandoned", "at": "2026-01-05T09:00:45Z", "contact": "c"}
        ),
    ]
    c = fold_contact("c", events)
    assert c.outcome == "abandoned" and c.wait_seconds == 45 and c.talk_seconds is None


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=10_000))
def test_shuffled_events_fold_to_the_same_contacts(seed: int) -> None:
    events = _parsed(seed % 7 + 1)
    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    keys = {e.contact for e in events if hasattr(e, "contact")}
    for key in keys:
        mine = [e for e in events if getattr(e, "contact", None) == key]
        theirs = [e for e in shuffled if getattr(e, "contact", None) == key]
        assert fold_contact(key, mine) == fold_contact(key, theirs)


def test_state_intervals_run_back_to_back_whatever_the_arrival_order() -> None:
    raw = [
        ("s1", "09:00:00", "available"),
        ("s2", "09:10:00", "talking"),
        ("s3", "09:14:00", "after_call_work"),
        ("s4", "09:15:00", "break"),
    ]
    events = [
        parse_event(
            {"id": i, "type": "agent.state", "at": f"2026-01-05T{t}Z", "agent": "a", "state": s}
        )
        for i, t, s in raw
    ]
    forward = build_state_intervals(events)
    backward = build_state_intervals(list(reversed(events)))
    assert forward == backward
    assert [(iv.state, iv.end is None) for iv in forward] == [
        ("available", False),
        ("talking", False),
        ("after_call_work", False),
        ("break", True),
    ]
    assert all(a.end == b.start for a, b in zip(forward, forward[1:], strict=False))
