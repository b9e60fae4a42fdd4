"""A thin wrapper over highspy: pass a sparse model, solve its LP relaxation and then the MIP."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from ccops.wfm._arrays import BoolArray, FloatArray

INF = highspy.kHighsInf
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
    status: str  # "optimal", "time_limit", "infeasible" or a HiGHS status name
    seconds: float
    lp_integral: bool


def _highs(model: Model, time_limit: float, threads: int | None) -> highspy.Highs:
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    m = model.matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = int(m.shape[1])
    lp.num_row_ = int(m.shape[0])
    lp.col_cost_ = np.ascontiguousarray(model.cost, dtype=np.float64)
    lp.col_lower_ = np.ascontiguousarray(model.lower, dtype=np.float64)
    lp.col_upper_ = np.ascontiguousarray(model.upper, dtype=np.float64)
    lp.row_lower_ = np.ascontiguousarray(model.row_lower, dtype=np.float64)
    lp.row_upper_ = np.ascontiguousarray(model.row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = m.indptr.astype(np.int32)
    lp.a_matrix_.index_ = m.indices.astype(np.int32)
    lp.a_matrix_.value_ = m.data.astype(np.float64)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    h.passModel(lp)
    return h


def _status(h: highspy.Highs) -> str:
    status = h.getModelStatus()
    names: dict[Any, str] = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
    }
    return names.get(status, h.modelStatusToString(status))


def solve(
    model: Model,
    time_limit: float = 60.0,
    mip_rel_gap: float = 0.0,
    threads: int | None = None,
    start: FloatArray | None = None,
) -> Result:
    """Solve the LP relaxation; stop there if it is integral, else run the MIP from the LP."""
    started = time.perf_counter()
    h = _highs(model, time_limit, threads)
    h.run()
    lp_status = _status(h)
    if lp_status == "infeasible":
        raise ValueError("the model has no feasible solution (check hard rules against the data)")
    if lp_status != "optimal":
        raise RuntimeError(f"the LP relaxation did not solve: {lp_status}")
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    lp_bound = float(h.getInfo().objective_function_value)
    ints = np.flatnonzero(model.integer)
    frac = np.abs(x[ints] - np.round(x[ints]))
    if ints.size == 0 or float(frac.max(initial=0.0)) <= _INTEGRAL:
        x[ints] = np.round(x[ints])
        objective = float(model.cost @ x)
        return Result(
            x, objective, lp_bound, lp_bound, "optimal", time.perf_counter() - started, True
        )
    remaining = time_limit - (time.perf_counter() - started)
    h.setOptionValue("time_limit", float(max(remaining, 0.01)))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    kinds = model.integer.astype(np.uint8)  # HiGHS: 0 continuous, 1 integer
    h.changeColsIntegrality(int(kinds.size), np.arange(kinds.size, dtype=np.int32), kinds)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start, dtype=np.float64))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = _status(h)
    info = h.getInfo()
    if status == "infeasible":
        raise ValueError("the model has no feasible integer solution (check hard rules)")
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        raise RuntimeError(f"no integer solution within the time limit ({status})")
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    x[ints] = np.round(x[ints])
    objective = float(model.cost @ x)
    bound = max(float(info.mip_dual_bound), lp_bound)
    return Result(x, objective, lp_bound, bound, status, time.perf_counter() - started, False)


def gap(objective: float, bound: float) -> float:
    """Relative optimality gap, (objective − bound) ÷ |objective|; 0 when both are 0."""
    if objective <= bound + 1e-9:
        return 0.0
    return (objective - bound) / max(abs(objective), 1e-9)
