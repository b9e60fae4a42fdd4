"""Named agents at scale: 500 agents, 4 weeks, 15-minute intervals, contracts, days off, breaks.

Run: ``python -m bench roster``.  Issue 8's acceptance 3: the schedule solves in under 120 s
within 2 % of its LP bound.  ``ccops.wfm.schedule_decomposed`` (aggregate shifts per group of
interchangeable agents, then assignment) is timed as a whole: building, solving, assigning,
placing breaks and checking every hard rule.

The center: the requirement of ``bench_schedule`` (about 100 agents at the Monday peak) times
``SCALE`` so that 500 agents are needed, over four weeks whose volumes differ by a few percent.
350 full-time agents (5 days of 8.5 h with a 30-minute lunch and two 15-minute breaks, start any
quarter hour, 40–42.5 paid hours a week) and 150 part-time agents (4 or 6 h shifts between 07:00
and 22:00, 20–30 hours over 4–5 days); everyone at most 6 days in a row and 11 h of rest between
shifts. Seeded variety: 10 % of agents have a week of leave, 30 % prefer two days off, 20 %
prefer a start window.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

import numpy as np

from bench.bench_schedule import weekly_requirement
from ccops.wfm.roster import schedule_decomposed
from ccops.wfm.schedule import Agent, Contract, ShiftTemplate

AGENTS = int(os.environ.get("BENCH_ROSTER_AGENTS", "500"))
WEEKS = int(os.environ.get("BENCH_ROSTER_WEEKS", "4"))
MINUTES = 15
SCALE = 3.3 * AGENTS / 500


def center(seed: int = 5) -> tuple[np.ndarray, list[Agent], list[ShiftTemplate]]:
    """The requirement, the agents and the shift templates of the benchmark center."""
    rng = np.random.default_rng(seed)
    week = weekly_requirement(MINUTES) * SCALE
    required = np.concatenate([np.round(week * f) for f in (1.0, 1.03, 0.97, 1.05)[:WEEKS]])
    templates = [
        ShiftTemplate("full", 510, 0, 24 * 60 - 15, 15, lunch_minutes=30, lunch_window=(180, 300),
                      break_minutes=15, breaks=2),
        ShiftTemplate("part4", 240, 7 * 60, 18 * 60, 15, break_minutes=15, breaks=1),
        ShiftTemplate("part6", 360, 7 * 60, 16 * 60, 15, lunch_minutes=30,
                      lunch_window=(150, 210)),
    ]  # fmt: skip
    full = Contract(40.0, 42.5, 5, 5, 6, 11.0)
    part = Contract(20.0, 30.0, 4, 5, 6, 11.0)
    agents: list[Agent] = []
    for i in range(AGENTS):
        is_full = i < AGENTS * 7 // 10
        leave = frozenset()
        if rng.random() < 0.10:
            w = int(rng.integers(WEEKS))
            leave = frozenset(range(7 * w, 7 * w + 7))
        days_off = frozenset()
        if rng.random() < 0.30:
            first = int(rng.integers(7))
            days_off = frozenset(7 * w + (first + k) % 7 for w in range(WEEKS) for k in (0, 1))
        start = None
        if is_full and rng.random() < 0.20:
            lo = int(rng.integers(6, 12)) * 60
            start = (lo, lo + 180)
        agents.append(
            Agent(
                id=f"{'ft' if is_full else 'pt'}{i:03d}",
                contract=full if is_full else part,
                templates=("full",) if is_full else ("part4", "part6"),
                unavailable_days=leave,
                preferred_days_off=days_off,
                preferred_start=start,
            )
        )
    # a week of leave is a week without the contract's minimum: those agents' minimum is 0
    agents = [
        replace(a, contract=replace(a.contract, min_hours_per_week=0.0, min_days_per_week=0))
        if a.unavailable_days
        else a
        for a in agents
    ]
    return required, agents, templates


def main() -> None:
    """Solve the benchmark roster once and print its figures."""
    required, agents, templates = center()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(
        f"{len(agents)} agents, {required.size // 96} days at {MINUTES} min "
        f"({required.size} intervals), peak requirement {required.max():.0f}, "
        f"{required.sum() * MINUTES / 60:,.0f} agent-hours required"
    )
    started = time.perf_counter()
    result = schedule_decomposed(required, MINUTES, agents, templates, time_limit=110.0)
    wall = time.perf_counter() - started
    hours = sum(a.end - a.start for a in result.assignments) / 60
    print(
        "| agents | weeks | shifts | paid h | under | over | objective | LP bound | gap vs LP "
        "| status | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    gap_lp = (result.objective - result.lp_bound) / result.objective
    print(
        f"| {len(agents)} | {WEEKS} | {len(result.assignments):,} | {hours:,.0f} "
        f"| {result.under:,.0f} | {result.over:,.0f} | {result.objective:,.1f} "
        f"| {result.lp_bound:,.1f} | {gap_lp:.2%} | {result.status} | {wall:.1f} |"
    )
    print(f"preference violations: {result.preference_violations}; aggregate columns: "
          f"{result.variables:,}; load average after: {os.getloadavg()[0]:.2f}")  # fmt: skip
