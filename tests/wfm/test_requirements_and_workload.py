"""Requirements from the queueing core with shrinkage; the workload calculator by hand."""

from __future__ import annotations

import numpy as np
import pytest

from ccops.wfm.requirements import combined_shrinkage, requirements
from ccops.wfm.workload import workload


def test_requirements_match_the_published_erlang_c_example_and_apply_shrinkage() -> None:
    # 100 calls in 30 minutes, AHT 180 s, 80 % within 20 s: 14 agents (the `ccops staff` case).
    req = requirements([100.0], 180.0, 30, planned_shrinkage=0.2, unplanned_shrinkage=0.125)
    assert req.staffing.agents.tolist() == [14]
    assert req.shrinkage[0] == pytest.approx(0.3)
    assert req.staffing.scheduled_agents.tolist() == [20]


def test_patience_switches_to_erlang_a_and_needs_no_more_agents() -> None:
    calls = np.array([50.0, 100.0, 200.0])
    c = requirements(calls, 240.0, 15)
    a = requirements(calls, 240.0, 15, patience=120.0)
    assert np.all(a.staffing.agents <= c.staffing.agents)
    assert a.staffing.abandon_probability is not None


def test_the_occupancy_cap_binds_on_large_queues() -> None:
    req = requirements([3000.0], 300.0, 15, service_level=0.5, max_occupancy=0.8)
    assert req.staffing.occupancy[0] <= 0.8


def test_shrinkage_outside_zero_one_is_rejected() -> None:
    with pytest.raises(ValueError):
        combined_shrinkage(1.0, 0.0)


def test_workload_goes_from_revenue_to_head_count_step_by_step() -> None:
    w = workload(1_000_000, 250, 0.2, 360, 160, service_contacts_per_sale=0.5, shrinkage=0.2)
    assert w.sales == 4000
    assert w.contacts == 4000 / 0.2 + 2000
    assert w.workload_hours == pytest.approx(22000 * 0.1)
    assert w.agent_hours == pytest.approx(2200 / 0.85)
    assert w.paid_hours == pytest.approx(2200 / 0.85 / 0.8)
    assert w.head_count == 21  # 3235.3 paid hours ÷ 160


def test_workload_rejects_a_conversion_rate_above_one() -> None:
    with pytest.raises(ValueError, match="conversion_rate"):
        workload(1000, 10, 1.5, 300, 160)
