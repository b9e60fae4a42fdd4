"""A staff plan for a multi-skill center, tried on its digital twin before it is published.

1. **Requirements per team.** Each live queue (voice, chat: answered within seconds or minutes)
   needs servers per interval by Erlang C against its own target (T and service level) and the
   occupancy cap; deferred work (email: answered within hours) needs agent hours, at the cap.
   A queue is shared among the teams with its skill, in proportion to the phone hours each has
   left after the queues fewer teams can serve (a team's own specialty first, common work after);
   a message queue's servers are divided by the team's chat concurrency, and a team's share of
   deferred work is spread over the intervals that day in which it is needed for live work.
2. **A named roster per team** by :func:`ccops.wfm.roster.schedule_decomposed` (contracts, days
   off, rest, shift templates, breaks), every hard rule checked.
3. **The check.** The roster runs on the twin as a rota, in replications
   (:func:`ccops.sim.replicate`): each queue's expected service level per interval with its 95%
   interval, judged against the queue's target.
4. **Correction.** Where a queue misses its target in an interval, one more agent is required
   there, shared among its teams as its work is, and the rosters are made again, for a few
   rounds. The formula plans; the simulation corrects it for what the formula does not see
   (several skills sharing agents, overflow, chat concurrency, email worked between calls,
   breaks taken late because a call ran on). The round whose weakest queue does best is kept.

Intervals are judged where the forecast expects at least one contact (:func:`open_cells`).

Pure: numpy and the domain core (queueing, simulator, scheduler).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from ccops.sim.records import ContactRecords
from ccops.sim.replications import ReplicationReport, interval_kpis, replicate
from ccops.sim.rota import Rota, RotaActivity, RotaAgent, RotaShift
from ccops.sim.scenario import Scenario
from ccops.wfm._arrays import BoolArray, FloatArray
from ccops.wfm.forecast import History
from ccops.wfm.requirements import requirements
from ccops.wfm.roster import schedule_decomposed
from ccops.wfm.schedule import Agent, Schedule, ShiftTemplate, break_kinds

DEFERRED_SECONDS = 4 * 3600.0  # a queue answered within this or longer is worked as a backlog


@dataclass(frozen=True)
class QueueDemand:
    """Forecast contacts and handle time of one queue, per interval of the plan's horizon."""

    contacts: FloatArray
    aht_seconds: FloatArray


@dataclass(frozen=True)
class TeamStaff:
    """One team's named agents and the shift templates they may work."""

    team: str
    agents: tuple[Agent, ...]
    templates: tuple[ShiftTemplate, ...]


@dataclass(frozen=True)
class PlanCheck:
    """A rota tried on the twin: expected service level per queue and interval, and the verdict."""

    queues: tuple[str, ...]
    targets: FloatArray  # per queue
    interval_starts: tuple[datetime, ...]
    offered: FloatArray  # (queues, intervals), mean over replications
    service_level: FloatArray  # (queues, intervals), mean over replications
    half_width: FloatArray  # 95% half-width of the service level
    judged: BoolArray  # cells with traffic whose answer-by time falls inside the run
    met: BoolArray  # judged cells whose expected service level reaches the target
    replications: int

    @property
    def share_met(self) -> float:
        """Share of judged (queue, interval) cells meeting their queue's target."""
        n = int(self.judged.sum())
        return float(self.met.sum()) / n if n else math.nan

    def share_met_by_queue(self) -> dict[str, float]:
        """The same share, queue by queue."""
        out: dict[str, float] = {}
        for qi, q in enumerate(self.queues):
            n = int(self.judged[qi].sum())
            out[q] = float(self.met[qi].sum()) / n if n else math.nan
        return out

    @property
    def worst_share(self) -> float:
        """The lowest queue's share of intervals meeting target (the plan's weakest point)."""
        shares = [v for v in self.share_met_by_queue().values() if not math.isnan(v)]
        return min(shares) if shares else math.nan


