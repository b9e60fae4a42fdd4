"""Scheduling: ccops shift covering vs pyworkforce's MinAbsDifference and MinRequiredResources.

Run: ``python -m bench schedule`` (needs the ``bench`` extra for pyworkforce 0.5.1).

One week, cyclic (shifts may cross midnight and the week end), at 60-, 30- and 15-minute
resolution; shifts of 4, 6, 8 and 10 hours starting at every interval (2,688 candidates at 15
minutes).  The requirement is deterministic: an intraday profile of contacts per hour (a morning
peak at 10:30, an afternoon peak at 15:00, an evening shoulder at 20:00 and a 3 % night floor,
scaled to 900 contacts per hour at the Monday peak) times a day-of-week factor (Mon 1.00, Tue 0.95,
Wed 0.92, Thu 0.90, Fri 0.88, Sat 0.55, Sun 0.40), turned into agents per interval by
``ccops.queueing.required_agents`` (Erlang C, AHT 300 s, 80 % answered within 20 s, occupancy at
most 0.85).  About 100 agents at the peak, 2 at night.

pyworkforce schedules days of ``periods`` intervals; to let shifts cross midnight and the week end
it gets the whole week as one day of T periods with wrap-around coverage arrays, which is the same
model ccops solves.  Both CP-SAT runs get ``PYWORKFORCE_SECONDS`` (60 s) and 2 workers.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from ccops.queueing import required_agents
from ccops.wfm.cover import CoverResult, candidates, solve_cover

LENGTHS_HOURS = (4, 6, 8, 10)
RESOLUTIONS = (60, 30, 15)
PYWORKFORCE_SECONDS = float(os.environ.get("BENCH_PYWORKFORCE_SECONDS", "60"))
DAY_FACTORS = (1.0, 0.95, 0.92, 0.9, 0.88, 0.55, 0.4)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def weekly_requirement(interval_minutes: int) -> FloatArray:
    """Agents required per interval over a week starting Monday 00:00 (see the module doc)."""
    t_count = 7 * 24 * 60 // interval_minutes
    hours = (np.arange(t_count) + 0.5) * interval_minutes / 60.0
    clock = hours % 24.0
    day = (hours // 24.0).astype(np.int64)
    profile = (
        0.03
        + np.exp(-0.5 * ((clock - 10.5) / 1.8) ** 2)
        + 0.85 * np.exp(-0.5 * ((clock - 15.0) / 2.2) ** 2)
        + 0.25 * np.exp(-0.5 * ((clock - 20.0) / 1.5) ** 2)
    )
    calls = 900.0 * profile * np.asarray(DAY_FACTORS)[day] * interval_minutes / 60.0
    load = calls * 300.0 / (interval_minutes * 60.0)
    agents = required_agents(load, 300.0, 20.0, service_level=0.8, max_occupancy=0.85)
    return np.asarray(agents, dtype=np.float64)


def _row(
    name: str, r: FloatArray, coverage: FloatArray, shifts: int, hours: float, secs: str, note: str
) -> dict[str, Any]:
    return {
        "tool": name,
        "deficit": int(np.maximum(r - coverage, 0).sum()),
        "surplus": int(np.maximum(coverage - r, 0).sum()),
        "difference": int(np.abs(coverage - r).sum()),
        "shifts": shifts,
        "agent_hours": hours,
        "seconds": secs,
        "note": note,
    }


def _ccops_row(name: str, r: FloatArray, res: CoverResult, seconds: float) -> dict[str, Any]:
    note = f"{res.status}, LP bound {res.lp_bound:.4f}, gap {res.gap:.2%}"
    cov = res.coverage.astype(np.float64)
    return _row(name, r, cov, res.shifts, res.agent_hours, f"{seconds:.2f}", note)


def _ccops(name: str, r: FloatArray, minutes: int, **kwargs: Any) -> dict[str, Any]:
    """Build the candidates and the model and solve: the whole call is timed."""
    started = time.perf_counter()
    cands = candidates(r.size, minutes, LENGTHS_HOURS, minutes, wrap=True)
    res = solve_cover(r, cands, minutes, **kwargs)
    return _ccops_row(name, r, res, time.perf_counter() - started)


def pyworkforce_run(
    kind: str, r: FloatArray, starts: np.ndarray[Any, Any], lengths: np.ndarray[Any, Any]
) -> dict[str, Any]:
    """Run one pyworkforce scheduler on the cyclic week; build and solve times apart."""
    from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources

    t_count = r.size
    started = time.perf_counter()
    coverage_arrays: dict[str, list[int]] = {}
    for j, (s, n) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        row = np.zeros(t_count, dtype=np.int64)
        row[(s + np.arange(n)) % t_count] = 1
        coverage_arrays[f"s{j}"] = row.tolist()
    cls = MinAbsDifference if kind == "MinAbsDifference" else MinRequiredResources
    scheduler = cls(
        num_days=1,
        periods=t_count,
        shifts_coverage=coverage_arrays,
        required_resources=[[int(v) for v in r]],
        max_period_concurrency=int(r.max() * 3 + 10),
        max_shift_concurrency=int(r.max()),
        max_search_time=PYWORKFORCE_SECONDS,
        num_search_workers=2,
    )
    solution = scheduler.solve()
    total = time.perf_counter() - started
    solve_secs = float(scheduler.solver.WallTime())
    x = np.zeros(starts.size, dtype=np.int64)
    for item in solution["resources_shifts"]:
        if item["resources"] > 0:
            x[int(str(item["shift"])[1:])] = int(item["resources"])
    coverage = np.zeros(t_count, dtype=np.float64)
    for j in np.flatnonzero(x):
        coverage[(starts[j] + np.arange(lengths[j])) % t_count] += x[j]
    hours = float(x @ lengths) * (7 * 24 / t_count)
    secs = f"{total:.1f} ({total - solve_secs:.1f} build)"
    return _row(
        f"pyworkforce {kind}", r, coverage, int(x.sum()), hours, secs, str(solution["status"])
    )


def main() -> None:
    """Print one table per resolution: ccops and pyworkforce side by side."""
    try:
        import pyworkforce  # noqa: F401

        have_pyworkforce = True
    except ImportError:
        have_pyworkforce = False
        print("pyworkforce is not installed (pip install -e '.[bench]'); ccops only")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    header = (
        "| minutes | candidates | tool | deficit | surplus | difference | shifts | agent h | s "
        "| status |"
    )
    for minutes in RESOLUTIONS:
        r = weekly_requirement(minutes)
        cands = candidates(r.size, minutes, LENGTHS_HOURS, minutes, wrap=True)
        rows: list[dict[str, Any]] = []
        rows.append(_ccops("ccops difference", r, minutes, minimize="difference"))
        rows.append(_ccops("ccops shifts (no deficit)", r, minutes, minimize="shifts"))
        if have_pyworkforce:
            for kind in ("MinAbsDifference", "MinRequiredResources"):
                pw = pyworkforce_run(kind, r, cands.starts, cands.lengths)
                rows.append(pw)
                if kind == "MinAbsDifference":
                    limit = pw["difference"]
                    name = f"ccops fewest shifts, difference <= {limit}"
                    rows.append(_ccops(name, r, minutes, minimize="shifts", max_difference=limit))
        print(
            f"\n{minutes}-minute intervals: {r.size} intervals, peak {int(r.max())} agents, "
            f"{int(r.sum())} interval-agents, {cands.starts.size} candidate shifts"
        )
        print(header)
        print("|---|---|---|---|---|---|---|---|---|---|")
        for row in rows:
            print(
                f"| {minutes} | {cands.starts.size} | {row['tool']} | {row['deficit']} | "
                f"{row['surplus']} | {row['difference']} | {row['shifts']} | "
                f"{row['agent_hours']:g} | {row['seconds']} | {row['note']} |",
                flush=True,
            )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
