"""The canonical event parser: valid events round-trip, garbage is refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccops.events import (
    AGENT_STATES,
    CHANNELS,
    OUTCOMES,
    EventError,
    dump_event,
    event_json,
    parse_event,
)

keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, None]).map(lambda z: z or UTC),
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))
seconds = st.floats(min_value=0, max_value=1e6, allow_nan=False)
base = {"id": keys, "at": timestamps.map(lambda t: t.isoformat())}

contact_events = st.one_of(
    st.fixed_dictionaries(
        {**base, "type": st.just("contact.offered"), "contact": keys, "queue": keys},
        optional={
            "channel": st.sampled_from(CHANNELS),
            "direction": st.sampled_from(["inbound", "outbound"]),
            "customer": keys,
            "segment": st.text(max_size=20),
            "vip_tier": st.integers(0, 10),
            "priority": st.integers(0, 100),
        },
    ),
    st.fixed_dictionaries(
        {**base, "type": st.just("contact.answered"), "contact": keys, "agent": keys}
    ),
    st.fixed_dictionaries({**base, "type": st.just("contact.abandoned"), "contact": keys}),
    st.fixed_dictionaries(
        {**base, "type": st.just("contact.transferred"), "contact": keys},
        optional={"to_queue": keys, "to_agent": keys},
    ),
    st.fixed_dictionaries(
        {**base, "type": st.just("contact.ended"), "contact": keys},
        optional={
            "talk_seconds": seconds,
            "hold_seconds": seconds,
            "outcome": st.sampled_from(OUTCOMES),
            "resolved": st.booleans(),
            "disposition": st.text(max_size=30),
        },
    ),
    st.fixed_dictionaries(
        {**base, "type": st.just("contact.wrapped"), "contact": keys},
        optional={"acw_seconds": seconds},
    ),
)
state_events = st.fixed_dictionaries(
    {**base, "type": st.just("agent.state"), "agent": keys, "state": st.sampled_from(AGENT_STATES)},
    optional={"reason": st.text(max_size=30), "queue": keys},
)
valid_events = st.one_of(contact_events, state_events)


@settings(max_examples=300)
@given(valid_events)
def test_valid_events_round_trip_through_their_canonical_json(data: dict[str, object]) -> None:
    event = parse_event(orjson.dumps(data))
    again = parse_event(dump_event(event))
    assert again == event
    assert dump_event(again) == dump_event(event)


attribute_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
)


@settings(max_examples=500)
@given(valid_events, offsets, st.dictionaries(st.text(max_size=8), attribute_values, max_size=4))
def test_the_stored_body_is_exactly_what_pydantic_writes(
    data: dict[str, object], offset: timedelta, attributes: dict[str, object]
) -> None:
    at = datetime.fromisoformat(str(data["at"])).astimezone(timezone(offset))
    data = {**data, "at": at.isoformat(), "attributes": attributes or None}
    event = parse_event(orjson.dumps(data))
    assert event_json(event) == event.model_dump_json(exclude_none=True)


def test_importer_built_events_store_the_body_pydantic_writes() -> None:
    from pathlib import Path

    from ccops.ingest.asterisk import ParseStats, QueueLogParser

    fixtures = Path(__file__).parents[1] / "importers" / "fixtures"
    events = [
        item
        for name in ("queue_log.asterisk-1.4", "queue_log.asterisk-22", "queue_log.known_answers")
        for item in QueueLogParser().parse((fixtures / name).open("rb"), ParseStats())
        if hasattr(item, "type")
    ]
    assert len(events) > 20
    for event in events:
        assert event_json(event) == event.model_dump_json(exclude_none=True)


@settings(max_examples=100)
@given(valid_events, offsets)
def test_timestamps_in_any_zone_are_stored_as_the_same_utc_instant(
    data: dict[str, object], offset: timedelta
) -> None:
    at = datetime.fromisoformat(str(data["at"]))
    shifted = at.astimezone(__import__("datetime").timezone(offset))
    moved = parse_event({**data, "at": shifted.isoformat()})
    assert moved.at == at and moved.at.utcoffset() == timedelta(0)


@settings(max_examples=500)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_garbage_is_refused_with_a_reason_and_no_other_exception(raw: bytes | str) -> None:
    try:
        parse_event(raw)
    except EventError as exc:
        assert exc.reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=500)
@given(valid_events, st.text(max_size=12), json_values)
def test_a_corrupted_field_is_refused_naming_the_field(
    data: dict[str, object], field: str, value: object
) -> None:
    broken = {**data, field: value}
    try:
        parse_event(orjson.dumps(broken))
    except EventError as exc:
        assert exc.reason
    except orjson.JSONEncodeError:  # pragma: no cover - hypothesis made unencodable input
        pass


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {
                "id": "e1",
                "type": "contact.offered",
                "at": "2026-01-01T10:00:00",
                "contact": "c",
                "queue": "q",
            },
            "at",
        ),
        (
            {"id": "e1", "type": "contact.offered", "at": "2026-01-01T10:00:00Z", "contact": "c"},
            "queue",
        ),
        (
            {
                "id": "e1",
                "type": "agent.state",
                "at": "2026-01-01T10:00:00Z",
                "agent": "a",
                "state": "asleep",
            },
            "state",
        ),
        (
            {
                "id": "e1",
                "type": "contact.ended",
                "at": "2026-01-01T10:00:00Z",
                "contact": "c",
                "talk_seconds": -3,
            },
            "talk_seconds",
        ),
        ({"id": "e1", "type": "contact.teleported", "at": "2026-01-01T10:00:00Z"}, "type"),
        (
            {
                "v": 2,
                "id": "e1",
                "type": "contact.abandoned",
                "at": "2026-01-01T10:00:00Z",
                "contact": "c",
            },
            "v",
        ),
        (
            {
                "id": "e1",
                "type": "contact.abandoned",
                "at": "2026-01-01T10:00:00Z",
                "contact": "c",
                "colour": "red",
            },
            "colour",
        ),
    ],
)
def test_the_reason_names_the_offending_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(EventError) as caught:
        parse_event(data)
    assert caught.value.reason.startswith(f"{field}:")
