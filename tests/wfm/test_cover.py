"""Shift covering: exact covers, the lexicographic objective against brute force, the MIP path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ccops.wfm.cover import candidates, cover, coverage_matrix


def test_a_flat_day_is_covered_exactly_by_eight_hour_shifts_across_midnight() -> None:
    res = cover(np.full(96, 5.0), 15, (8,), 60)
    assert res.difference == 0
    assert res.shifts == 15
    assert res.agent_hours == 120
    assert res.gap == 0 and res.status == "optimal"
    assert np.array_equal(res.coverage, np.full(96, 5))


def test_coverage_and_totals_agree_with_the_shifts_chosen() -> None:
    rng = np.random.default_rng(3)
    r = rng.integers(0, 12, 48).astype(float)
    res = cover(r, 30, (4, 6, 8), 30)
    cov = np.zeros(48, dtype=int)
    for s, n, c in zip(res.starts, res.lengths, res.counts, strict=True):
        cov[(s + np.arange(n)) % 48] += c
    assert np.array_equal(cov, res.coverage)
    assert res.under == np.maximum(r - cov, 0).sum()
    assert res.over == np.maximum(cov - r, 0).sum()
    assert res.shifts == res.counts.sum()
    assert res.agent_hours == pytest.approx((res.lengths * res.counts).sum() * 0.5)


def test_without_wrap_every_shift_ends_inside_the_horizon() -> None:
    r = np.r_[np.zeros(8), np.full(16, 3.0), np.zeros(8)]
    res = cover(r, 30, (4, 8), 30, wrap=False)
    assert np.all(res.starts + res.lengths <= r.size)
    assert res.difference == 0


def test_shifts_start_only_on_the_start_step() -> None:
    res = cover(np.full(96, 3.0), 15, (4, 6), 60)
    assert np.all(res.starts % 4 == 0)


def _brute_force(r: np.ndarray, starts: np.ndarray, lengths: np.ndarray, top: int) -> tuple:
    a = coverage_matrix(starts, lengths, r.size).toarray()
    grid = np.array(list(itertools.product(range(top + 1), repeat=starts.size)))
    diff = np.abs(grid @ a.T - r).sum(axis=1)
    best = diff.min()
    return best, grid[diff == best].sum(axis=1).min()


@pytest.mark.parametrize("seed", range(6))
def test_the_least_difference_then_the_fewest_shifts_matches_brute_force(seed: int) -> None:
    r = np.random.default_rng(seed).integers(0, 4, 6).astype(float)
    cands = candidates(6, 60, (2, 3), 120)
    best_diff, fewest = _brute_force(r, cands.starts, cands.lengths, 4)
    res = cover(r, 60, (2, 3), 120)
    assert (res.difference, res.shifts) == (best_diff, fewest)


def test_a_fractional_lp_goes_to_branch_and_bound_and_reports_the_lp_bound() -> None:
    # Five 2-hour slots in a cycle, one agent each: the LP takes half a shift everywhere (0),
    # whole shifts leave one slot short or doubled.
    res = cover(np.ones(5), 60, (2,), 60)
    assert res.difference == 1
    assert res.shifts == 2
    assert res.lp_bound < 1  # 2.5 half-shifts times the tie-break weight, no difference
    assert res.lower_bound == pytest.approx(res.objective)
    assert res.gap == 0 and res.status == "optimal"


def test_minimising_shifts_never_leaves_an_interval_short() -> None:
    r = np.random.default_rng(9).integers(0, 20, 96).astype(float)
    res = cover(r, 15, (4, 8), 30, minimize="shifts")
    assert res.under == 0
    by_difference = cover(r, 15, (4, 8), 30)
    assert res.shifts <= by_difference.shifts or by_difference.under > 0


def test_max_difference_bounds_the_difference_while_minimising_shifts() -> None:
    hours = (np.arange(48) + 0.5) / 2
    r = np.round(12 * np.exp(-0.5 * ((hours - 13) / 4) ** 2))
    least = cover(r, 30, (4, 8), 30).difference
    loose = cover(r, 30, (4, 8), 30, minimize="shifts", max_difference=least + 6)
    tight = cover(r, 30, (4, 8), 30, minimize="shifts")
    assert loose.difference <= least + 6 + 1e-6
    assert loose.shifts <= tight.shifts
    with pytest.raises(ValueError, match="no feasible"):
        cover(r, 30, (4, 8), 30, minimize="shifts", max_difference=least - 1)


def test_under_weight_trades_deficit_for_surplus() -> None:
    r = np.r_[np.full(3, 4.0), np.full(3, 1.0)]
    heavy = cover(r, 60, (6,), 60, under_weight=10)
    assert heavy.under == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_step_minutes": 20}, "multiple of the interval"),
        ({"shift_lengths_hours": (4.1,)}, "not a positive multiple"),
        ({"shift_lengths_hours": (30,)}, "longer than the horizon"),
        ({"shift_lengths_hours": ()}, "at least one shift length"),
    ],
)
def test_bad_parameters_say_what_is_wrong(kwargs: dict, message: str) -> None:
    args = {"shift_lengths_hours": (4,), "start_step_minutes": 30, **kwargs}
    with pytest.raises(ValueError, match=message):
        cover(np.ones(48), 30, **args)


def test_negative_requirements_are_rejected() -> None:
    with pytest.raises(ValueError, match="required"):
        cover(np.array([1.0, -1.0, 2.0, 2.0]), 60, (2,), 60)