@dataclass(frozen=True)
class Plan:
    """The chosen round: requirements, rosters, the rota and its check; every round's share met."""

    required: dict[str, FloatArray]  # per team
    schedules: dict[str, Schedule]  # per team
    rota: Rota
    check: PlanCheck
    staff: tuple[TeamStaff, ...]
    demand: Mapping[str, QueueDemand]  # the forecast the plan was made for
    rounds: tuple[float, ...] = field(default_factory=tuple)  # worst queue's share per round


def _filled_aht(aht: FloatArray) -> FloatArray:
    known = aht[np.isfinite(aht) & (aht > 0)]
    fallback = float(known.mean()) if known.size else 300.0
    return np.where(np.isfinite(aht) & (aht > 0), aht, fallback)


def queue_teams(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Queue → the teams that serve its skill, in scenario order."""
    return {
        q.name: tuple(t.name for t in scenario.teams if q.skill in dict(t.skills))
        for q in scenario.queues
    }


@dataclass(frozen=True)
class Requirement:
    """Agents each team must have on the phones per interval, and how queues were shared out."""

    teams: dict[str, FloatArray]  # team → agents per interval (before breaks)
    shares: dict[str, dict[str, float]]  # queue → team → share of the queue's work


def team_requirements(
    scenario: Scenario,
    demand: Mapping[str, QueueDemand],
    *,
    max_occupancy: float = 0.85,
    capacity_hours: Mapping[str, float] | None = None,
) -> Requirement:
    """Agents each team must have on the phones per interval (before breaks), see module.

    A queue several teams serve is shared among them in proportion to the hours each has left
    after the queues fewer teams can serve (`capacity_hours`: each team's hours on the phones
    over the horizon; by default 37.5 a week per head), so a team with spare people takes more
    of the common work.
    """
    m = scenario.interval_minutes
    per_day = 1440 // m
    sizes = {len(d.contacts) for d in demand.values()}
    if len(sizes) != 1 or next(iter(sizes)) % per_day:
        raise ValueError("every queue's demand must cover the same whole days of intervals")
    n = sizes.pop()
    unknown = sorted(set(demand) - {q.name for q in scenario.queues})
    if unknown:
        raise ValueError(f"demand for unknown queue(s): {', '.join(unknown)}")
    serving = queue_teams(scenario)
    teams = {t.name: t for t in scenario.teams}
    weeks = n / per_day / 7.0
    capacity = {t.name: t.agents * weeks * 37.5 for t in scenario.teams}
    capacity.update(capacity_hours or {})
    used = dict.fromkeys(teams, 0.0)
    # servers per interval (live queues) or agent-hours per interval (deferred queues)
    work: dict[str, FloatArray] = {}
    for q in scenario.queues:
        if q.name not in demand:
            continue
        d = demand[q.name]
        contacts = np.asarray(d.contacts, dtype=np.float64)
        aht = _filled_aht(np.asarray(d.aht_seconds, dtype=np.float64))
        if q.answer_within >= DEFERRED_SECONDS:
            work[q.name] = contacts * aht / 3600.0 / max_occupancy
            continue
        r = requirements(
            contacts,
            aht,
            m,
            answer_within=q.answer_within,
            service_level=q.service_level,
            max_occupancy=max_occupancy,
        )
        work[q.name] = np.where(contacts > 0, r.staffing.agents, 0).astype(np.float64)
    queues = {q.name: q for q in scenario.queues}
    order = sorted(
        work,
        # what fewer teams can do first: those teams' hours go to it before common work
        key=lambda name: (len(serving[name]), -queues[name].priority),
    )
    out = {name: np.zeros(n) for name in teams}
    shares: dict[str, dict[str, float]] = {}
    for name in order:
        q = queues[name]
        deferred = q.answer_within >= DEFERRED_SECONDS
        hours = float(work[name].sum()) if deferred else float(work[name].sum()) * m / 60.0
        left = {t: max(capacity[t] - used[t], 0.0) for t in serving[name]}
        total = sum(left.values())
        share = (
            {t: v / total for t, v in left.items()}
            if total > 0
            else {t: teams[t].agents / sum(teams[u].agents for u in left) for t in left}
        )
        shares[name] = share
        for t, f in share.items():
            concurrency = teams[t].concurrency if q.is_message and not deferred else 1
            used[t] += f * hours / concurrency
            if not deferred:
                out[t] += f * work[name] / concurrency
    # where each team, and anyone, has live work: deferred work is spread over those intervals
    live = {t: out[t].reshape(-1, per_day) > 0 for t in out}
    everyone = np.sum(list(out.values()), axis=0).reshape(-1, per_day) > 0
    for name in order:
        if queues[name].answer_within < DEFERRED_SECONDS:
            continue
        for t, f in shares[name].items():
            for day, worked in enumerate(work[name].reshape(-1, per_day).sum(axis=1) * f):
                slots = np.flatnonzero(live[t][day])
                if slots.size == 0:  # the team has no live work that day: the center's open hours
                    slots = np.flatnonzero(everyone[day])
                if slots.size:
                    # the day's agent hours over those slots: agents on the phones in each
                    out[t][day * per_day + slots] += worked / (slots.size * m / 60.0)
    return Requirement(out, shares)


def phone_hours(staff: TeamStaff, days: int) -> float:
    """Most hours a team can be on the phones over `days` days: contract maxima net of breaks."""
    by_name = {t.name: t for t in staff.templates}
    total = 0.0
    for agent in staff.agents:
        names = agent.templates if agent.templates is not None else tuple(by_name)
        net = min(
            1.0 - (t.lunch_minutes + t.breaks * t.break_minutes) / t.length_minutes
            for t in (by_name[n] for n in names)
        )
        total += agent.contract.max_hours_per_week * days / 7.0 * net
    return total


def rota_from_schedules(schedules: Mapping[str, Schedule], staff: Sequence[TeamStaff]) -> Rota:
    """The rosters as a rota for the twin: every agent of `staff`, shifts and breaks in seconds."""
    agents: list[RotaAgent] = []
    for ts in staff:
        by_name = {t.name: t for t in ts.templates}
        shifts: dict[str, list[RotaShift]] = {a.id: [] for a in ts.agents}
        sched = schedules.get(ts.team)
        for a in sched.assignments if sched is not None else []:
            kinds = break_kinds(a, by_name[a.template])
            acts = tuple(
                RotaActivity(kind, start * 60.0, float(minutes))
                for (start, minutes), kind in zip(a.breaks, kinds, strict=True)
            )
            shifts[a.agent].append(RotaShift(a.start * 60.0, a.end * 60.0, acts))
        agents += [
            RotaAgent(agent.id, ts.team, tuple(sorted(shifts[agent.id], key=lambda s: s.start)))
            for agent in ts.agents
        ]
    return Rota(tuple(agents))


def open_cells(scenario: Scenario, demand: Mapping[str, QueueDemand]) -> BoolArray:
    """(queues, intervals): where the forecast expects at least one contact (the open hours).

    A contact transferred in at a minute past closing is served or not, but an interval the plan
    never expected traffic in is not one it can be judged on. A queue without a forecast is
    judged wherever it had traffic.
    """
    n = len(next(iter(demand.values())).contacts)
    out = np.ones((len(scenario.queues), n), dtype=bool)
    for qi, q in enumerate(scenario.queues):
        if q.name in demand:
            out[qi] = np.asarray(demand[q.name].contacts) >= 1.0
    return out


def _check(
    report: ReplicationReport, scenario: Scenario, days: int, expected: BoolArray | None
) -> PlanCheck:
    m = scenario.interval_minutes
    n = days * 1440 // m
    offered = report.mean["offered"]
    sl = report.mean["service_level"]
    within = np.array([q.answer_within for q in scenario.queues])
    # a cell is judged when it had traffic and its answer-by time lies inside the run
    ends = (np.arange(n) + 1) * m * 60.0
    inside = ends[None, :] + within[:, None] <= days * 86400.0
    judged = (offered > 0) & np.isfinite(sl) & inside
    if expected is not None:
        judged &= expected
    targets = np.array([q.service_level for q in scenario.queues])
    met = judged & (sl >= targets[:, None] - 1e-9)
    return PlanCheck(
        queues=report.queues,
        targets=targets,
        interval_starts=report.interval_starts,
        offered=offered,
        service_level=sl,
        half_width=report.half_width["service_level"],
        judged=judged,
        met=met,
        replications=len(report.seeds),
    )


def check_rota(
    scenario: Scenario,
    rota: Rota,
    days: int,
    *,
    replications: int = 5,
    seed: int = 1,
    expected: BoolArray | None = None,
) -> PlanCheck:
    """Run the rota on the twin `replications` times; each queue's expected SL per interval.

    `expected` (queues × intervals, see :func:`open_cells`) limits the judged cells to the hours
    the plan was made for.
    """
    report = replicate(scenario, days, seed, replications, rota=rota)
    return _check(report, scenario, days, expected)


def plan_staff(
    scenario: Scenario,
    demand: Mapping[str, QueueDemand],
    staff: Sequence[TeamStaff],
    *,
    rounds: int = 4,
    goal: float = 0.95,
    replications: int = 5,
    seed: int = 1,
    max_occupancy: float = 0.85,
    under_weight: float = 6.0,
    roster_minutes: int | None = None,
    time_limit: float = 60.0,
    on_round: Callable[[int, PlanCheck], None] | None = None,
) -> Plan:
    """Requirements → named rosters → simulated check → corrected requirements (see module).

    Stops when every queue meets its target in at least `goal` of its intervals, or after
    `rounds` rosters; returns the round whose weakest queue does best. The rosters are made on
    a grid of `roster_minutes` (a divisor of the scenario's interval; 15 places 15-minute
    breaks exactly), each interval's requirement holding for each of its parts.
    """
    m = scenario.interval_minutes
    grid = roster_minutes or m
    if m % grid:
        raise ValueError(f"roster_minutes ({grid}) must divide the interval ({m} minutes)")
    days = len(next(iter(demand.values())).contacts) * m // 1440
    requirement = team_requirements(
        scenario,
        demand,
        max_occupancy=max_occupancy,
        capacity_hours={ts.team: phone_hours(ts, days) for ts in staff},
    )
    required = requirement.teams
    q_index = {q.name: i for i, q in enumerate(scenario.queues)}
    expected = open_cells(scenario, demand)
    best: Plan | None = None
    shares: list[float] = []
    for k in range(max(1, rounds)):
        schedules = {
            ts.team: schedule_decomposed(
                np.repeat(required[ts.team], m // grid),
                grid,
                ts.agents,
                ts.templates,
                under_weight=under_weight,
                time_limit=time_limit,
            )
            for ts in staff
            if ts.agents
        }
        rota = rota_from_schedules(schedules, staff)
        check = check_rota(
            scenario, rota, days, replications=replications, seed=seed, expected=expected
        )
        shares.append(check.worst_share)
        if on_round is not None:
            on_round(k + 1, check)
        score = (check.worst_share, check.share_met)
        if best is None or score > (best.check.worst_share, best.check.share_met):
            best = Plan(
                {t: r.copy() for t, r in required.items()},
                schedules,
                rota,
                check,
                tuple(staff),
                demand,
            )
        if check.worst_share >= goal:
            break
        # one more agent where a queue missed, shared as the queue's work is
        missed = check.judged & ~check.met
        for q in scenario.queues:
            if q.answer_within >= DEFERRED_SECONDS or q.name not in requirement.shares:
                continue
            for t, f in requirement.shares[q.name].items():
                required[t] += f * missed[q_index[q.name]]
    assert best is not None
    return replace(best, rounds=tuple(shares))


def histories_from_records(records: ContactRecords, scenario: Scenario, days: int) -> list[History]:
    """A simulated run as per-queue histories (contacts offered to agents, handled, AHT)."""
    m = scenario.interval_minutes
    n = days * 1440 // m
    kpis = interval_kpis(records, scenario, n)
    first = records.start.date()
    out: list[History] = []
    for qi, q in enumerate(scenario.queues):
        offered = kpis["offered"][qi]
        aht = kpis["aht_seconds"][qi]
        handled = kpis["handled"][qi]
        out.append(History(q.name, q.channel, m, first, offered, handled, aht))
    return out
