"""HiGHS through scipy.optimize: solve a sparse model's LP relaxation, then the MIP if needed.

scipy ships its own HiGHS, so ccops needs no extra package; highspy is not used because its
shared library clashes with the HiGHS inside OR-Tools (pyworkforce's solver) in one process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ccops.wfm._arrays import BoolArray, FloatArray

INF = np.inf
_INTEGRAL = 1e-6


@dataclass(frozen=True)
class Model:
    """min cost·x subject to row_lower <= A x <= row_upper, lower <= x <= upper, some x integer."""

    cost: FloatArray
    matrix: sp.csc_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray


@dataclass(frozen=True)
class Result:
    """The solution found, its objective, the LP bound, the best bound and the solver's status."""

    x: FloatArray
    objective: float
    lp_bound: float
    bound: float
    status: str  # "optimal" or "time_limit"
    seconds: float
    lp_integral: bool


def _lp(model: Model, time_limit: float) -> tuple[FloatArray, float]:
    """The LP relaxation by dual simplex (a vertex, so integral where the matrix allows)."""
    m = model.matrix.tocsr()
    eq = model.row_lower == model.row_upper
    ub_rows = ~eq & np.isfinite(model.row_upper)
    lb_rows = ~eq & np.isfinite(model.row_lower)
    a_ub = sp.vstack([m[ub_rows], -m[lb_rows]], format="csr")
    b_ub = np.concatenate([model.row_upper[ub_rows], -model.row_lower[lb_rows]])
    res = linprog(
        model.cost,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=m[eq] if eq.any() else None,
        b_eq=model.row_lower[eq] if eq.any() else None,
        bounds=np.column_stack([model.lower, model.upper]),
        method="highs-ds",
        options={"time_limit": float(max(time_limit, 0.01)), "presolve": True},
    )
    if res.status == 2:
        raise ValueError("the model has no feasible solution (check hard rules against the data)")
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"the LP relaxation did not solve: {res.message}")
    return np.asarray(res.x, dtype=np.float64), float(res.fun)


def solve(model: Model, time_limit: float = 60.0, mip_rel_gap: float = 0.0) -> Result:
    """Solve the LP relaxation; stop there if it is integral, else run the MIP under the limit."""
    started = time.perf_counter()
    x, lp_bound = _lp(model, time_limit)
    ints = np.flatnonzero(model.integer)
    frac = np.abs(x[ints] - np.round(x[ints]))
    if ints.size == 0 or float(frac.max(initial=0.0)) <= _INTEGRAL:
        x[ints] = np.round(x[ints])
        objective = float(model.cost @ x)
        return Result(
            x, objective, lp_bound, lp_bound, "optimal", time.perf_counter() - started, True
        )
    remaining = time_limit - (time.perf_counter() - started)
    res = milp(
        model.cost,
        integrality=model.integer.astype(np.int64),
        bounds=Bounds(model.lower, model.upper),
        constraints=LinearConstraint(model.matrix, model.row_lower, model.row_upper),
        options={"time_limit": float(max(remaining, 0.01)), "mip_rel_gap": float(mip_rel_gap)},
    )
    if res.status == 2:
        raise ValueError("the model has no feasible integer solution (check hard rules)")
    if res.x is None:
        raise RuntimeError(f"no integer solution within the time limit ({res.message})")
    x = np.asarray(res.x, dtype=np.float64)
    x[ints] = np.round(x[ints])
    objective = float(model.cost @ x)
    dual = getattr(res, "mip_dual_bound", None)
    bound = lp_bound if dual is None or not np.isfinite(dual) else max(float(dual), lp_bound)
    status = "optimal" if res.status == 0 else "time_limit"
    return Result(x, objective, lp_bound, bound, status, time.perf_counter() - started, False)


def gap(objective: float, bound: float) -> float:
    """Relative optimality gap, (objective − bound) ÷ |objective|; 0 when both are 0."""
    if objective <= bound + 1e-9:
        return 0.0
    return (objective - bound) / max(abs(objective), 1e-9)
