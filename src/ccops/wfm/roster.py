"""Large named-agent schedules by decomposition: shifts per group first, then who works them.

The direct model of :func:`ccops.wfm.schedule.schedule` has a binary for every agent × day ×
shift option; at hundreds of agents over weeks it is too large to close.  Agents with the same
contract, templates and daily window are interchangeable for coverage, so the work splits:

1. **Aggregate model**: an integer count x[g, d, k, s] of shifts of template k starting at s on
   day d for each group g of interchangeable agents, against the requirement, with each group's
   rules summed — shifts a day at most the agents available, per week the group's days and paid
   hours between the sums of its agents' minima and maxima (counting only the days its agents
   are not on leave), no more than the group can work in any window of
   ``max_consecutive_days + 1`` days.  Every named schedule maps to a solution of this model with
   the same coverage and a cost no lower, so its LP optimum (HiGHS dual simplex) is a **lower
   bound on every named schedule** — the bound the result's gap is measured against.  HiGHS's
   branch and bound does not close this model in minutes, so the LP optimum is rounded
   (:mod:`ccops.wfm._rounding`): rounded down with shifts added back greedily, improved by moving
   single shifts within a group's week, then re-optimised two days at a time as small MIPs with
   everything else fixed, until within 0.2 % of the bound, a pass gains little, or time is out.
2. **Assignment**: week by week, each group's working days go to named agents by a small
   transportation LP (each agent between its weekly minimum and maximum days, never on an
   unavailable day, never so many days in a row across the week's edges that the consecutive-day
   limit breaks, preferred days off last); then day by day the shifts go to that day's agents by a
   minimum-cost matching (rest since the previous shift, weekly hours, preferred start times,
   steady start times) that looks one day ahead: when tomorrow's agents could not all take
   tomorrow's shifts after their rest, the day is matched again with a cost on late ends for
   them.  Shifts none of the planned agents can take go to the group's other eligible agents,
   and the rest of the week is planned again when a day did not go as planned.  Finally agents
   short of a weekly minimum get extra shifts, and agents with days to spare get a shift where
   one still lowers the under- and over-staffing.
3. Breaks are placed as in the direct model, and the whole schedule is checked against every hard
   rule by :func:`ccops.wfm.schedule.violations`; a schedule that breaks one is never returned.

A shift the assignment cannot give to anyone is dropped (it shows as under-staffing and in the
gap), so the gap reported is the honest distance from the bound.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment, linprog

from ccops.wfm import _highs
from ccops.wfm._arrays import BoolArray, FloatArray, IntArray
from ccops.wfm._rounding import CountModel, move_shifts, reoptimise_windows, round_up_greedily
from ccops.wfm.cover import coverage_matrix
from ccops.wfm.schedule import (
    DAY_MINUTES,
    Agent,
    Schedule,
    ShiftTemplate,
    _Options,
    _place_breaks,
    checked_inputs,
    schedule,
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
    templates: Sequence[ShiftTemplate],
    groups: Sequence[_Group],
    cols: _Columns,
    days: int,
    under_weight: float,
    over_weight: float,
    time_limit: float,
) -> tuple[IntArray, float]:
    """Whole shift counts per column from the aggregate model, and its LP bound."""
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
            # an agent on leave for part of the week can work only the days left
            open_days = [
                sum(e not in m.unavailable_days for e in range(7 * w, 7 * w + week_days))
                for m in members
            ]
            pairs = list(zip(members, open_days, strict=True))
            longest = max(templates[k].length_minutes for k in groups[g].templates) / 60.0
            max_days = sum(min(m.contract.max_days_per_week, n) for m, n in pairs)
            max_hours = sum(
                min(m.contract.max_hours_per_week * scale, n * longest) for m, n in pairs
            )
            add(in_week, 1.0, float(min_days), float(max_days))
            add(
                in_week,
                cols.length[in_week] / 60.0,
                sum(m.contract.min_hours_per_week for m in members) * scale - 1e-6,
                max_hours + 1e-6,
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
    started = time.perf_counter()
    x, lp_bound = _highs._lp(model, time_limit)
    counts_model = CountModel(
        cover=cover.tocsc(),
        side=side[:, :n].tocsc(),
        lower=np.asarray(lower),
        upper=np.asarray(upper),
        col_upper=col_upper,
        required=r_model,
        under_weight=under_weight,
        over_weight=over_weight,
    )
    counts = round_up_greedily(counts_model, x[:n])
    deadline = started + time_limit
    counts = move_shifts(counts_model, counts, cols.group * weeks + cols.day // 7, deadline)
    # windows of two days (each day with the next), all groups together
    windows = [np.flatnonzero((cols.day == d) | (cols.day == (d + 1) % days)) for d in range(days)]
    counts = reoptimise_windows(counts_model, counts, windows, deadline, lp_bound)
    return counts, lp_bound


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

    def too_little_rest(self, a: int, d: int, starts: IntArray, ends: IntArray) -> BoolArray:
        """Which shifts [starts, ends) on day d would leave too little rest after the agent's
        previous day's shift or before their next day's (the horizon is cyclic)."""
        rest = self.agents[a].contract.min_rest_hours * 60 - 1e-9
        span = self.days * DAY_MINUTES
        prev, nxt = (d - 1) % self.days, (d + 1) % self.days
        short = np.zeros(starts.shape, dtype=np.bool_)
        if self.end[a, prev] >= 0:
            short |= (starts - self.end[a, prev]) % span < rest
        if self.start[a, nxt] >= 0:
            short |= (self.start[a, nxt] - ends) % span < rest
        return short

    def give(self, a: int, d: int, start: int, length: int) -> None:
        """Record that agent a works [start, start + length) on day d."""
        self.on[a, d] = True
        self.start[a, d], self.end[a, d] = start, start + length
        self.hours[a, d // 7] += length / 60.0

    def take_back(self, a: int, d: int) -> None:
        """Undo :meth:`give` for agent a on day d."""
        self.hours[a, d // 7] -= (self.end[a, d] - self.start[a, d]) / 60.0
        self.on[a, d] = False
        self.start[a, d] = self.end[a, d] = -1

    def keeps_rules(self, a: int, d: int) -> bool:
        """Whether agent a's shift on day d keeps rest, the consecutive-day limit and the
        week's hours (checked after a change)."""
        c = self.agents[a].contract
        starts, ends = self.start[a, d : d + 1], self.end[a, d : d + 1]
        if self.too_little_rest(a, d, starts, ends)[0]:
            return False
        if self.run_through(a, d) > c.max_consecutive_days:
            return False
        week = d // 7
        lo, hi, _ = c.week_range(min(7 * week + 7, self.days) - 7 * week)
        return bool(lo - 1e-6 <= self.hours[a, week] <= hi + 1e-6)


