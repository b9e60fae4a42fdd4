"""Large rosters by decomposition: no hard rule broken, and the bound holds for every schedule."""

from __future__ import annotations

import numpy as np
import pytest

from ccops.wfm.roster import schedule_decomposed, schedule_named
from ccops.wfm.schedule import Agent, Contract, ShiftTemplate, schedule, violations
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


def test_night_shifts_all_find_an_agent_after_their_rest() -> None:
    """Forty agents round the clock, each with a week of leave in four, all needed at their
    maximum: every shift the aggregate plans goes to someone (none dropped for want of rest)."""
    days = 14
    hours = (np.arange(days * 96) + 0.5) / 4 % 24
    profile = (
        0.25 + np.exp(-0.5 * ((hours - 11) / 3) ** 2) + 0.8 * np.exp(-0.5 * ((hours - 18) / 3) ** 2)
    )
    required = np.round(18 * profile)
    templates = [
        ShiftTemplate("full", 510, 0, 24 * 60 - 15, 15, lunch_minutes=30,
                      lunch_window=(180, 300), break_minutes=15, breaks=2)
    ]  # fmt: skip
    contract = Contract(0.0, 42.5, 0, 5, 6, 11.0)
    agents = [
        Agent(f"a{i}", contract, templates=("full",),
              unavailable_days=frozenset(range(7 * (i % 2), 7 * (i % 2) + 7)) if i % 4 == 0
              else frozenset())
        for i in range(40)
    ]  # fmt: skip
    roster = schedule_decomposed(required, 15, agents, templates, time_limit=30)
    assert violations(roster.assignments, agents, templates, days) == []
    # 35 agents free in each week, five shifts each
    assert len(roster.assignments) == 2 * 35 * 5
    assert roster.gap < 0.01


def test_a_small_center_gets_the_better_of_the_direct_and_decomposed_schedules(both: tuple) -> None:
    agents, _, roster = both
    named = schedule_named(_requirement(14), 30, agents, TEMPLATES, time_limit=60)
    assert violations(named.assignments, agents, TEMPLATES, 14) == []
    assert named.objective <= roster.objective + 1e-6
    assert named.lower_bound >= roster.lower_bound - 1e-9
    assert named.lower_bound <= named.objective + 1e-6


def _eight_hour_week_agents(n: int) -> tuple[list[Agent], list[ShiftTemplate]]:
    templates = [ShiftTemplate("day8", 480, 8 * 60, 10 * 60, 60)]
    contract = Contract(32, 40, 4, 6, max_consecutive_days=6, min_rest_hours=11)
    return [Agent(f"a{i}", contract, templates=("day8",)) for i in range(n)], templates


def test_a_short_last_week_gets_its_pro_rata_hours_even_where_no_one_is_needed() -> None:
    """Twelve days: the second week has five, so each agent owes 32 × 5/7 = 22.9 h of it
    (three 8-hour shifts) although those days need nobody."""
    agents, templates = _eight_hour_week_agents(10)
    days = 12
    hours = (np.arange(days * 24) + 0.5) % 24
    required = np.where((hours >= 8) & (hours < 18), 6.0, 0.0)
    required[7 * 24 :] = 0.0
    roster = schedule_decomposed(required, 60, agents, templates, time_limit=30)
    assert violations(roster.assignments, agents, templates, days) == []
    for agent in agents:
        last_week = [a for a in roster.assignments if a.agent == agent.id and a.day >= 7]
        assert len(last_week) == 3


def test_a_week_no_number_of_shifts_can_fill_is_refused_up_front_naming_agent_and_week() -> None:
    """Four days of a 34–42.5 h week pro rata is 19.4–24.3 h: two 8.5-hour shifts are too few
    and three too many, so no roster can exist, and the error says what to change."""
    templates = [ShiftTemplate("full", 510, 8 * 60, 10 * 60, 30)]
    agents = [Agent("north-001", Contract(34, 42.5, 4, 5), templates=("full",))]
    with pytest.raises(ValueError, match=r"north-001: week 4 \(4 days, a short last week\)"):
        schedule_decomposed(np.zeros(32 * 96), 15, agents, templates)
    with pytest.raises(ValueError, match="plan whole weeks"):
        schedule(np.zeros(32 * 96), 15, agents, templates)
    # whole weeks, or a short week the shifts can fill (five days: three shifts), are fine
    assert schedule_decomposed(np.zeros(28 * 96), 15, agents, templates, time_limit=30)
    assert schedule_decomposed(np.zeros(33 * 96), 15, agents, templates, time_limit=30)
