"""Rounding the aggregate roster model: every step keeps the side rules and never gets worse,
and a window over every column reaches the MIP optimum."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from ccops.wfm._rounding import CountModel, move_shifts, reoptimise_windows, round_up_greedily
from ccops.wfm.cover import coverage_matrix


def _model(seed: int) -> tuple[CountModel, np.ndarray, np.ndarray]:
    """Two groups of shifts (4 and 8 intervals long, any start) over a cyclic day of 24
    intervals; each group capped in shifts and in interval-hours, one group with a minimum."""
    rng = np.random.default_rng(seed)
    starts = np.tile(np.arange(24), 2)
    lengths = np.repeat([4, 8], 24)
    group = np.repeat([0, 1], 24)
    cover = coverage_matrix(starts, lengths, 24)
    rows = [(group == 0) * 1.0, (group == 1) * 1.0, (group == 0) * lengths * 1.0]
    side = sp.csc_matrix(np.vstack(rows))
    cap = float(rng.integers(3, 9))
    model = CountModel(
        cover=cover.tocsc(),
        side=side,
        lower=np.array([0.0, 2.0, 0.0]),
        upper=np.array([cap, float(rng.integers(2, 7)), 4.0 * cap]),
        col_upper=np.full(48, 3.0),
        required=rng.uniform(0.0, 6.0, 24),
        under_weight=1.0,
        over_weight=float(rng.uniform(0.5, 2.0)),
    )
    return model, group, _lp(model)


def _lp(model: CountModel) -> np.ndarray:
    n, t = model.cover.shape[1], model.cover.shape[0]
    x = _solve(model, integral=False)
    assert x.size == n + 2 * t
    return x[:n]


def _solve(model: CountModel, integral: bool) -> np.ndarray:
    n, t = model.cover.shape[1], model.cover.shape[0]
    eye = sp.identity(t)
    matrix = sp.vstack(
        [
            sp.hstack([model.cover, eye, -eye]),
            sp.hstack([model.side, sp.csc_matrix((model.side.shape[0], 2 * t))]),
        ]
    )
    res = milp(
        np.concatenate(
            [
                np.full(n, model.shift_cost),
                np.full(t, model.under_weight),
                np.full(t, model.over_weight),
            ]
        ),  # fmt: skip
        integrality=np.concatenate([np.full(n, 1 if integral else 0), np.zeros(2 * t)]),
        bounds=Bounds(0, np.concatenate([model.col_upper, np.full(2 * t, np.inf)])),
        constraints=LinearConstraint(
            matrix,
            np.concatenate([model.required, model.lower]),
            np.concatenate([model.required, model.upper]),
        ),
    )
    assert res.x is not None
    return np.asarray(res.x)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_each_rounding_step_keeps_the_rules_and_never_gets_worse(seed: int) -> None:
    model, group, x = _model(seed)
    far = time.perf_counter() + 30
    rounded = round_up_greedily(model, x)
    assert model.feasible(rounded)
    moved = move_shifts(model, rounded, group, far)
    assert model.feasible(moved)
    assert model.objective(moved) <= model.objective(rounded) + 1e-9
    lp = float(model.staffing_cost(model.cover @ x).sum() + model.shift_cost * x.sum())
    windows = [np.flatnonzero(group == g) for g in (0, 1)]
    refined = reoptimise_windows(model, moved, windows, far, lp)
    assert model.feasible(refined)
    assert model.objective(refined) <= model.objective(moved) + 1e-9
    assert model.objective(refined) >= lp - 1e-6  # the LP stays a bound


def test_a_window_over_every_column_reaches_the_mip_optimum() -> None:
    for seed in range(5):
        model, group, x = _model(seed)
        start = move_shifts(model, round_up_greedily(model, x), group, time.perf_counter() + 30)
        everything = [np.arange(group.size)]
        refined = reoptimise_windows(model, start, everything, time.perf_counter() + 30, -np.inf)
        best = np.round(_solve(model, integral=True)[: group.size]).astype(np.int64)
        assert model.objective(refined) <= model.objective(best) + 1e-6


def test_windows_stop_once_within_the_tolerance_of_the_bound() -> None:
    model, group, x = _model(1)
    start = round_up_greedily(model, x)
    value = model.objective(start)
    # a bound already within tolerance: nothing is re-solved, the counts come back unchanged
    same = reoptimise_windows(model, start, [np.arange(group.size)], time.perf_counter() + 30,
                              value * 0.999, tolerance=0.002)  # fmt: skip
    assert np.array_equal(same, start)
