"""Zero traffic, zero agents, unstable queues, clear errors, and where pyworkforce 0.5 is wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ccops.queueing import (
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    log_erlang_b,
    required_agents,
    scheduled_agents,
    staffing,
)


def test_one_agent_is_enough_for_very_low_traffic_where_pyworkforce_asks_for_two() -> None:
    # 1.2 emails per 30 min, 15 min handle time (A = 0.6 Erlangs), answered within 24 h at 80 %
    load, aht, t = 1.2 * 15 / 30, 15 * 60.0, 24 * 3600.0
    assert int(required_agents(load, aht, t, service_level=0.8)) == 1
    assert float(erlang_c_metrics(1, load, aht, t).service_level) >= 0.8
    pyworkforce = pytest.importorskip("pyworkforce.queuing")
    pw = pyworkforce.ErlangC(transactions=1.2, aht=15, asa=24 * 60, interval=30)
    assert pw.required_positions(service_level=0.8)["raw_positions"] == 2  # the bug ccops avoids


def test_wait_probability_is_one_not_above_one_when_agents_are_fewer_than_the_load() -> None:
    m = erlang_c_metrics(8, 10.0, 180.0, 20.0)
    assert float(m.wait_probability) == 1.0
    assert float(m.service_level) == 0.0
    assert math.isinf(float(m.asa))
    assert float(m.occupancy) == 1.0
    assert not bool(m.stable)
    pyworkforce = pytest.importorskip("pyworkforce.queuing")
    pw = pyworkforce.ErlangC(transactions=100, aht=3, asa=20 / 60, interval=30)
    assert pw.waiting_probability(8) > 1.0  # the bug ccops avoids


def test_zero_agents_with_traffic_is_an_unstable_queue_not_a_division_error() -> None:
    m = erlang_c_metrics(0, 10.0, 180.0, 20.0)
    assert (float(m.wait_probability), float(m.service_level)) == (1.0, 0.0)
    assert float(erlang_b(0, 10.0)) == 1.0
    a = erlang_a_metrics(0, 10.0, 180.0, 300.0, 20.0)
    assert float(a.abandon_probability) == pytest.approx(1.0)
    assert float(a.service_level) == 0.0
    assert math.isinf(float(a.asa))  # nobody is answered
    pyworkforce = pytest.importorskip("pyworkforce.queuing")
    pw = pyworkforce.ErlangC(transactions=100, aht=3, asa=20 / 60, interval=30)
    with pytest.raises(ZeroDivisionError):
        pw.waiting_probability(0)  # the bug ccops avoids


def test_zero_traffic_needs_no_agents_and_nobody_waits() -> None:
    assert int(required_agents(0.0, 180.0, 20.0, service_level=0.95)) == 0
    m = erlang_c_metrics([0, 5], 0.0, 180.0, 20.0)
    assert list(m.wait_probability) == [0.0, 0.0]
    assert list(m.service_level) == [1.0, 1.0]
    assert list(m.occupancy) == [0.0, 0.0]
    s = staffing([0.0, 10.0], 180.0, 20.0, service_level=0.8, patience=300.0)
    assert list(s.agents[:1]) == [0]
    assert float(erlang_c(3, 0.0)) == 0.0


def test_erlang_a_is_stable_with_fewer_agents_than_the_load() -> None:
    m = erlang_a_metrics(80, 100.0, 300.0, 120.0, 20.0)
    assert 0.0 < float(m.service_level) < 1.0
    assert 0.0 < float(m.abandon_probability) < 1.0
    assert math.isfinite(float(m.asa))


def test_fifty_thousand_agents_do_not_overflow() -> None:
    assert float(erlang_b(50_000, 10.0)) == 0.0
    assert math.isfinite(float(log_erlang_b(50_000, 10.0)))
    m = erlang_c_metrics(50_000, 49_500.0, 300.0, 20.0)
    assert 0.0 < float(m.wait_probability) < 1.0
    n = required_agents(np.array([10.0, 49_500.0]), 300.0, 20.0, service_level=0.8)
    assert n[1] > 49_500


def test_shrinkage_rounds_scheduled_heads_up_without_float_artefacts() -> None:
    assert int(scheduled_agents(14, 0.3)) == 20
    assert int(scheduled_agents(15, 0.3)) == 22
    assert int(scheduled_agents(0, 0.3)) == 0
    with pytest.raises(ValueError, match="shrinkage"):
        scheduled_agents(14, 1.0)


def test_bad_inputs_raise_value_errors_that_name_the_input() -> None:
    with pytest.raises(ValueError, match="load"):
        erlang_c_metrics(10, -1.0, 180.0, 20.0)
    with pytest.raises(ValueError, match="agents"):
        erlang_b(2.5, 1.0)
    with pytest.raises(ValueError, match="aht"):
        erlang_c_metrics(10, 5.0, 0.0, 20.0)
    with pytest.raises(ValueError, match="service_level"):
        required_agents(5.0, 180.0, 20.0, service_level=1.5)
    with pytest.raises(ValueError, match="no target"):
        required_agents(5.0, 180.0, 20.0)
    with pytest.raises(ValueError, match="patience"):
        required_agents(5.0, 180.0, 20.0, max_abandon=0.05)


def test_unreachable_targets_fail_clearly_instead_of_looping() -> None:
    with pytest.raises(ValueError, match="not reachable"):
        required_agents(5.0, 180.0, 20.0, patience=60.0, max_abandon=0.0, max_agents=50)


def test_short_abandons_are_left_out_of_the_service_level_denominator() -> None:
    args = (10, 10.0, 180.0, 30.0, 20.0)
    plain = erlang_a_metrics(*args)
    excluded = erlang_a_metrics(*args, short_abandon=5.0)
    assert float(excluded.service_level) > float(plain.service_level)
    assert float(excluded.abandon_probability) < float(plain.abandon_probability)
