"""Named-agent scheduling: who works which shift on which day, then where breaks go.

One mixed-integer model over a cyclic horizon of whole days (a roster that repeats; weeks of
seven days), solved with HiGHS (through scipy):

* a binary y[a, d, k] for every agent a, day d and shift option k (a template at one start
  time) the agent may work: options outside the agent's availability are never created;
* hard rules as constraints: at most one shift a day; per week, paid hours and days worked
  within the contract's range; at most ``max_consecutive_days`` days in a row; at least
  ``min_rest_hours`` between the end of one shift and the start of the next (one clique row
  per late end time: every pair that would break the rest is excluded);
* the objective: weighted under- and over-staffing per interval against the requirement, plus
  ``preference_weight`` for each shift on a preferred day off or outside a preferred start
  window.

Breaks are then placed greedily, shift by shift, where the surplus over the requirement is
largest within each break's window; coverage reported is net of breaks.  The schedule returned
is checked against every hard rule by :func:`violations`, independently of the model, and an
error is raised rather than a schedule that breaks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from ccops.wfm import _highs
from ccops.wfm._arrays import FloatArray, IntArray
from ccops.wfm.cover import coverage_matrix

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Contract:
    """Labour rules for one agent; weeks are days 0–6, 7–13, … of the horizon."""

    min_hours_per_week: float = 0.0
    max_hours_per_week: float = 40.0
    min_days_per_week: int = 0
    max_days_per_week: int = 5
    max_consecutive_days: int = 6
    min_rest_hours: float = 11.0

    def week_range(self, week_days: int) -> tuple[float, float, int]:
        """(minimum hours, maximum hours, minimum days) of a week of `week_days` days: a short
        last week of the horizon owes its share of the weekly hours and no minimum of days."""
        scale = week_days / 7.0
        min_days = self.min_days_per_week if week_days == 7 else 0
        return self.min_hours_per_week * scale, self.max_hours_per_week * scale, min_days


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift shape: length, start window (minutes after midnight) and its breaks."""

    name: str
    length_minutes: int
    earliest_start: int
    latest_start: int
    start_step: int = 30
    lunch_minutes: int = 0  # one lunch, unpaid, off the phone
    lunch_window: tuple[int, int] = (120, 300)  # earliest and latest lunch start after shift start
    break_minutes: int = 0  # length of each short break, off the phone
    breaks: int = 0  # short breaks, one in each equal part of the shift around the lunch

    def starts(self) -> list[int]:
        """Start times in minutes after midnight."""
        return list(range(self.earliest_start, self.latest_start + 1, self.start_step))


@dataclass(frozen=True)
class Agent:
    """A named agent: contract, templates allowed, availability and preferences."""

    id: str
    contract: Contract = Contract()
    templates: tuple[str, ...] | None = None  # None: every template
    unavailable_days: frozenset[int] = frozenset()
    earliest_start: int = 0  # daily availability window, minutes after midnight
    latest_end: int = 2 * DAY_MINUTES  # may end after midnight (the next morning)
    preferred_days_off: frozenset[int] = frozenset()
    preferred_start: tuple[int, int] | None = None  # earliest and latest preferred start
    skills: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Assignment:
    """One shift of one agent; minutes from the horizon start; breaks as (start, minutes)."""

    agent: str
    day: int
    template: str
    start: int
    end: int
    breaks: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Schedule:
    """The assignments, the coverage net of breaks, and how good the solve was."""

    assignments: list[Assignment]
    interval_minutes: int
    required: FloatArray
    coverage: IntArray
    under: float
    over: float
    preference_violations: int
    objective: float
    lp_bound: float
    lower_bound: float
    gap: float
    status: str
    seconds: float
    variables: int


@dataclass(frozen=True)
class _Options:
    agent: IntArray
    day: IntArray
    template: IntArray
    start: IntArray  # minutes after the horizon start
    length: IntArray  # minutes
    penalty: FloatArray


