"""Whole shift counts from the aggregate model's LP optimum, as close to it as time allows.

Three steps, each keeping every row of the aggregate's side constraints (shifts a day, days and
hours a week, consecutive days) within its bounds:

1. :func:`round_up_greedily`: round the LP down, then add shifts greedily where they help most.
2. :func:`move_shifts`: local search; move one shift to another column of its group and week
   (or drop or add one) while that lowers the weighted under- and over-staffing.
3. :func:`reoptimise_windows`: fix every count outside a window of two days, solve the window's
   small MIP with HiGHS, keep it when it is better; window after window, until the counts are
   within a tolerance of the LP bound or the time is spent.

The LP optimum stays the bound the result is measured against; these steps only close the gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ccops.wfm._arrays import FloatArray, IntArray


@dataclass(frozen=True)
class CountModel:
    """The aggregate model in the form the rounding steps need.

    ``cover`` is intervals × columns, ``side`` rows × columns with bounds ``lower``/``upper``;
    ``col_upper`` caps each column; ``required`` is the requirement the cover is measured against.
    """

    cover: sp.csc_matrix
    side: sp.csc_matrix
    lower: FloatArray
    upper: FloatArray
    col_upper: FloatArray
    required: FloatArray
    under_weight: float
    over_weight: float
    shift_cost: float = 1e-4

    def staffing_cost(self, covered: FloatArray, required: FloatArray | None = None) -> FloatArray:
        """Weighted under- and over-staffing per interval."""
        diff = covered - (self.required if required is None else required)
        result: FloatArray = self.under_weight * np.maximum(-diff, 0.0) + self.over_weight * (
            np.maximum(diff, 0.0)
        )
        return result

    def objective(self, counts: IntArray) -> float:
        """The aggregate objective of whole counts."""
        covered = self.cover @ counts
        return float(self.staffing_cost(covered).sum() + self.shift_cost * counts.sum())

    def feasible(self, counts: IntArray) -> bool:
        """Whether counts keep every side row and column cap."""
        used = self.side @ counts
        return bool(
            np.all(counts >= 0)
            and np.all(counts <= self.col_upper + 1e-9)
            and np.all(used >= self.lower - 1e-6)
            and np.all(used <= self.upper + 1e-6)
        )


def round_up_greedily(model: CountModel, x: FloatArray) -> IntArray:
    """Round the LP down, then add shifts greedily (fractional columns first, then any column)
    where they lower the staffing cost most within the caps; then fill unmet weekly minimums."""
    cover, side = model.cover, model.side.tocsr()
    counts = np.floor(x + 1e-7).astype(np.int64)
    covered = cover @ counts
    used = side @ counts
    cover_t = cover.T.tocsr()
    side_t = side.T.tocsr()

    def gains() -> FloatArray:
        now = model.staffing_cost(covered)
        result: FloatArray = cover_t @ (now - model.staffing_cost(covered + 1))
        return result

    def fits(j: int) -> bool:
        if counts[j] + 1 > model.col_upper[j] + 1e-9:
            return False
        row = side_t.getrow(j)
        return bool(np.all(used[row.indices] + row.data <= model.upper[row.indices] + 1e-9))

    def add(j: int) -> None:
        nonlocal covered
        counts[j] += 1
        covered = covered + cover[:, j].toarray().ravel()
        row = side_t.getrow(j)
        used[row.indices] += row.data

    for pool in (np.flatnonzero(x - np.floor(x + 1e-7) > 1e-6), np.arange(x.size)):
        while pool.size:
            g = gains()[pool]
            order = np.argsort(-g)
            chosen = next((int(pool[i]) for i in order if g[i] > 1e-9 and fits(int(pool[i]))), None)
            if chosen is None:
                break
            add(chosen)
    for row_index in np.flatnonzero(used < model.lower - 1e-9).tolist():
        members = side.getrow(row_index).indices
        while used[row_index] < model.lower[row_index] - 1e-9:
            g = gains()[members]
            pick = next((int(members[i]) for i in np.argsort(-g) if fits(int(members[i]))), None)
            if pick is None:
                break
            add(pick)
    return counts


def move_shifts(
    model: CountModel, counts: IntArray, block: IntArray, deadline: float, top: int = 24
) -> IntArray:
    """Local search: in each block (a group's week), move the shift whose move gains most.

    Candidates are the ``top`` columns whose one more shift would gain most and the ``top``
    whose one shift less would cost least; each pair's gain is then computed exactly (the two
    shifts may overlap) and its side rows checked. Stops at a local optimum or the deadline.
    """
    counts = counts.copy()
    cover = model.cover.tocsc()
    cover_t = cover.T.tocsr()
    side = model.side.tocsc()
    covered = (cover @ counts).astype(np.float64)
    used = side @ counts
    blocks = [np.flatnonzero(block == b) for b in np.unique(block)]

    def rows_of(matrix: sp.csc_matrix, j: int) -> tuple[IntArray, FloatArray]:
        s, e = matrix.indptr[j], matrix.indptr[j + 1]
        return matrix.indices[s:e], matrix.data[s:e]

    def gain(j: int, k: int) -> float:
        change: dict[int, float] = {}
        for col, sign in ((j, -1.0), (k, 1.0)):
            if col >= 0:
                for i in rows_of(cover, col)[0].tolist():
                    change[i] = change.get(i, 0.0) + sign
        idx = np.fromiter((i for i, v in change.items() if v), dtype=np.int64)
        if idx.size == 0:
            return 0.0
        delta = np.array([change[i] for i in idx.tolist()])
        r = model.required[idx]
        before = model.staffing_cost(covered[idx], r).sum()
        after = model.staffing_cost(covered[idx] + delta, r).sum()
        return float(before - after) + model.shift_cost * ((j >= 0) - (k >= 0))

    def side_ok(j: int, k: int) -> bool:
        change: dict[int, float] = {}
        for col, sign in ((j, -1.0), (k, 1.0)):
            if col >= 0:
                idx, data = rows_of(side, col)
                for i, v in zip(idx.tolist(), data.tolist(), strict=True):
                    change[i] = change.get(i, 0.0) + sign * v
        return all(
            model.lower[i] - 1e-9 <= used[i] + v <= model.upper[i] + 1e-9 for i, v in change.items()
        )

    def apply(col: int, sign: int) -> None:
        counts[col] += sign
        covered[rows_of(cover, col)[0]] += sign
        idx, data = rows_of(side, col)
        used[idx] += sign * data

    while time.perf_counter() < deadline:
        now = model.staffing_cost(covered)
        adding = cover_t @ (now - model.staffing_cost(covered + 1))
        removing = cover_t @ (now - model.staffing_cost(covered - 1))
        adding[counts + 1 > model.col_upper + 1e-9] = -np.inf
        removing[counts <= 0] = -np.inf
        moved = 0
        for cols in blocks:
            adds = cols[np.argsort(-adding[cols])[:top]]
            adds = adds[np.isfinite(adding[adds])].tolist()
            rems = cols[np.argsort(-removing[cols])[:top]]
            rems = rems[np.isfinite(removing[rems])].tolist()
            candidates = [(adding[k] + removing[j], j, k) for j in rems for k in adds if j != k]
            candidates += [(removing[j], j, -1) for j in rems]
            candidates += [(adding[k], -1, k) for k in adds]
            candidates.sort(key=lambda c: -c[0])
            for approx, j, k in candidates[:60]:
                if approx <= 1e-9:
                    break
                if gain(j, k) <= 1e-9 or not side_ok(j, k):
                    continue
                if j >= 0:
                    apply(j, -1)
                if k >= 0:
                    apply(k, 1)
                moved += 1
                break
        if not moved:
            break
    return counts


def reoptimise_windows(
    model: CountModel,
    counts: IntArray,
    windows: list[IntArray],
    deadline: float,
    bound: float,
    tolerance: float = 0.002,
    window_seconds: float = 3.0,
) -> IntArray:
    """Re-solve the counts of each window (columns) as a MIP with everything else fixed.

    A window's result replaces the counts only when it is better and keeps every side row.
    Passes over the windows repeat while a pass gains at least half of ``tolerance``, until the
    objective is within ``tolerance`` of ``bound`` or the deadline passes.
    """
    counts = counts.copy()
    cover, side = model.cover.tocsc(), model.side.tocsc()
    best = model.objective(counts)
    improved = True
    while improved:  # another pass only after one that gained at least half the tolerance
        start_of_pass = best
        for cols in windows:
            if best - bound <= tolerance * abs(best) or time.perf_counter() >= deadline:
                return counts
            trial = _solve_window(model, cover, side, counts, cols, window_seconds, deadline)
            if trial is None:
                continue
            value = model.objective(trial)
            if value < best - 1e-7 and model.feasible(trial):
                counts, best = trial, value
        improved = start_of_pass - best > tolerance / 2 * abs(best)
    return counts


def _solve_window(
    model: CountModel,
    cover: sp.csc_matrix,
    side: sp.csc_matrix,
    counts: IntArray,
    cols: IntArray,
    window_seconds: float,
    deadline: float,
) -> IntArray | None:
    fixed = counts.copy()
    fixed[cols] = 0
    sub_cover = cover[:, cols]
    rows = np.unique(sub_cover.indices)
    sub_cover = sub_cover[rows, :]
    sub_side = side[:, cols]
    side_rows = np.unique(sub_side.indices)
    sub_side = sub_side[side_rows, :]
    n, m = cols.size, rows.size
    rest = model.required[rows] - cover[rows, :] @ fixed
    used = side[side_rows, :] @ fixed
    identity = sp.identity(m, format="csc")
    matrix = sp.vstack(
        [
            sp.hstack([sub_cover, identity, -identity]),
            sp.hstack([sub_side, sp.csc_matrix((side_rows.size, 2 * m))]),
        ],
        format="csc",
    )
    lo = np.concatenate([rest, model.lower[side_rows] - used - 1e-7])
    hi = np.concatenate([rest, model.upper[side_rows] - used + 1e-7])
    weights = (model.shift_cost, model.under_weight, model.over_weight)
    cost = np.concatenate([np.full(size, w) for size, w in zip((n, m, m), weights, strict=True)])
    limit = min(window_seconds, deadline - time.perf_counter())
    if limit <= 0.05:
        return None
    res = milp(
        cost,
        integrality=np.concatenate([np.ones(n), np.zeros(2 * m)]),
        bounds=Bounds(0, np.concatenate([model.col_upper[cols], np.full(2 * m, np.inf)])),
        constraints=LinearConstraint(matrix, lo, hi),
        options={"time_limit": float(limit), "mip_rel_gap": 1e-4},
    )
    if res.x is None:
        return None
    trial = counts.copy()
    trial[cols] = np.round(res.x[:n]).astype(np.int64)
    return trial
