"""Large named-agent schedules by decomposition: shifts per group first, then who works them.

The direct model of :func:`ccops.wfm.schedule.schedule` has a binary for every agent × day ×
shift option; at hundreds of agents over weeks it is too large to close.  Agents with the same
contract, templates and daily window are interchangeable for coverage, so the work splits:

1. **Aggregate model** (HiGHS): an integer count x[g, d, k, s] of shifts of template k starting at
   s on day d for each group g of interchangeable agents, against the requirement, with each
   group's rules summed — shifts a day at most the agents available, per week the group's days and
   paid hours between the sums of its agents' minima and maxima, no more than the group can work
   in any window of ``max_consecutive_days + 1`` days.  Every named schedule maps to a solution of
   this model with the same coverage and a cost no lower, so its LP optimum is a **lower bound on
   every named schedule** — the bound the result's gap is measured against.
2. **Assignment**: week by week and day by day, the group's shifts go to named agents.  Working
   days first (each agent gets between its weekly minimum and maximum, never on an unavailable
   day, never beyond the consecutive-day limit, preferred days off last), then the day's shifts to
   that day's agents by a minimum-cost matching (rest since the previous shift, weekly hours,
   preferred start times, keeping start times steady from day to day).
3. Breaks are placed as in the direct model, and the whole schedule is checked against every hard
   rule by :func:`ccops.wfm.schedule.violations`; a schedule that breaks one is never returned.

A shift the assignment cannot give to anyone is dropped (it shows as under-staffing and in the
gap), so the gap reported is the honest distance from the bound.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment

from ccops.wfm import _highs
from ccops.wfm._arrays import FloatArray, IntArray
from ccops.wfm.cover import coverage_matrix
from ccops.wfm.schedule import (
    DAY_MINUTES,
    Agent,
    Schedule,
    ShiftTemplate,
    _Options,
    _place_breaks,
    violations,
)

_BLOCKED = 1e9  # cost of a pairing that would break a hard rule


@dataclass(frozen=True)
class _Group:
    members: tuple[int, ...]  # agent indices
    templates: tuple[int, ...]  # template indices
    earliest_start: int
    latest_end: int


def _groups(agents: Sequence[Agent], templates: Sequence[ShiftTemplate]) -> list[_Group]:
    by_name = {t.name: i for i, t in enumerate(templates)}
    found: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for a, agent in enumerate(agents):
        names = agent.templates if agent.templates is not None else tuple(by_name)
        for name in names:
            if name not in by_name:
                raise ValueError(f"agent {agent.id}: unknown shift template {name!r}")
        key = (
            agent.contract,
            tuple(sorted(by_name[n] for n in names)),
            agent.earliest_start,
            agent.latest_end,
        )
        found[key].append(a)
    return [
        _Group(tuple(members), key[1], key[2], key[3])  # type: ignore[arg-type]
        for key, members in found.items()
    ]


@dataclass(frozen=True)
class _Columns:
    group: IntArray
    day: IntArray
    template: IntArray
    start: IntArray  # minutes from the horizon start
    length: IntArray  # minutes


def _columns(groups: Sequence[_Group], templates: Sequence[ShiftTemplate], days: int) -> _Columns:
    cols: list[tuple[int, int, int, int, int]] = []
    for g, group in enumerate(groups):
        for d in range(days):
            for k in group.templates:
                t = templates[k]
                for s in t.starts():
                    if s < group.earliest_start or s + t.length_minutes > group.latest_end:
                        continue
                    cols.append((g, d, k, d * DAY_MINUTES + s, t.length_minutes))
    if not cols:
        raise ValueError("no agent can work any shift (check availability and templates)")
    arr = np.asarray(cols, dtype=np.int64)
    return _Columns(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4])


def _aggregate(
    r_model: FloatArray,
    interval_minutes: int,
    agents: Sequence[Agent],
    groups: Sequence[_Group],
    cols: _Columns,
    days: int,
    under_weight: float,
    over_weight: float,
    time_limit: float,
    mip_rel_gap: float,
) -> tuple[IntArray, _highs.Result]:
    """Shift counts per column from the aggregate model, and its solve result."""
    horizon = r_model.size
    n = cols.group.size
    cover = coverage_matrix(
        cols.start // interval_minutes, cols.length // interval_minutes, horizon
    )
    rows: list[IntArray] = []
    entries: list[IntArray] = []
    vals: list[FloatArray] = []
    lower: list[float] = []
    upper: list[float] = []
    col_upper = np.zeros(n)

    def add(idx: IntArray, v: FloatArray | float, lo: float, hi: float) -> None:
        if idx.size == 0:
            return
        rows.append(np.full(idx.size, len(lower), dtype=np.int64))
        entries.append(idx)
        vals.append(np.broadcast_to(np.asarray(v, dtype=np.float64), idx.shape))
        lower.append(lo)
        upper.append(hi)

    weeks = (days + 6) // 7
    for g, group in enumerate(groups):
        members = [agents[a] for a in group.members]
        mine = np.flatnonzero(cols.group == g)
        available = np.array(
            [sum(d not in m.unavailable_days for m in members) for d in range(days)]
        )
        col_upper[mine] = available[cols.day[mine]]
        for d in range(days):
            add(mine[cols.day[mine] == d], 1.0, 0.0, float(available[d]))
        for w in range(weeks):
            in_week = mine[(cols.day[mine] >= 7 * w) & (cols.day[mine] < 7 * w + 7)]
            week_days = min(7, days - 7 * w)
            scale = week_days / 7.0
            min_days = sum(m.contract.min_days_per_week for m in members) if week_days == 7 else 0
            max_days = sum(m.contract.max_days_per_week for m in members)
            add(in_week, 1.0, float(min_days), float(max_days))
            add(
                in_week,
                cols.length[in_week] / 60.0,
                sum(m.contract.min_hours_per_week for m in members) * scale - 1e-6,
                sum(m.contract.max_hours_per_week for m in members) * scale + 1e-6,
            )
        limit = members[0].contract.max_consecutive_days  # one contract per group
        if limit < days:
            for d in range(days):
                window = [(d + i) % days for i in range(limit + 1)]
                add(mine[np.isin(cols.day[mine], window)], 1.0, 0.0, float(limit * len(members)))
    side = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(entries))),
        shape=(len(lower), n + 2 * horizon),
    )
    identity = sp.identity(horizon, format="csc")
    matrix = sp.vstack([sp.hstack([cover, identity, -identity]), side], format="csc")
    model = _highs.Model(
        cost=np.concatenate(
            [np.full(n, 1e-4), np.full(horizon, under_weight), np.full(horizon, over_weight)]
        ),
        matrix=matrix,
        row_lower=np.concatenate([r_model, np.asarray(lower)]),
        row_upper=np.concatenate([r_model, np.asarray(upper)]),
        lower=np.zeros(n + 2 * horizon),
        upper=np.concatenate([col_upper, np.full(2 * horizon, _highs.INF)]),
        integer=np.concatenate([np.ones(n, dtype=np.bool_), np.zeros(2 * horizon, dtype=np.bool_)]),
    )
    res = _highs.solve(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    return np.round(res.x[:n]).astype(np.int64), res


class _Tracker:
    """What each agent has been given so far: days worked, shift times, hours per week."""

    def __init__(self, agents: Sequence[Agent], days: int) -> None:
        self.agents = agents
        self.days = days
        self.on = np.zeros((len(agents), days), dtype=bool)
        self.start = np.full((len(agents), days), -1, dtype=np.int64)  # minutes in the horizon
        self.end = np.full((len(agents), days), -1, dtype=np.int64)
        self.hours = np.zeros((len(agents), (days + 6) // 7))

    def run_through(self, a: int, d: int) -> int:
        """Days in a row the agent would work if also working day d (cyclic horizon)."""
        run = 1
        for step in (-1, 1):
            e = d + step
            while run < self.days and self.on[a, e % self.days]:
                run += 1
                e += step
        return run

    def rest_ok(self, a: int, d: int, start: int, end: int) -> bool:
        """Enough rest after the previous day's shift and before the next day's (cyclic)."""
        rest = self.agents[a].contract.min_rest_hours * 60
        span = self.days * DAY_MINUTES
        prev, nxt = (d - 1) % self.days, (d + 1) % self.days
        if self.end[a, prev] >= 0 and (start - self.end[a, prev]) % span < rest - 1e-9:
            return False
        return not (self.start[a, nxt] >= 0 and (self.start[a, nxt] - end) % span < rest - 1e-9)


def _working_days(
    tracker: _Tracker, group: _Group, counts: IntArray, week: int
) -> dict[int, list[int]]:
    """Which of the group's agents work each day of the week: day → agent indices."""
    agents = tracker.agents
    days = range(7 * week, min(7 * week + 7, tracker.days))
    week_days = len(days)
    total = int(sum(counts[d] for d in days))
    members = list(group.members)
    target = {a: (agents[a].contract.min_days_per_week if week_days == 7 else 0) for a in members}
    spare = total - sum(target.values())
    while spare > 0:  # hand out the remaining days round-robin up to each maximum
        grew = False
        for a in members:
            if spare and target[a] < min(agents[a].contract.max_days_per_week, week_days):
                target[a] += 1
                spare -= 1
                grew = True
        if not grew:
            break
    given = dict.fromkeys(members, 0)
    out: dict[int, list[int]] = {}
    for i, d in enumerate(days):
        scored: list[tuple[float, int, int]] = []
        for a in members:
            agent = agents[a]
            if d in agent.unavailable_days or given[a] >= agent.contract.max_days_per_week:
                continue
            if tracker.run_through(a, d) > agent.contract.max_consecutive_days:
                continue
            need = target[a] - given[a]
            free = sum(
                1 for e in days[i:] if e not in agent.unavailable_days
            )  # days still open to this agent, today included
            urgency = need / max(free, 1)
            scored.append((-urgency, int(d in agent.preferred_days_off), a))
        scored.sort()
        chosen = [a for _, _, a in scored[: int(counts[d])]]
        for a in chosen:
            given[a] += 1
            tracker.on[a, d] = True  # provisional: confirmed when the day's shifts are matched
        out[d] = chosen
    return out