def _options(
    agents: Sequence[Agent], templates: Sequence[ShiftTemplate], days: int, weight: float
) -> _Options:
    cols: list[tuple[int, int, int, int, int, float]] = []
    by_name = {t.name: i for i, t in enumerate(templates)}
    for a, agent in enumerate(agents):
        names = agent.templates if agent.templates is not None else tuple(by_name)
        for name in names:
            if name not in by_name:
                raise ValueError(f"agent {agent.id}: unknown shift template {name!r}")
        allowed = [templates[by_name[n]] for n in names]
        for d in range(days):
            if d in agent.unavailable_days:
                continue
            for t in allowed:
                for s in t.starts():
                    if s < agent.earliest_start or s + t.length_minutes > agent.latest_end:
                        continue
                    bad = d in agent.preferred_days_off
                    if agent.preferred_start is not None:
                        lo, hi = agent.preferred_start
                        bad = bad or not lo <= s <= hi
                    cols.append(
                        (a, d, by_name[t.name], d * DAY_MINUTES + s, t.length_minutes, weight * bad)
                    )
    if not cols:
        raise ValueError("no agent can work any shift (check availability and templates)")
    arr = np.asarray(cols, dtype=np.float64)
    i64 = arr[:, :5].astype(np.int64)
    return _Options(i64[:, 0], i64[:, 1], i64[:, 2], i64[:, 3], i64[:, 4], arr[:, 5])


class _Rows:
    """Accumulates sparse constraint rows: (row, column) pairs with their bounds."""

    def __init__(self) -> None:
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, cols: IntArray, vals: FloatArray | float, lower: float, upper: float) -> None:
        if cols.size == 0:
            return
        r = len(self.lower)
        self.rows.append(np.full(cols.size, r, dtype=np.int64))
        self.cols.append(cols)
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), cols.shape))
        self.lower.append(lower)
        self.upper.append(upper)


def _agent_rows(rows: _Rows, opt: _Options, agents: Sequence[Agent], days: int) -> None:
    weeks = (days + 6) // 7
    order = np.lexsort((opt.start, opt.agent))
    bounds = np.searchsorted(opt.agent[order], np.arange(len(agents) + 1))
    for a, agent in enumerate(agents):
        c = agent.contract
        idx = order[bounds[a] : bounds[a + 1]]
        day = opt.day[idx]
        for d in range(days):
            rows.add(idx[day == d], 1.0, 0.0, 1.0)
        for w in range(weeks):
            in_week = idx[(day >= 7 * w) & (day < 7 * w + 7)]
            week_days = min(7, days - 7 * w)
            lo, hi, min_days = c.week_range(week_days)
            rows.add(in_week, opt.length[in_week] / 60.0, lo - 1e-9, hi + 1e-9)
            rows.add(in_week, 1.0, float(min(min_days, week_days)), float(c.max_days_per_week))
        if c.max_consecutive_days < days:
            span = c.max_consecutive_days + 1
            for d in range(days):
                window = [(d + i) % days for i in range(span)]
                rows.add(idx[np.isin(day, window)], 1.0, 0.0, float(c.max_consecutive_days))
        rest = int(round(c.min_rest_hours * 60))
        for d in range(days):
            today = idx[day == d]
            nxt = (d + 1) % days
            tomorrow = idx[day == nxt]
            if today.size == 0 or tomorrow.size == 0:
                continue
            end_today = opt.start[today] + opt.length[today] - d * DAY_MINUTES
            start_tomorrow = opt.start[tomorrow] - nxt * DAY_MINUTES + DAY_MINUTES
            for e in np.unique(end_today):
                clash = tomorrow[start_tomorrow < e + rest]
                if clash.size:
                    rows.add(np.concatenate([today[end_today >= e], clash]), 1.0, 0.0, 1.0)


def checked_inputs(
    required: ArrayLike,
    interval_minutes: int,
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
) -> tuple[FloatArray, int]:
    """The requirement as a flat array and its number of days; ValueError on bad inputs."""
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
    _check_weekly_hours_reachable(agents, templates, days)
    return r, days