def _plan_days(
    tracker: _Tracker,
    members: Sequence[int],
    demand: IntArray,
    week: int,
    from_day: int | None = None,
) -> dict[int, set[int]]:
    """Which agents of a group work which day of a week: a small transportation LP.

    Each day gets at most its number of shifts; each agent between its contract's weekly minimum
    and maximum of days, never on an unavailable day, never so many days in a row at the week's
    start (or, in the horizon's last week, its end) that the run with the neighbouring week breaks
    the consecutive-day limit. Preferred days off cost a little. The constraint matrix is an
    interval-free bipartite one, so the LP vertex is integral. With ``from_day``, only the days
    from it to the week's end are planned; the days before count as the tracker has them.
    """
    agents = tracker.agents
    week_first, last = 7 * week, min(7 * week + 7, tracker.days)
    first = week_first if from_day is None else from_day
    days = list(range(first, last))
    n_days = len(days)
    full_week = last - week_first == 7
    pairs = [(i, k) for i, a in enumerate(members) for k, d in enumerate(days)
             if d not in agents[a].unavailable_days]  # fmt: skip
    if not pairs:
        return {d: set() for d in days}
    n = len(pairs)
    pa = np.array([p[0] for p in pairs])
    pk = np.array([p[1] for p in pairs])
    rows: list[tuple[IntArray, float, float]] = []
    for k in range(n_days):
        rows.append((np.flatnonzero(pk == k), 0.0, float(demand[days[k]])))
    slack_rows: list[int] = []
    for i, a in enumerate(members):
        c = agents[a].contract
        mine = np.flatnonzero(pa == i)
        worked = int(tracker.on[a, week_first:first].sum())
        min_days = max(c.min_days_per_week - worked, 0) if full_week else 0
        max_days = max(min(c.max_days_per_week - worked, n_days), 0)
        slack_rows.append(len(rows))
        rows.append((mine, float(min(min_days, max_days)), float(max_days)))
        limit = c.max_consecutive_days
        for edge, step in ((first - 1, -1), (last, 1)):
            run = 0
            e = edge
            while run < tracker.days and tracker.on[a, e % tracker.days]:
                run += 1
                e += step
            if run and limit - run + 1 <= n_days:
                near = range(limit - run + 1) if step == -1 else range(n_days - (limit - run + 1),
                                                                      n_days)  # fmt: skip
                idx = mine[np.isin(pk[mine], list(near))]
                rows.append((idx, 0.0, float(max(limit - run, 0))))
    # a slack column per agent lets the minimum go unmet at a high price instead of failing
    n_slack = len(members)
    data, ri, ci, lo, hi = [], [], [], [], []
    for r, (idx, low, high) in enumerate(rows):
        ri.extend([r] * idx.size)
        ci.extend(idx.tolist())
        data.extend([1.0] * idx.size)
        lo.append(low)
        hi.append(high)
    for j, r in enumerate(slack_rows):
        ri.append(r)
        ci.append(n + j)
        data.append(1.0)
    matrix = sp.csc_matrix((data, (ri, ci)), shape=(len(rows), n + n_slack))
    pref = np.array(
        [days[k] in agents[members[i]].preferred_days_off for i, k in pairs], dtype=np.float64
    )
    res = linprog(
        np.concatenate([-1.0 + 0.1 * pref, np.full(n_slack, 100.0)]),
        A_ub=sp.vstack([matrix, -matrix], format="csr"),
        b_ub=np.concatenate([hi, -np.asarray(lo)]),
        bounds=(0, 1),
        method="highs-ds",
    )
    plan: dict[int, set[int]] = {d: set() for d in days}
    if res.status != 0 or res.x is None:
        return plan
    for p in np.flatnonzero(res.x[:n] > 0.5):
        plan[days[int(pk[p])]].add(members[int(pa[p])])
    return plan