def _match_day(
    tracker: _Tracker,
    chosen: list[int],
    shifts: list[tuple[int, int, int]],  # (template, start, length)
    d: int,
    week: int,
    planned_left: dict[int, int],
    lengths: dict[int, tuple[int, int]],
    preference_weight: float,
) -> list[tuple[int, tuple[int, int, int]]]:
    """Pair the day's agents with its shifts at least cost; pairings breaking a rule are refused."""
    agents = tracker.agents
    if not chosen or not shifts:
        return []
    cost = np.zeros((len(chosen), len(shifts)))
    for i, a in enumerate(chosen):
        agent = agents[a]
        c = agent.contract
        scale = min(7, tracker.days - 7 * week) / 7.0
        so_far = tracker.hours[a, week]
        later = planned_left[a]  # days this agent still works this week after today
        prev = tracker.start[a, (d - 1) % tracker.days]
        shortest, longest = lengths[a]
        for j, (_k, start, length) in enumerate(shifts):
            hours = so_far + length / 60.0
            # the rest of the week must still be able to land inside the contract's range
            lo_rest, hi_rest = later * shortest / 60.0, later * longest / 60.0
            if hours + lo_rest > c.max_hours_per_week * scale + 1e-6 or (
                hours + hi_rest < c.min_hours_per_week * scale - 1e-6
            ):
                cost[i, j] = _BLOCKED
                continue
            if not tracker.rest_ok(a, d, start, start + length):
                cost[i, j] = _BLOCKED
                continue
            clock = start - d * DAY_MINUTES
            bad = agent.preferred_start is not None and not (
                agent.preferred_start[0] <= clock <= agent.preferred_start[1]
            )
            steady = abs(clock - (prev - (d - 1) * DAY_MINUTES)) / DAY_MINUTES if prev >= 0 else 0
            cost[i, j] = preference_weight * bad + 0.01 * steady
    rows, cols = linear_sum_assignment(cost)
    return [
        (chosen[i], shifts[j]) for i, j in zip(rows, cols, strict=True) if cost[i, j] < _BLOCKED
    ]


