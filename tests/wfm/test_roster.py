"""Large rosters by decomposition: no hard rule broken, and the bound holds for every schedule."""

from __future__ import annotations

import pytest

from ccops.wfm.roster import schedule_decomposed
from ccops.wfm.schedule import schedule, violations
from tests.wfm.test_schedule import TEMPLATES, _agents, _requirement


@pytest.fixture(scope="module")
def both() -> tuple:
    agents = _agents()
    r = _requirement(14)
    direct = schedule(r, 30, agents, TEMPLATES, time_limit=30)
    return agents, direct, schedule_decomposed(r, 30, agents, TEMPLATES, time_limit=30)


def test_the_decomposed_roster_breaks_no_hard_rule(both: tuple) -> None:
    agents, _, roster = both
    assert roster.assignments
    assert violations(roster.assignments, agents, TEMPLATES, 14) == []


def test_its_bound_is_below_every_schedule_including_the_direct_models(both: tuple) -> None:
    _, direct, roster = both
    assert roster.lp_bound <= roster.lower_bound <= roster.objective + 1e-6
    assert roster.lower_bound <= direct.objective + 1e-6  # a valid bound for any named schedule
    assert roster.gap == pytest.approx(
        (roster.objective - roster.lower_bound) / roster.objective, abs=1e-9
    )


def test_coverage_is_what_the_assignments_cover_net_of_breaks(both: tuple) -> None:
    _, _, roster = both
    minutes = roster.interval_minutes
    # a break takes whole intervals off the phone (a 15-minute break, one 30-minute interval)
    off = sum(-(-m // minutes) * minutes for a in roster.assignments for _, m in a.breaks)
    worked = sum(a.end - a.start for a in roster.assignments) - off
    assert int(roster.coverage.sum()) * minutes == worked