def _reachable_minutes(lengths: Iterable[int], shifts: range) -> set[int]:
    """Every total of minutes that some number of shifts in `shifts`, of these lengths, makes."""
    sizes, totals, out = set(lengths), {0}, set()
    for k in range(shifts.stop):
        if k >= shifts.start:
            out |= totals
        totals = {t + n for t in totals for n in sizes}
    return out


def _check_weekly_hours_reachable(
    agents: Sequence[Agent], templates: Sequence[ShiftTemplate], days: int
) -> None:
    """ValueError naming the agent and week when no number of its shifts fits a week's range of
    hours (pro rata in a short last week): the solver could only fail later, less clearly."""
    length_of = {t.name: t.length_minutes for t in templates}
    checked: set[tuple[Contract, frozenset[int], int]] = set()
    for agent in agents:
        c = agent.contract
        names = agent.templates if agent.templates is not None else tuple(length_of)
        lengths = frozenset(length_of[n] for n in names if n in length_of)
        for w in range((days + 6) // 7):
            week_days = min(7, days - 7 * w)
            if (c, lengths, week_days) in checked:
                continue
            checked.add((c, lengths, week_days))
            lo, hi, min_days = c.week_range(week_days)
            shifts = range(min_days, min(c.max_days_per_week, week_days) + 1)
            if lo <= 1e-6 or any(
                lo - 1e-6 <= total / 60 <= hi + 1e-6
                for total in _reachable_minutes(lengths, shifts)
            ):
                continue
            sizes = ", ".join(f"{n / 60:g} h" for n in sorted(lengths)) or "none"
            short = week_days < 7
            raise ValueError(
                f"agent {agent.id}: week {w}"
                + (
                    f" ({week_days} day{'s' if week_days > 1 else ''}, a short last week)"
                    if short
                    else ""
                )
                + f" must have {lo:.4g}–{hi:.4g} h (its contract's"
                f" {c.min_hours_per_week:g}–{c.max_hours_per_week:g} h a week"
                + (" pro rata" if short else "")
                + f"), which no number of its shifts ({sizes}) makes; plan whole weeks,"
                " or change the contract or the templates"
            )


def schedule(
    required: ArrayLike,
    interval_minutes: int,
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    *,
    under_weight: float = 1.0,
    over_weight: float = 1.0,
    preference_weight: float = 0.5,
    time_limit: float = 120.0,
    mip_rel_gap: float = 0.01,
) -> Schedule:
    """Schedule named agents against a per-interval requirement over whole days (cyclic)."""
    r, days = checked_inputs(required, interval_minutes, agents, templates)
    horizon = r.size
    opt = _options(agents, templates, days, preference_weight)
    n = opt.agent.size
    a_cov = coverage_matrix(opt.start // interval_minutes, opt.length // interval_minutes, horizon)
    rows = _Rows()
    _agent_rows(rows, opt, agents, days)
    n_cols = n + 2 * horizon
    agent_part = sp.csr_matrix(
        (np.concatenate(rows.vals), (np.concatenate(rows.rows), np.concatenate(rows.cols))),
        shape=(len(rows.lower), n_cols),
    )
    identity = sp.identity(horizon, format="csc")
    cover_part = sp.hstack([a_cov, identity, -identity], format="csr")
    matrix = sp.vstack([cover_part, agent_part], format="csc")
    lunch_share = np.array(
        [(t.lunch_minutes + t.breaks * t.break_minutes) / t.length_minutes for t in templates]
    )
    # Shifts cover their intervals in full in the model; reserve the average break time by
    # asking for required ÷ (1 − break share) so placing breaks does not open gaps.
    share = float(lunch_share.mean()) if lunch_share.size else 0.0
    r_model = r / (1.0 - share)
    model = _highs.Model(
        cost=np.concatenate(
            [opt.penalty + 1e-4, np.full(horizon, under_weight), np.full(horizon, over_weight)]
        ),
        matrix=matrix,
        row_lower=np.concatenate([r_model, np.asarray(rows.lower)]),
        row_upper=np.concatenate([r_model, np.asarray(rows.upper)]),
        lower=np.zeros(n_cols),
        upper=np.concatenate([np.ones(n), np.full(2 * horizon, _highs.INF)]),
        integer=np.concatenate([np.ones(n, dtype=np.bool_), np.zeros(2 * horizon, dtype=np.bool_)]),
    )
    res = _highs.solve(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    chosen = np.flatnonzero(res.x[:n] > 0.5)
    coverage = np.zeros(horizon, dtype=np.int64)
    assignments = _place_breaks(opt, chosen, agents, templates, r, interval_minutes, coverage)
    found = violations(assignments, agents, templates, days)
    if found:
        raise RuntimeError("internal error, the schedule breaks hard rules: " + "; ".join(found))
    return Schedule(
        assignments=assignments,
        interval_minutes=interval_minutes,
        required=r,
        coverage=coverage,
        under=float(np.maximum(r - coverage, 0).sum()),
        over=float(np.maximum(coverage - r, 0).sum()),
        preference_violations=int(np.count_nonzero(opt.penalty[chosen])),
        objective=res.objective,
        lp_bound=res.lp_bound,
        lower_bound=res.bound,
        gap=_highs.gap(res.objective, res.bound),
        status=res.status,
        seconds=res.seconds,
        variables=n,
    )


def _place_breaks(
    opt: _Options,
    chosen: IntArray,
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    required: FloatArray,
    interval_minutes: int,
    coverage: IntArray,
) -> list[Assignment]:
    """Add every shift to ``coverage``, then cut breaks where the surplus is largest."""
    horizon = coverage.size
    m = interval_minutes
    for j in chosen.tolist():
        idx = (opt.start[j] // m + np.arange(opt.length[j] // m)) % horizon
        coverage[idx] += 1
    out: list[Assignment] = []
    for j in chosen[np.argsort(opt.start[chosen], kind="stable")].tolist():
        t = templates[int(opt.template[j])]
        start = int(opt.start[j])
        end = start + int(opt.length[j])
        placed: list[tuple[int, int]] = []
        windows: list[tuple[int, int, int]] = []
        if t.lunch_minutes:
            windows.append((start + t.lunch_window[0], start + t.lunch_window[1], t.lunch_minutes))
        if t.breaks and t.break_minutes:
            part = (end - start) // (t.breaks + 1)
            for b in range(t.breaks):
                centre = start + part * (b + 1)
                windows.append((centre - part // 2, centre + part // 2, t.break_minutes))
        for lo, hi, minutes in windows:
            best: tuple[float, int] | None = None
            length = -(-minutes // m)
            for s in range(lo - lo % m + (m if lo % m else 0), hi + 1, m):
                if s < start or s + minutes > end:
                    continue
                if any(s < b0 + bm and b0 < s + minutes for b0, bm in placed):
                    continue
                idx = (s // m + np.arange(length)) % horizon
                surplus = float((coverage[idx] - required[idx]).min())
                if best is None or surplus > best[0]:
                    best = (surplus, s)
            if best is None:
                continue
            s = best[1]
            coverage[(s // m + np.arange(length)) % horizon] -= 1
            placed.append((s, minutes))
        out.append(
            Assignment(
                agent=agents[int(opt.agent[j])].id,
                day=int(opt.day[j]),
                template=t.name,
                start=start,
                end=end,
                breaks=tuple(sorted(placed)),
            )
        )
    return out


def break_kinds(assignment: Assignment, template: ShiftTemplate) -> list[str]:
    """ "lunch" or "break" for each of an assignment's breaks: the lunch is the first of the
    lunch's length that starts in the template's lunch window."""
    kinds: list[str] = []
    lunch_found = False
    lo, hi = (
        assignment.start + template.lunch_window[0],
        assignment.start + template.lunch_window[1],
    )
    for start, minutes in assignment.breaks:
        is_lunch = (
            not lunch_found
            and template.lunch_minutes > 0
            and minutes == template.lunch_minutes
            and lo <= start <= hi
        )
        lunch_found |= is_lunch
        kinds.append("lunch" if is_lunch else "break")
    return kinds


def schedule_activities(
    assignments: Sequence[Assignment], templates: Sequence[ShiftTemplate]
) -> list[tuple[str, str, int, int]]:
    """The shifts as activities (agent, work/break/lunch, start, end in minutes from the
    horizon's start): each shift's work spans around its breaks, in time order per agent."""
    by_name = {t.name: t for t in templates}
    out: list[tuple[str, str, int, int]] = []
    for a in sorted(assignments, key=lambda x: (x.agent, x.start)):
        cursor = a.start
        for (start, minutes), kind in zip(
            a.breaks, break_kinds(a, by_name[a.template]), strict=True
        ):
            if start > cursor:
                out.append((a.agent, "work", cursor, start))
            out.append((a.agent, kind, start, start + minutes))
            cursor = start + minutes
        if a.end > cursor:
            out.append((a.agent, "work", cursor, a.end))
    return out


def violations(
    assignments: Sequence[Assignment],
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    days: int,
) -> list[str]:
    """Every hard rule a schedule breaks, in words (an empty list for a valid schedule)."""
    found: list[str] = []
    by_agent: dict[str, list[Assignment]] = {a.id: [] for a in agents}
    by_name = {t.name: t for t in templates}
    for s in assignments:
        if s.agent not in by_agent:
            found.append(f"unknown agent {s.agent}")
            continue
        by_agent[s.agent].append(s)
    span = days * DAY_MINUTES
    for agent in agents:
        c = agent.contract
        mine = sorted(by_agent[agent.id], key=lambda s: s.start)
        worked = [s.day for s in mine]
        if len(set(worked)) != len(worked):
            found.append(f"{agent.id}: two shifts on one day")
        for s in mine:
            t = by_name.get(s.template)
            clock = s.start - s.day * DAY_MINUTES
            if t is None or s.end - s.start != t.length_minutes or clock not in t.starts():
                found.append(f"{agent.id}: day {s.day} does not match template {s.template}")
            if agent.templates is not None and s.template not in agent.templates:
                found.append(f"{agent.id}: template {s.template} not allowed")
            if s.day in agent.unavailable_days:
                found.append(f"{agent.id}: works on unavailable day {s.day}")
            if clock < agent.earliest_start or clock + s.end - s.start > agent.latest_end:
                found.append(f"{agent.id}: day {s.day} outside availability")
        for w in range((days + 6) // 7):
            week = [s for s in mine if 7 * w <= s.day < 7 * w + 7]
            hours = sum(s.end - s.start for s in week) / 60.0
            lo, hi, min_days = c.week_range(min(7, days - 7 * w))
            if not lo - 1e-6 <= hours <= hi + 1e-6:
                found.append(f"{agent.id}: week {w} has {hours:g} h")
            if not min_days <= len(week) <= c.max_days_per_week:
                found.append(f"{agent.id}: week {w} has {len(week)} days")
        on = np.zeros(days, dtype=bool)
        on[worked] = True
        if c.max_consecutive_days < days:
            run = np.convolve(
                np.r_[on, on[: c.max_consecutive_days]],
                np.ones(c.max_consecutive_days + 1, dtype=int),
                "valid",
            )
            if run.size and run.max() > c.max_consecutive_days:
                found.append(f"{agent.id}: more than {c.max_consecutive_days} days in a row")
        rest = c.min_rest_hours * 60
        for i, s in enumerate(mine):
            nxt = mine[(i + 1) % len(mine)]
            if len(mine) == 1:
                break
            gap = (nxt.start - s.end) % span if nxt is not s else span
            if gap < rest - 1e-9:
                found.append(f"{agent.id}: {gap / 60:g} h rest after day {s.day}")
    return found