def schedule_decomposed(
    required: ArrayLike,
    interval_minutes: int,
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    *,
    under_weight: float = 1.0,
    over_weight: float = 1.0,
    preference_weight: float = 0.5,
    time_limit: float = 120.0,
    mip_rel_gap: float = 0.005,
) -> Schedule:
    """Schedule many named agents: aggregate shifts per group, then assign them (see module)."""
    started = time.perf_counter()
    r = np.asarray(required, dtype=np.float64).ravel()
    per_day = DAY_MINUTES // interval_minutes
    if DAY_MINUTES % interval_minutes or r.size % per_day or r.size == 0:
        raise ValueError("the requirement must cover whole days of whole intervals")
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("required must be finite and >= 0")
    for t in templates:
        if t.length_minutes % interval_minutes or t.start_step % interval_minutes:
            raise ValueError(f"template {t.name}: times must be multiples of the interval")
    if len({a.id for a in agents}) != len(agents):
        raise ValueError("agent ids must be unique")
    days = r.size // per_day
    groups = _groups(agents, templates)
    cols = _columns(groups, templates, days)
    share = np.array(
        [(t.lunch_minutes + t.breaks * t.break_minutes) / t.length_minutes for t in templates]
    )
    r_model = r / (1.0 - (float(share.mean()) if share.size else 0.0))
    counts, res = _aggregate(
        r_model, interval_minutes, agents, groups, cols, days,
        under_weight, over_weight, time_limit * 0.8, mip_rel_gap,
    )  # fmt: skip
    lengths: dict[int, tuple[int, int]] = {}
    for group in groups:
        own = [templates[k].length_minutes for k in group.templates]
        for a in group.members:
            lengths[a] = (min(own), max(own))
    tracker = _Tracker(agents, days)
    picked: list[tuple[int, int, int, int, int]] = []  # agent, day, template, start, length
    for week in range((days + 6) // 7):
        for g, group in enumerate(groups):
            mine = np.flatnonzero((cols.group == g) & (counts > 0))
            per_day_counts = np.zeros(days, dtype=np.int64)
            np.add.at(per_day_counts, cols.day[mine], counts[mine])
            plan = _working_days(tracker, group, per_day_counts, week)
            planned_left = {a: sum(a in v for v in plan.values()) for a in group.members}
            for d in sorted(plan):
                chosen = plan[d]
                for a in chosen:
                    tracker.on[a, d] = False
                    planned_left[a] -= 1
                shifts = [
                    (int(cols.template[j]), int(cols.start[j]), int(cols.length[j]))
                    for j in mine[cols.day[mine] == d]
                    for _ in range(int(counts[j]))
                ]
                for a, (k, start, length) in _match_day(
                    tracker, chosen, shifts, d, week, planned_left, lengths, preference_weight
                ):
                    tracker.on[a, d] = True
                    tracker.start[a, d], tracker.end[a, d] = start, start + length
                    tracker.hours[a, week] += length / 60.0
                    picked.append((a, d, k, start, length))
    if picked:
        arr = np.asarray(picked, dtype=np.int64)
    else:
        arr = np.zeros((0, 5), dtype=np.int64)
    penalty = np.array(
        [_preference_penalty(agents[a], d, s - d * DAY_MINUTES) for a, d, _, s, _ in picked],
        dtype=np.float64,
    )
    opt = _Options(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], penalty)
    chosen_idx = np.arange(arr.shape[0], dtype=np.int64)
    model_cover = np.zeros(r.size)
    for _, _, _, s, ln in picked:
        model_cover[(s // interval_minutes + np.arange(ln // interval_minutes)) % r.size] += 1
    objective = float(
        under_weight * np.maximum(r_model - model_cover, 0).sum()
        + over_weight * np.maximum(model_cover - r_model, 0).sum()
        + preference_weight * np.count_nonzero(penalty)
        + 1e-4 * len(picked)
    )
    coverage = np.zeros(r.size, dtype=np.int64)
    assignments = _place_breaks(opt, chosen_idx, agents, templates, r, interval_minutes, coverage)
    found = violations(assignments, agents, templates, days)
    if found:
        raise RuntimeError(
            "could not build a roster within the hard rules: " + "; ".join(found[:5])
        )
    bound = max(res.lp_bound, res.bound)
    return Schedule(
        assignments=assignments,
        interval_minutes=interval_minutes,
        required=r,
        coverage=coverage,
        under=float(np.maximum(r - coverage, 0).sum()),
        over=float(np.maximum(coverage - r, 0).sum()),
        preference_violations=int(np.count_nonzero(penalty)),
        objective=objective,
        lp_bound=res.lp_bound,
        lower_bound=bound,
        gap=_highs.gap(objective, bound),
        status=res.status,
        seconds=time.perf_counter() - started,
        variables=int(cols.group.size),
    )


def _preference_penalty(agent: Agent, day: int, clock: int) -> float:
    bad = day in agent.preferred_days_off
    if agent.preferred_start is not None:
        lo, hi = agent.preferred_start
        bad = bad or not lo <= clock <= hi
    return float(bad)
