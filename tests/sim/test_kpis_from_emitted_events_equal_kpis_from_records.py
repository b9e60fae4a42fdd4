"""KPIs computed from the canonical events equal those computed from the columnar records."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest

from ccops.events import ContactEvent, fold_contact, parse_event
from ccops.sim import facts_kpis, iter_events, records_kpis, simulate_mmc, write_jsonl


def test_kpis_from_folded_events_equal_kpis_from_records() -> None:
    rec = simulate_mmc(3.0 / 60, 200.0, 8, hours=48, seed=3, patience=90.0)
    by_contact: dict[str, list[ContactEvent]] = defaultdict(list)
    for event in iter_events(rec):
        assert event.type != "agent.state"
        by_contact[event.contact].append(event)  # type: ignore[union-attr]
    facts = [fold_contact(k, evs) for k, evs in by_contact.items()]
    for within, short in ((20.0, 0.0), (30.0, 5.0)):
        from_events = facts_kpis(facts, within, short)
        from_records = records_kpis(rec, within, short)
        for name in ("offered", "answered", "abandoned", "short_abandoned"):
            assert getattr(from_events, name) == getattr(from_records, name)
        for name in ("service_level", "abandon_rate", "p_wait"):
            assert getattr(from_events, name) == getattr(from_records, name)
        assert from_events.asa_seconds == pytest.approx(from_records.asa_seconds, abs=1e-6)


def test_same_seed_gives_byte_identical_jsonl_that_parses_back() -> None:
    outs = []
    for _ in range(2):
        buf = io.BytesIO()
        write_jsonl(simulate_mmc(2.0 / 60, 180.0, 5, hours=6, seed=9, patience=60.0), buf)
        outs.append(buf.getvalue())
    assert outs[0] == outs[1]
    lines = outs[0].splitlines()
    assert lines
    times = [parse_event(line).at for line in lines]
    assert times == sorted(times)
    assert parse_event(lines[0]).id == "sim-9-0000000-offered"


def test_events_with_bodies_carry_bodies_that_parse_back_to_the_same_events() -> None:
    from ccops.sim.emit import iter_events_with_bodies

    rec = simulate_mmc(2.0 / 60, 180.0, 5, hours=3, seed=4, patience=60.0)
    pairs = list(iter_events_with_bodies(rec))
    assert pairs and [e for e, _ in pairs] == list(iter_events(rec))
    for event, body in pairs:
        assert parse_event(body) == event
