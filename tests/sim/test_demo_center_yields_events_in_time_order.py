"""The demo center simulates quickly and yields canonical events oldest first."""

from __future__ import annotations

import time

from ccops.events import dump_event, parse_event
from ccops.sim import DEMO_SCENARIO, demo_events, demo_run, load_scenario


def test_demo_events_come_in_time_order_and_validate() -> None:
    started = time.perf_counter()
    run = demo_run(days=2, seed=1)
    assert time.perf_counter() - started < 10
    events = list(run.events())
    assert len(events) == run.total > 20_000
    assert [e.at for e in events] == sorted(e.at for e in events)
    queues = {e.queue for e in events if e.type == "contact.offered"}  # type: ignore[union-attr]
    assert queues == {"general", "vip", "chat", "email"}
    for e in events[:: max(1, len(events) // 2000)]:
        assert parse_event(dump_event(e)) == e


def test_demo_events_is_reproducible() -> None:
    a = [dump_event(e) for e, _ in zip(demo_events(days=1, seed=2), range(3000), strict=False)]
    b = [dump_event(e) for e, _ in zip(demo_events(days=1, seed=2), range(3000), strict=False)]
    assert a == b


def test_a_run_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    from ccops.sim import simulate

    scenario = load_scenario(DEMO_SCENARIO)
    assert gc.isenabled()
    simulate(scenario, 1, seed=1)
    assert gc.isenabled()
    gc.disable()
    try:
        simulate(scenario, 1, seed=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
