"""Properties (hypothesis): monotone in agents and traffic, minimal staffing, values in [0, 1]."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ccops.queueing import erlang_a_metrics, erlang_c_metrics, required_agents

loads = st.floats(min_value=0.0, max_value=3000.0, allow_nan=False)
positive_loads = st.floats(min_value=0.01, max_value=3000.0, allow_nan=False)
ahts = st.floats(min_value=10.0, max_value=1200.0)
thresholds = st.floats(min_value=0.0, max_value=600.0)
patiences = st.floats(min_value=5.0, max_value=3600.0)
agents = st.integers(min_value=0, max_value=4000)
targets = st.floats(min_value=0.05, max_value=0.99)
fast = settings(max_examples=150, deadline=None)


@fast
@given(n=agents, load=loads, aht=ahts, t=thresholds)
def test_erlang_c_outputs_are_probabilities_and_occupancy_never_exceeds_one(
    n: int, load: float, aht: float, t: float
) -> None:
    m = erlang_c_metrics(n, load, aht, t)
    for value in (m.wait_probability, m.service_level, m.occupancy):
        assert 0.0 <= float(value) <= 1.0
    assert float(m.asa) >= 0.0


@fast
@given(n=agents, load=loads, aht=ahts, t=thresholds, patience=patiences)
def test_erlang_a_outputs_are_probabilities_and_occupancy_never_exceeds_one(
    n: int, load: float, aht: float, t: float, patience: float
) -> None:
    m = erlang_a_metrics(n, load, aht, patience, t, short_abandon=min(t, 5.0))
    for value in (m.wait_probability, m.abandon_probability, m.service_level, m.occupancy):
        assert 0.0 <= float(value) <= 1.0
    assert float(m.asa) >= 0.0


@fast
@given(load=positive_loads, aht=ahts, t=thresholds)
def test_erlang_c_service_level_rises_with_agents(load: float, aht: float, t: float) -> None:
    n = np.arange(max(0, int(load) - 3), int(load) + 60)
    sl = erlang_c_metrics(n, load, aht, t).service_level
    assert np.all(np.diff(sl) >= -1e-12)


@fast
@given(n=st.integers(1, 3000), load=positive_loads, aht=ahts, t=thresholds)
def test_erlang_c_service_level_falls_with_traffic(
    n: int, load: float, aht: float, t: float
) -> None:
    more = np.linspace(load, load * 1.5, 12)
    sl = erlang_c_metrics(n, more, aht, t).service_level
    assert np.all(np.diff(sl) <= 1e-12)


@fast
@given(load=positive_loads, aht=ahts, t=thresholds, patience=patiences)
def test_erlang_a_service_level_rises_with_agents_and_abandonment_falls(
    load: float, aht: float, t: float, patience: float
) -> None:
    n = np.arange(0, int(load * 1.2) + 40, max(1, int(load) // 40))
    m = erlang_a_metrics(n, load, aht, patience, t, with_asa=False)
    # Erlang A carries ~1e-16·x absolute rounding (x = load·patience/aht, up to ~1e6 here).
    assert np.all(np.diff(m.service_level) >= -1e-9)
    assert np.all(np.diff(m.abandon_probability) <= 1e-9)


@fast
@given(n=st.integers(1, 3000), load=positive_loads, aht=ahts, t=thresholds, patience=patiences)
def test_erlang_a_service_level_falls_with_traffic(
    n: int, load: float, aht: float, t: float, patience: float
) -> None:
    more = np.linspace(load, load * 1.5, 12)
    sl = erlang_a_metrics(n, more, aht, patience, t, with_asa=False).service_level
    assert np.all(np.diff(sl) <= 1e-9)


@fast
@given(load=positive_loads, aht=ahts, t=thresholds, sl=targets, occ=st.none() | targets)
def test_required_erlang_c_agents_meet_the_target_and_one_fewer_does_not(
    load: float, aht: float, t: float, sl: float, occ: float | None
) -> None:
    n = int(required_agents(load, aht, t, service_level=sl, max_occupancy=occ))
    here = erlang_c_metrics(n, load, aht, t)
    assert float(here.service_level) >= sl
    assert occ is None or float(here.occupancy) <= occ
    below = erlang_c_metrics(n - 1, load, aht, t)
    assert float(below.service_level) < sl or (occ is not None and float(below.occupancy) > occ)


@fast
@given(
    load=positive_loads,
    aht=ahts,
    t=thresholds,
    patience=patiences,
    sl=targets,
    ab=st.none() | st.floats(0.01, 0.3),
)
def test_required_erlang_a_agents_meet_the_targets_and_one_fewer_does_not(
    load: float, aht: float, t: float, patience: float, sl: float, ab: float | None
) -> None:
    n = int(required_agents(load, aht, t, service_level=sl, max_abandon=ab, patience=patience))
    here = erlang_a_metrics(n, load, aht, patience, t, with_asa=False)
    assert float(here.service_level) >= sl
    assert ab is None or float(here.abandon_probability) <= ab
    if n > 0:
        below = erlang_a_metrics(n - 1, load, aht, patience, t, with_asa=False)
        fails_sl = float(below.service_level) < sl
        fails_ab = ab is not None and float(below.abandon_probability) > ab
        assert fails_sl or fails_ab


@fast
@given(load=positive_loads, aht=ahts, asa=st.floats(1.0, 300.0))
def test_required_agents_for_an_asa_target_is_the_smallest_meeting_it(
    load: float, aht: float, asa: float
) -> None:
    n = int(required_agents(load, aht, asa=asa))
    assert float(erlang_c_metrics(n, load, aht, 0.0).asa) <= asa
    assert float(erlang_c_metrics(n - 1, load, aht, 0.0).asa) > asa