Shift = tuple[int, int, int]  # template, start (minutes in the horizon), length


def _assign(
    tracker: _Tracker,
    groups: Sequence[_Group],
    cols: _Columns,
    counts: IntArray,
    lengths: dict[int, tuple[int, int]],
    preference_weight: float,
) -> list[tuple[int, int, int, int, int]]:
    """Give the aggregate's shifts to named agents, day by day (see module); returns
    (agent, day, template, start, length) per shift given."""
    days = tracker.days
    picked: list[tuple[int, int, int, int, int]] = []
    shifts_of: dict[tuple[int, int], list[Shift]] = defaultdict(list)
    demand = np.zeros((len(groups), days), dtype=np.int64)
    for j in np.flatnonzero(counts > 0).tolist():
        g, d = int(cols.group[j]), int(cols.day[j])
        shift = (int(cols.template[j]), int(cols.start[j]), int(cols.length[j]))
        shifts_of[g, d].extend([shift] * int(counts[j]))
        demand[g, d] += int(counts[j])
    plans: dict[int, dict[int, set[int]]] = {g: {} for g in range(len(groups))}
    for week in range((days + 6) // 7):
        last = min(7 * week + 7, days)
        for g, group in enumerate(groups):
            plans[g].update(_plan_days(tracker, group.members, demand[g], week))
        for d in range(7 * week, last):
            for g, group in enumerate(groups):
                shifts = shifts_of.get((g, d), [])
                if not shifts:
                    continue
                planned = plans[g][d]
                tomorrow: tuple[set[int], list[Shift]] | None = None
                if d + 1 < last:
                    tomorrow = (plans[g][d + 1], shifts_of.get((g, d + 1), []))
                elif d + 1 < days:  # next week is planned as if today goes as planned
                    held = tracker.on[:, d].copy()
                    tracker.on[sorted(planned), d] = True
                    ahead = _plan_days(tracker, group.members, demand[g], week + 1)
                    tracker.on[:, d] = held
                    tomorrow = (ahead[d + 1], shifts_of.get((g, d + 1), []))
                given = _match_day(
                    tracker, group.members, shifts, planned, d, lengths, preference_weight,
                    tomorrow,
                )  # fmt: skip
                for a, j in given:
                    k, start, length = shifts[j]
                    tracker.give(a, d, start, length)
                    picked.append((a, d, k, start, length))
                if {a for a, _ in given} != planned and d + 1 < last:
                    plans[g].update(
                        _plan_days(tracker, group.members, demand[g], week, from_day=d + 1)
                    )
    return picked


def _match_day(
    tracker: _Tracker,
    members: Sequence[int],
    shifts: list[Shift],
    planned: set[int],
    d: int,
    lengths: dict[int, tuple[int, int]],
    preference_weight: float,
    tomorrow: tuple[set[int], list[Shift]] | None,
) -> list[tuple[int, int]]:
    """Who takes which of day d's shifts: (agent, shift index) pairs.

    A minimum-cost matching, the planned agents first, then anyone eligible for what is left.
    When the matching would leave tomorrow's shifts without agents able to take them after
    their rest, it is made again with a growing cost on late ends for tomorrow's agents, and the
    matching that loses fewest shifts today and tomorrow is kept.
    """
    week = d // 7
    best: tuple[tuple[int, float], list[tuple[int, int]]] | None = None
    for weight in (0.0, 0.05, 0.3, 2.0):
        if weight and tomorrow is None:
            break
        given: list[tuple[int, int]] = []
        left = list(range(len(shifts)))
        cost_total = 0.0
        for pool in (sorted(planned), [a for a in members if a not in planned]):
            if not left:
                break
            todo = [shifts[j] for j in left]
            eligible, cost = _day_costs(tracker, pool, todo, d, week, lengths, preference_weight)
            if not eligible:
                continue
            steer = np.zeros_like(cost)
            if weight and tomorrow is not None:
                ends = np.array([s + ln - d * DAY_MINUTES for _, s, ln in todo]) / 60.0
                late = np.array([a in tomorrow[0] for a in eligible], dtype=np.float64)
                steer = weight * np.outer(late, ends)
            rows, picks = linear_sum_assignment(cost + steer)
            taken: set[int] = set()
            for i, j in zip(rows.tolist(), picks.tolist(), strict=True):
                if cost[i, j] >= _BLOCKED / 2:
                    continue
                given.append((eligible[i], left[j]))
                taken.add(j)
                cost_total += float(cost[i, j])
            left = [x for j, x in enumerate(left) if j not in taken]
        lost = len(left) + (_short_tomorrow(tracker, given, shifts, tomorrow) if tomorrow else 0)
        key = (lost, cost_total)
        if best is None or key < best[0]:
            best = (key, given)
        if best[0][0] == 0 or tomorrow is None:
            break
    assert best is not None
    return best[1]


def _short_tomorrow(
    tracker: _Tracker,
    given: list[tuple[int, int]],
    shifts: list[Shift],
    tomorrow: tuple[set[int], list[Shift]],
) -> int:
    """How many of tomorrow's shifts tomorrow's agents could not take after today's.

    Each agent may start tomorrow no earlier than the end of today's shift plus their rest, so
    the shifts each can take are the ones starting late enough: nested sets, matched greedily,
    the most constrained agent first.
    """
    agents, coming = tracker.agents, tomorrow[1]
    ends = {a: shifts[j][1] + shifts[j][2] for a, j in given}
    earliest = sorted(
        (
            ends[a] + agents[a].contract.min_rest_hours * 60 if a in ends else -np.inf
            for a in tomorrow[0]
        ),
        reverse=True,
    )
    starts = sorted((s for _, s, _ in coming), reverse=True)
    matched = 0
    for limit in earliest:
        if matched < len(starts) and starts[matched] >= limit - 1e-9:
            matched += 1
    return len(starts) - matched


def _day_costs(
    tracker: _Tracker,
    members: Sequence[int],
    shifts: list[tuple[int, int, int]],  # (template, start, length)
    d: int,
    week: int,
    lengths: dict[int, tuple[int, int]],
    preference_weight: float,
) -> tuple[list[int], FloatArray]:
    """Eligible agents for day d and the cost of giving each of them each shift.

    Who works is decided here together with which shift, so that an agent who worked late
    yesterday is not picked for a shift they cannot take after their rest. Agents who must still
    work this week to reach their contract's minimum come first; agents already at their target
    last; pairings that would break a rule are blocked.
    """
    agents = tracker.agents
    first, last = 7 * week, min(7 * week + 7, tracker.days)
    week_days = last - first
    scale = week_days / 7.0
    eligible: list[int] = []
    rows: list[FloatArray] = []
    starts = np.array([s for _, s, _ in shifts], dtype=np.int64)
    ends = starts + np.array([ln for _, _, ln in shifts], dtype=np.int64)
    hours = np.array([ln for _, _, ln in shifts], dtype=np.float64) / 60.0
    clocks = starts - d * DAY_MINUTES
    for a in members:
        agent = agents[a]
        c = agent.contract
        worked = int(tracker.on[a, first:last].sum())
        if d in agent.unavailable_days or worked >= c.max_days_per_week:
            continue
        if tracker.run_through(a, d) > c.max_consecutive_days:
            continue
        open_days = sum(
            1
            for e in range(d + 1, last)
            if e not in agent.unavailable_days and tracker.start[a, e] < 0
        )
        min_days = c.min_days_per_week if week_days == 7 else 0
        must = max(min_days - worked, 0)  # days still owed this week, today included
        shortest, longest = lengths[a]
        so_far = tracker.hours[a, week]
        # after today: between max(must − 1, 0) and min(open days, max days left) more shifts
        later_lo = max(must - 1, 0)
        later_hi = min(open_days, c.max_days_per_week - worked - 1)
        cost = np.zeros(len(shifts))
        total = so_far + hours
        cost[total + later_lo * shortest / 60.0 > c.max_hours_per_week * scale + 1e-6] = _BLOCKED
        cost[total + later_hi * longest / 60.0 < c.min_hours_per_week * scale - 1e-6] = _BLOCKED
        cost[tracker.too_little_rest(a, d, starts, ends)] = _BLOCKED
        prev = (d - 1) % tracker.days
        if agent.preferred_start is not None:
            lo, hi = agent.preferred_start
            cost += preference_weight * ((clocks < lo) | (clocks > hi))
        if d in agent.preferred_days_off:
            cost += preference_weight
        if tracker.start[a, prev] >= 0:  # steady start times from day to day
            cost += 0.01 * np.abs(clocks - (tracker.start[a, prev] - prev * DAY_MINUTES)) / 60.0
        # owing days with few days left to give them: take a shift now (strongly)
        urgency = must / max(open_days + 1, 1)
        cost -= 10.0 * urgency + (1000.0 if must > open_days else 0.0)
        if must == 0:
            cost += 1.0  # at the minimum already: work only where others cannot
        eligible.append(a)
        rows.append(cost)
    if not eligible:
        return [], np.zeros((0, len(shifts)))
    return eligible, np.vstack(rows)


def _swap_for_preferences(
    tracker: _Tracker,
    groups: Sequence[_Group],
    picked: list[tuple[int, int, int, int, int]],
) -> None:
    """Swap shifts between agents where that breaks fewer preferences.

    A swap changes who works a shift, never what is covered: two agents trade their shifts of
    one day (start-time preferences), or one works the other's day off and the other takes one
    of the first's days off in the same week (preferred days off). Each agent must be allowed
    the shift it receives (template, daily window, availability), and a swap is kept only if
    both still keep every hard rule.
    """
    agents = tracker.agents
    where = {(p[0], p[1]): i for i, p in enumerate(picked)}

    def penalty(i: int) -> float:
        a, d, _, start, _ = picked[i]
        return _preference_penalty(agents[a], d, start - d * DAY_MINUTES)

    def exchange(i: int, j: int) -> None:
        """Swap the holders of shifts i and j (of one day, or of days each holder is off)."""
        a, b = picked[i][0], picked[j][0]
        for x in (i, j):
            del where[picked[x][0], picked[x][1]]
            tracker.take_back(picked[x][0], picked[x][1])
        picked[i], picked[j] = (b,) + picked[i][1:], (a,) + picked[j][1:]
        for x in (i, j):
            holder, d, _, start, length = picked[x]
            tracker.give(holder, d, start, length)
            where[holder, d] = x

    def trade(i: int, j: int) -> bool:
        """Exchange when both holders keep every rule and fewer preferences break."""
        before = penalty(i) + penalty(j)
        exchange(i, j)
        if penalty(i) + penalty(j) < before - 1e-9 and all(
            tracker.keeps_rules(picked[x][0], picked[x][1]) for x in (i, j)
        ):
            return True
        exchange(i, j)
        return False

    allowed = {a: set(group.templates) for group in groups for a in group.members}

    def fits(b: int, i: int) -> bool:
        """Whether agent b may work shift i at all (template and daily window)."""
        _, d, k, start, length = picked[i]
        clock = start - d * DAY_MINUTES
        agent = agents[b]
        return (
            k in allowed[b]
            and agent.earliest_start <= clock
            and clock + length <= agent.latest_end
            and d not in agent.unavailable_days
        )

    for i in range(len(picked)):
        if penalty(i) == 0:
            continue
        a, d = picked[i][0], picked[i][1]
        first, last = 7 * (d // 7), min(7 * (d // 7) + 7, tracker.days)
        for b in range(len(agents)):
            if b == a or not fits(b, i):
                continue
            if (b, d) in where:  # both work day d: exchange the two shifts
                if fits(a, where[b, d]) and trade(i, where[b, d]):
                    break
                continue
            # b works a's day d; a works one of b's days e of the week, where a is off
            options = [where[b, e] for e in range(first, last)
                       if (b, e) in where and (a, e) not in where]  # fmt: skip
            if any(fits(a, j) and trade(i, j) for j in options):
                break


def _fill(
    tracker: _Tracker,
    templates: Sequence[ShiftTemplate],
    groups: Sequence[_Group],
    r_model: FloatArray,
    interval_minutes: int,
    picked: list[tuple[int, int, int, int, int]],
    under_weight: float,
    over_weight: float,
    preference_weight: float,
) -> None:
    """Give extra shifts where the assignment left room; they add to ``picked``.

    First every agent short of a weekly minimum of days or hours gets shifts until it is met;
    then agents with days and hours to spare get a shift wherever one lowers the weighted
    under- and over-staffing (a shift the assignment could not give, say, reappears as one that
    fits someone). Each goes on a free day allowed by availability, rest and the
    consecutive-day limit, at the start that gains most.
    """
    agents = tracker.agents
    horizon = r_model.size
    cover = np.zeros(horizon)
    for _, _, _, s, ln in picked:
        cover[(s // interval_minutes + np.arange(ln // interval_minutes)) % horizon] += 1
    allowed = {a: group.templates for group in groups for a in group.members}

    def staffing(c: FloatArray) -> FloatArray:
        diff = c - r_model
        out: FloatArray = under_weight * np.maximum(-diff, 0) + over_weight * np.maximum(diff, 0)
        return out

    def best_shift(a: int, week: int, scale: float) -> tuple[float, int, int, int] | None:
        agent, c = agents[a], agents[a].contract
        marginal = staffing(cover) - staffing(cover + 1)
        running = np.concatenate([[0.0], np.cumsum(np.concatenate([marginal, marginal]))])
        best: tuple[float, int, int, int] | None = None
        for d in range(7 * week, min(7 * week + 7, tracker.days)):
            if tracker.on[a, d] or d in agent.unavailable_days:
                continue
            if tracker.run_through(a, d) > c.max_consecutive_days:
                continue
            for k in allowed[a]:
                t = templates[k]
                if tracker.hours[a, week] + t.length_minutes / 60 > c.max_hours_per_week * scale:
                    continue
                clocks = np.array(
                    [x for x in t.starts()
                     if agent.earliest_start <= x <= agent.latest_end - t.length_minutes],
                    dtype=np.int64,
                )  # fmt: skip
                starts = d * DAY_MINUTES + clocks
                starts = starts[~tracker.too_little_rest(a, d, starts, starts + t.length_minutes)]
                if not starts.size:
                    continue
                first = (starts // interval_minutes) % horizon
                gains = running[first + t.length_minutes // interval_minutes] - running[first]
                gains -= preference_weight * np.array(
                    [_preference_penalty(agent, d, x - d * DAY_MINUTES) for x in starts.tolist()]
                )
                i = int(np.argmax(gains))
                if best is None or gains[i] > best[0]:
                    best = (float(gains[i]), d, k, int(starts[i]))
        return best

    def give(a: int, d: int, k: int, start: int) -> None:
        length = templates[k].length_minutes
        tracker.give(a, d, start, length)
        cover[(start // interval_minutes + np.arange(length // interval_minutes)) % horizon] += 1
        picked.append((a, d, k, start, length))

    weeks = (tracker.days + 6) // 7
    for needed in (True, False):
        for week in range(weeks):
            first, last = 7 * week, min(7 * week + 7, tracker.days)
            scale = (last - first) / 7.0
            for a, agent in enumerate(agents):
                c = agent.contract
                min_hours, _, min_days = c.week_range(last - first)
                while int(tracker.on[a, first:last].sum()) < c.max_days_per_week:
                    short = (
                        int(tracker.on[a, first:last].sum()) < min_days
                        or tracker.hours[a, week] < min_hours - 1e-6
                    )
                    if needed and not short:
                        break
                    found = best_shift(a, week, scale)
                    if found is None or (not needed and found[0] <= 1e-3):
                        break
                    give(a, *found[1:])


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
) -> Schedule:
    """Schedule many named agents: aggregate shifts per group, then assign them (see module)."""
    started = time.perf_counter()
    r, days = checked_inputs(required, interval_minutes, agents, templates)
    groups = _groups(agents, templates)
    cols = _columns(groups, templates, days)
    share = np.array(
        [(t.lunch_minutes + t.breaks * t.break_minutes) / t.length_minutes for t in templates]
    )
    r_model = r / (1.0 - (float(share.mean()) if share.size else 0.0))
    counts, lp_bound = _aggregate(
        r_model, interval_minutes, agents, templates, groups, cols, days,
        under_weight, over_weight, time_limit * 0.6,
    )  # fmt: skip
    lengths: dict[int, tuple[int, int]] = {}
    for group in groups:
        own = [templates[k].length_minutes for k in group.templates]
        for a in group.members:
            lengths[a] = (min(own), max(own))
    tracker = _Tracker(agents, days)
    picked = _assign(tracker, groups, cols, counts, lengths, preference_weight)
    _fill(
        tracker, templates, groups, r_model, interval_minutes, picked,
        under_weight, over_weight, preference_weight,
    )  # fmt: skip
    _swap_for_preferences(tracker, groups, picked)
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
    return Schedule(
        assignments=assignments,
        interval_minutes=interval_minutes,
        required=r,
        coverage=coverage,
        under=float(np.maximum(r - coverage, 0).sum()),
        over=float(np.maximum(coverage - r, 0).sum()),
        preference_violations=int(np.count_nonzero(penalty)),
        objective=objective,
        lp_bound=lp_bound,
        lower_bound=lp_bound,
        gap=_highs.gap(objective, lp_bound),
        status="optimal" if objective <= lp_bound + 1e-6 else "rounded",
        seconds=time.perf_counter() - started,
        variables=int(cols.group.size),
    )


def _preference_penalty(agent: Agent, day: int, clock: int) -> float:
    bad = day in agent.preferred_days_off
    if agent.preferred_start is not None:
        lo, hi = agent.preferred_start
        bad = bad or not lo <= clock <= hi
    return float(bad)


SMALL_AGENT_WEEKS = 30  # the direct model closes about this many agent-weeks in seconds


def schedule_named(
    required: ArrayLike,
    interval_minutes: int,
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    *,
    under_weight: float = 1.0,
    over_weight: float = 1.0,
    preference_weight: float = 0.5,
    time_limit: float = 120.0,
) -> Schedule:
    """Named rosters of any size: the decomposition, and for a small center also the direct
    model (exact where it closes in time); the better schedule is returned, with the higher of
    the two valid lower bounds."""
    options = {
        "under_weight": under_weight,
        "over_weight": over_weight,
        "preference_weight": preference_weight,
    }
    started = time.perf_counter()
    decomposed = schedule_decomposed(
        required, interval_minutes, agents, templates, time_limit=time_limit, **options
    )
    days = len(decomposed.required) * interval_minutes // DAY_MINUTES
    left = time_limit - (time.perf_counter() - started)
    if len(agents) * days > 7 * SMALL_AGENT_WEEKS or left < 1.0:
        return decomposed
    try:
        direct = schedule(required, interval_minutes, agents, templates, time_limit=left,
                          mip_rel_gap=0.0, **options)  # fmt: skip
    except RuntimeError:  # no integer solution within the time left
        return decomposed
    best = direct if direct.objective < decomposed.objective else decomposed
    bound = max(decomposed.lower_bound, direct.lower_bound)
    return replace(
        best,
        lower_bound=bound,
        gap=_highs.gap(best.objective, bound),
        status="optimal" if best.objective <= bound + 1e-6 else best.status,
        seconds=time.perf_counter() - started,
    )
