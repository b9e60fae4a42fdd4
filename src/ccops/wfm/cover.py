"""Shift covering (the quick mode): how many shifts of each length to start in each interval.

The model, over a horizon of T intervals (a week, say) that by default repeats, so that shifts
may run past midnight and past the end of the horizon into its start:

    minimise    Σ_t w_u[t]·under[t] + w_o[t]·over[t]  +  ε · Σ_j x[j]
    subject to  Σ_j a[t, j]·x[j] + under[t] − over[t] = required[t]   for every interval t
                x[j] ≥ 0 integer (shifts of candidate j), under, over ≥ 0

where a[t, j] = 1 when candidate shift j is on duty in interval t.  Each column of ``a`` is a
(circular) run of ones, so the matrix is an interval matrix: without wrap-around it is totally
unimodular and the LP relaxation has an integral optimal vertex, and with wrap-around the vertex
the simplex method returns is integral in practice too.  HiGHS solves the LP first; when its
solution is integral it is optimal and the gap is 0, otherwise the MIP runs from it under a time
limit and the LP bound and remaining gap are reported honestly.

ε is small enough (1 ÷ (an upper bound on the number of shifts + 1)) that, with whole-number
requirements and weights, the objective is lexicographic: the least weighted difference first,
then the fewest shifts among the schedules that reach it.  ``minimize="shifts"`` swaps the two
(the fewest shifts with no under-coverage, or within ``max_difference``; surplus breaks ties).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from ccops.wfm import _highs
from ccops.wfm._arrays import FloatArray, IntArray

Objective = Literal["difference", "shifts"]


@dataclass(frozen=True)
class Candidates:
    """Candidate shifts: start interval and length in intervals, one entry per candidate."""

    starts: IntArray
    lengths: IntArray
    horizon: int
    wrap: bool

    def matrix(self) -> sp.csc_matrix:
        """The T × n coverage matrix: 1 where candidate j is on duty in interval t."""
        return coverage_matrix(self.starts, self.lengths, self.horizon, self.wrap)


@dataclass(frozen=True)
class CoverResult:
    """The shifts chosen and what they cover; totals in interval-agents unless named hours."""

    interval_minutes: int
    required: FloatArray
    coverage: IntArray
    starts: IntArray  # interval index of each chosen (start, length) pair
    lengths: IntArray  # its length in intervals
    counts: IntArray  # how many shifts of it
    under: float  # Σ max(required − coverage, 0)
    over: float  # Σ max(coverage − required, 0)
    difference: float  # the weighted under- plus over-coverage
    shifts: int
    agent_hours: float
    objective: float
    lp_bound: float  # the LP relaxation's optimum: no schedule can score below it
    lower_bound: float  # the best bound known at the end (LP or branch and bound)
    gap: float  # (objective − lower_bound) ÷ objective; 0 means proven optimal
    status: str
    seconds: float
    candidates: int

    def as_json(self, first_start: datetime) -> dict[str, Any]:
        """The documented JSON form (docs/wfm.md), with shift starts from `first_start`."""
        step = timedelta(minutes=self.interval_minutes)
        shifts = [
            {
                "start": (first_start + int(s) * step).isoformat(timespec="minutes"),
                "length_hours": _hours(int(n) * self.interval_minutes / 60.0),
                "count": int(c),
            }
            for s, n, c in zip(self.starts, self.lengths, self.counts, strict=True)
        ]
        return {
            "intervals": int(self.required.size),
            "interval_minutes": self.interval_minutes,
            "candidate_shifts": self.candidates,
            "shifts": shifts,
            "total_shifts": self.shifts,
            "total_agent_hours": _hours(self.agent_hours),
            "under_coverage": _hours(self.under),
            "over_coverage": _hours(self.over),
            "difference": _hours(self.difference),
            "objective": self.objective,
            "lp_bound": self.lp_bound,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "status": self.status,
            "solve_seconds": round(self.seconds, 4),
            "coverage": [int(c) for c in self.coverage],
        }


def _hours(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def coverage_matrix(
    starts: ArrayLike, lengths: ArrayLike, horizon: int, wrap: bool = True
) -> sp.csc_matrix:
    """Sparse coverage matrix for shifts given by start interval and length (built in numpy)."""
    s = np.asarray(starts, dtype=np.int64)
    ln = np.asarray(lengths, dtype=np.int64)
    if s.shape != ln.shape:
        raise ValueError("starts and lengths must have the same shape")
    if np.any(ln <= 0):
        raise ValueError("shift lengths must be positive")
    if np.any(ln > horizon):
        raise ValueError("a shift cannot be longer than the horizon")
    if not wrap and np.any(s + ln > horizon):
        raise ValueError("without wrap-around every shift must end inside the horizon")
    indptr = np.zeros(s.size + 1, dtype=np.int64)
    np.cumsum(ln, out=indptr[1:])
    offsets = np.arange(int(indptr[-1]), dtype=np.int64) - np.repeat(indptr[:-1], ln)
    rows = (np.repeat(s, ln) + offsets) % horizon
    data = np.ones(rows.size, dtype=np.float64)
    return sp.csc_matrix((data, rows, indptr), shape=(horizon, s.size))


def candidates(
    horizon: int,
    interval_minutes: int,
    shift_lengths_hours: Sequence[float],
    start_step_minutes: int,
    wrap: bool = True,
) -> Candidates:
    """Every shift of each length starting every ``start_step_minutes`` from the horizon start."""
    if horizon <= 0:
        raise ValueError("the horizon must have at least one interval")
    if interval_minutes <= 0:
        raise ValueError("interval_minutes must be positive")
    if start_step_minutes <= 0 or start_step_minutes % interval_minutes:
        raise ValueError(
            f"start step ({start_step_minutes} min) must be a positive multiple of the "
            f"interval ({interval_minutes} min)"
        )
    if not shift_lengths_hours:
        raise ValueError("give at least one shift length")
    lengths: list[int] = []
    for hours in shift_lengths_hours:
        per = hours * 60.0 / interval_minutes
        if hours <= 0 or not math.isclose(per, round(per)):
            raise ValueError(
                f"shift length {hours:g} h is not a positive multiple of {interval_minutes} min"
            )
        n = round(per)
        if n > horizon:
            raise ValueError(f"shift length {hours:g} h is longer than the horizon")
        if n not in lengths:
            lengths.append(n)
    step = start_step_minutes // interval_minutes
    all_starts = np.arange(0, horizon, step, dtype=np.int64)
    starts_l: list[IntArray] = []
    lengths_l: list[IntArray] = []
    for n in lengths:
        s = all_starts if wrap else all_starts[all_starts + n <= horizon]
        starts_l.append(s)
        lengths_l.append(np.full(s.size, n, dtype=np.int64))
    return Candidates(np.concatenate(starts_l), np.concatenate(lengths_l), horizon, wrap)


def _weights(name: str, value: ArrayLike, size: int) -> FloatArray:
    w = np.broadcast_to(np.asarray(value, dtype=np.float64), (size,)).copy()
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"{name} must be finite and >= 0")
    return w


def solve_cover(
    required: ArrayLike,
    cands: Candidates,
    interval_minutes: int,
    *,
    under_weight: ArrayLike = 1.0,
    over_weight: ArrayLike = 1.0,
    minimize: Objective = "difference",
    max_difference: float | None = None,
    time_limit: float = 60.0,
    mip_rel_gap: float = 0.0,
) -> CoverResult:
    """Choose how many of each candidate shift to run against ``required`` (see module doc)."""
    r = np.asarray(required, dtype=np.float64).ravel()
    t_count = cands.horizon
    if r.size != t_count:
        raise ValueError(f"required has {r.size} intervals, the candidates' horizon {t_count}")
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("required must be finite and >= 0")
    if minimize not in ("difference", "shifts"):
        raise ValueError("minimize must be 'difference' or 'shifts'")
    wu = _weights("under_weight", under_weight, t_count)
    wo = _weights("over_weight", over_weight, t_count)
    a = cands.matrix()
    n = a.shape[1]
    min_len = int(cands.lengths.min())
    max_len = int(cands.lengths.max())
    # Bounds for the tie-break weight: no sensible schedule is worse than running no shift at all.
    d_none = float(wu @ r)
    wo_min = float(wo.min()) if float(wo.min()) > 0 else 1.0
    n_bound = (float(r.sum()) + d_none / wo_min) / min_len + 1.0
    identity = sp.identity(t_count, format="csc", dtype=np.float64)
    matrix = sp.hstack([a, identity, -identity], format="csc")
    row_lower = r.copy()
    row_upper = r.copy()
    upper = np.full(n + 2 * t_count, _highs.INF)
    if minimize == "difference":
        eps = 1.0 / (n_bound + 1.0)
        cost = np.concatenate([np.full(n, eps), wu, wo])
    else:
        d_bound = d_none + float(wo.max()) * n_bound * max_len
        eps = 1.0 / (d_bound + 1.0)
        cost = np.concatenate([np.ones(n), eps * wu, eps * wo])
        if max_difference is None:
            upper[n : n + t_count] = 0.0  # no under-coverage at all
    if max_difference is not None:
        if max_difference < 0:
            raise ValueError("max_difference must be >= 0")
        row = sp.csr_matrix(np.concatenate([np.zeros(n), wu, wo])[None, :])
        matrix = sp.vstack([matrix.tocsr(), row], format="csc")
        row_lower = np.append(row_lower, -_highs.INF)
        row_upper = np.append(row_upper, float(max_difference) + 1e-9)
    model = _highs.Model(
        cost=cost,
        matrix=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        lower=np.zeros(n + 2 * t_count),
        upper=upper,
        integer=np.concatenate([np.ones(n, dtype=np.bool_), np.zeros(2 * t_count, dtype=np.bool_)]),
    )
    res = _highs.solve(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    x = np.round(res.x[:n]).astype(np.int64)
    coverage = np.asarray(a @ x, dtype=np.float64).round().astype(np.int64)
    under_t = np.maximum(r - coverage, 0.0)
    over_t = np.maximum(coverage - r, 0.0)
    chosen = np.flatnonzero(x)
    order = chosen[np.lexsort((cands.lengths[chosen], cands.starts[chosen]))]
    return CoverResult(
        interval_minutes=interval_minutes,
        required=r,
        coverage=coverage,
        starts=cands.starts[order],
        lengths=cands.lengths[order],
        counts=x[order],
        under=float(under_t.sum()),
        over=float(over_t.sum()),
        difference=float(wu @ under_t + wo @ over_t),
        shifts=int(x.sum()),
        agent_hours=float(x @ cands.lengths) * interval_minutes / 60.0,
        objective=res.objective,
        lp_bound=res.lp_bound,
        lower_bound=res.bound,
        gap=_highs.gap(res.objective, res.bound),
        status=res.status,
        seconds=res.seconds,
        candidates=n,
    )


def cover(
    required: ArrayLike,
    interval_minutes: int,
    shift_lengths_hours: Sequence[float] = (4, 6, 8, 10),
    start_step_minutes: int = 30,
    *,
    wrap: bool = True,
    under_weight: ArrayLike = 1.0,
    over_weight: ArrayLike = 1.0,
    minimize: Objective = "difference",
    max_difference: float | None = None,
    time_limit: float = 60.0,
) -> CoverResult:
    """Quick mode: cover a per-interval requirement with shifts of the given lengths."""
    r = np.asarray(required, dtype=np.float64).ravel()
    cands = candidates(r.size, interval_minutes, shift_lengths_hours, start_step_minutes, wrap)
    return solve_cover(
        r,
        cands,
        interval_minutes,
        under_weight=under_weight,
        over_weight=over_weight,
        minimize=minimize,
        max_difference=max_difference,
        time_limit=time_limit,
    )
