"""Named-agent scheduling: every hard rule holds, and the checker catches each broken one."""

from __future__ import annotations

import numpy as np
import pytest

from ccops.wfm.schedule import (
    DAY_MINUTES,
    Agent,
    Assignment,
    Contract,
    ShiftTemplate,
    schedule,
    violations,
)

DAY = ShiftTemplate(
    "day8", 480, 360, 840, 60, lunch_minutes=30, lunch_window=(180, 300), break_minutes=15, breaks=2
)
LATE = ShiftTemplate("late8", 480, 840, 960, 60, lunch_minutes=30, lunch_window=(180, 300))
PART = ShiftTemplate("part4", 240, 480, 1080, 60, break_minutes=15, breaks=1)
TEMPLATES = [DAY, LATE, PART]
FULL = Contract(32, 40, 4, 5, max_consecutive_days=5, min_rest_hours=12)
HALF = Contract(12, 20, 3, 5, max_consecutive_days=4, min_rest_hours=11)


def _requirement(days: int = 7) -> np.ndarray:
    hours = (np.arange(days * 48) + 0.5) / 2 % 24
    profile = np.exp(-0.5 * ((hours - 11) / 3) ** 2) + 0.8 * np.exp(-0.5 * ((hours - 17) / 3) ** 2)
    return np.round(6 * profile)


def _agents() -> list[Agent]:
    out = []
    for i in range(10):
        if i < 7:
            out.append(
                Agent(
                    f"f{i}",
                    FULL,
                    templates=("day8", "late8"),
                    unavailable_days=frozenset({i % 7}),
                    preferred_start=(480, 600) if i % 2 else None,
                )
            )
        else:
            out.append(
                Agent(f"p{i}", HALF, templates=("part4",), preferred_days_off=frozenset({5, 6}))
            )
    return out


@pytest.fixture(scope="module")
def solved() -> tuple:
    agents = _agents()
    return agents, schedule(_requirement(), 30, agents, TEMPLATES, time_limit=30)


def test_the_schedule_breaks_no_hard_rule(solved: tuple) -> None:
    agents, result = solved
    assert violations(result.assignments, agents, TEMPLATES, 7) == []


def test_each_agent_works_within_contract_hours_days_and_rest(solved: tuple) -> None:
    agents, result = solved
    for agent in agents:
        mine = sorted((s for s in result.assignments if s.agent == agent.id), key=lambda s: s.start)
        hours = sum(s.end - s.start for s in mine) / 60
        c = agent.contract
        assert c.min_hours_per_week <= hours <= c.max_hours_per_week
        assert c.min_days_per_week <= len(mine) <= c.max_days_per_week
        assert not {s.day for s in mine} & agent.unavailable_days
        for a, b in zip(mine, mine[1:], strict=False):
            assert b.start - a.end >= c.min_rest_hours * 60


def test_breaks_fall_inside_their_shift_and_reduce_coverage(solved: tuple) -> None:
    _, result = solved
    gross = np.zeros(result.required.size, dtype=int)
    off = 0
    for s in result.assignments:
        gross[(s.start // 30 + np.arange((s.end - s.start) // 30)) % gross.size] += 1
        for start, minutes in s.breaks:
            assert s.start <= start and start + minutes <= s.end
            off += -(-minutes // 30)
        if s.template == "day8":
            assert len(s.breaks) == 3
    assert gross.sum() - result.coverage.sum() == off


def test_the_gap_is_measured_against_the_lp_bound(solved: tuple) -> None:
    _, result = solved
    assert result.lp_bound <= result.lower_bound + 1e-6 <= result.objective + 1e-6
    assert 0 <= result.gap <= 0.02


def _one(agent: str, day: int, start_clock: int, template: ShiftTemplate = DAY) -> Assignment:
    start = day * DAY_MINUTES + start_clock
    return Assignment(agent, day, template.name, start, start + template.length_minutes, ())


@pytest.mark.parametrize(
    ("shifts", "message"),
    [
        ([_one("f1", 0, 360), _one("f1", 0, 420)], "two shifts on one day"),
        ([_one("f1", 1, 360)], "unavailable day"),
        ([_one("f1", 0, 370)], "does not match template"),
        ([_one("f1", 0, 480, PART)], "not allowed"),
        ([_one("f1", d, 360) for d in (2, 3, 4, 5, 6, 0)], "days"),
        ([_one("f1", 2, 960, LATE), _one("f1", 3, 360)], "rest"),
        ([_one("f0", d, 360) for d in (1, 2, 3, 4, 5, 6)], "in a row"),
        ([_one("f0", d, 360) for d in (1, 2, 3)], "week 0 has 24 h"),
    ],
)
def test_the_checker_names_each_broken_rule(shifts: list[Assignment], message: str) -> None:
    found = violations(shifts, _agents(), TEMPLATES, 7)
    assert any(message in f for f in found), found


def test_an_impossible_contract_is_reported_not_violated() -> None:
    agents = [Agent("x", Contract(50, 60, 6, 7), templates=("part4",))]
    # six or seven 4-hour shifts make at most 28 h: refused before solving, saying why
    with pytest.raises(ValueError, match=r"agent x: week 0 must have 50–60 h .* \(4 h\) makes"):
        schedule(_requirement(), 30, agents, TEMPLATES, time_limit=10)
