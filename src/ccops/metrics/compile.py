"""The catalog's measures as Ibis expressions over the store's tables, grouped by dimensions.

One definition serves every engine: SQLite and PostgreSQL (the store) and DuckDB over Parquet.
Only portable operations are used — epoch seconds and integer arithmetic for time buckets (SQLite
has no interval arithmetic), CASE for flags — so every engine computes the same sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from ccops.metrics.catalog import MEASURES
from ccops.metrics.dimensions import DAY, EPOCH, Dimension
from ccops.store.models import Agent, AgentStateInterval, Contact, Customer, Queue, Team
from ccops.store.quality_models import COUNTED_STATUSES, QaEvaluation
from ccops.store.schedule_models import PublishedSchedule, ScheduledActivity

HANDLE_STATES = ("talking", "holding", "after_call_work")
IDLE_STATES = ("available", "ringing")
FCR_WINDOW_SECONDS = 7 * DAY
DEFAULT_SL_SECONDS = 20.0
DEFAULT_SHORT_ABANDON_SECONDS = 5.0
NEEDS_QUEUE_CONFIG = frozenset({"abandoned", "short_abandoned", "sl_answered", "sl_offered"})
FCR_MEASURES = frozenset({"fcr_eligible", "fcr_resolved"})


@dataclass(frozen=True, slots=True)
class Scope:
    """What a query covers: UTC window [start, end), the zone's offset segments, the as-of time."""

    start: datetime | None
    end: datetime | None
    offsets: tuple[tuple[int, int], ...]  # (from UTC epoch, offset seconds), ascending
    as_of: int  # UTC epoch that closes agent states still open
    months: tuple[int, ...] = (0,)  # local epochs of month starts covering the data, ascending
    agents: tuple[int, ...] | None = None  # only these agents' contacts and states (None: all)


def _seconds(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Whole epoch seconds (floored), the same on every engine whatever the sub-second part."""
    return ts.epoch_seconds().cast("float64").floor()


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.cases((cond, 1), else_=0)


def _local(utc_epoch: ir.IntegerValue, scope: Scope) -> ir.IntegerValue:
    """Local epoch seconds: UTC epoch plus the zone's offset at that instant."""
    if len(scope.offsets) == 1:
        return utc_epoch + scope.offsets[0][1] if scope.offsets[0][1] else utc_epoch
    branches = [(utc_epoch >= ibis.literal(t), off) for t, off in reversed(scope.offsets[1:])]
    return utc_epoch + ibis.cases(*branches, else_=scope.offsets[0][1])


def month_start(local: ir.IntegerValue, months: Sequence[int]) -> ir.IntegerValue:
    """Local epoch of the first of the month: a flat CASE over the month starts in scope.

    (Integer civil-date arithmetic nests too deep for SQLite's parser, and SQLite has no
    portable epoch-to-timestamp conversion in Ibis; the month starts are few.)
    """
    branches = [(local >= ibis.literal(m), m) for m in reversed(months[1:])]
    if not branches:
        return ibis.literal(months[0])
    return ibis.cases(*branches, else_=months[0])


def bucket(local: ir.IntegerValue, dim: Dimension, scope: Scope) -> ir.IntegerValue:
    """The local epoch at which `dim`'s bucket holding `local` starts."""
    if dim.width_seconds is None:
        return month_start(local, scope.months)
    w, a = dim.width_seconds, dim.align_seconds
    return (local - a) // w * w + a


def _agents(con: BaseBackend) -> ir.Table:
    a = con.table(Agent.__tablename__)
    t = con.table(Team.__tablename__).select(team_pk="id", team="key")
    a = a.select(agent_pk=a.id, agent=a.key, agent_team_id=a.team_id, rate=a.cost_rate_per_hour)
    return a.left_join(t, a.agent_team_id == t.team_pk).select("agent_pk", "agent", "team", "rate")


def _with_customer(con: BaseBackend, r: ir.Table, cols: dict[str, Any]) -> ir.Table:
    """`r` joined to its customer; the segment and VIP tier put in `cols` (the contact's own
    values first, the customer's where the contact has none)."""
    cu = con.table(Customer.__tablename__)
    cu = cu.select(cu_pk=cu.id, cu_segment=cu.segment, cu_vip=cu.vip_tier)
    r = r.left_join(cu, r.customer_id == cu.cu_pk)
    cols["segment"] = r.segment.fill_null(r.cu_segment)
    cols["vip_tier"] = r.vip_tier.fill_null(r.cu_vip)
    return r


def _time_dim(dims: Sequence[Dimension]) -> Dimension | None:
    return next((d for d in dims if d.is_time), None)


def _fcr_repeats(con: BaseBackend, scope: Scope) -> ir.Table:
    """Ids of handled contacts whose customer contacted again on the same reason within 7 days."""
    c = con.table(Contact.__tablename__)
    known = c.filter(c.offered_at.notnull(), c.customer_id.notnull())
    base = known.filter(c.answered_at.notnull(), c.ended_at.notnull())
    if scope.start is not None:
        base = base.filter(base.offered_at >= scope.start)
    if scope.agents is not None:
        base = base.filter(base.agent_id.isin(scope.agents))
    if scope.end is not None:
        base = base.filter(base.offered_at < scope.end)
        known = known.filter(known.offered_at < scope.end + timedelta(seconds=FCR_WINDOW_SECONDS))
    first = base.select(
        rid=base.id,
        rcust=base.customer_id,
        rat=_seconds(base.offered_at),
        rreason=base.reason,
        rqueue=base.queue_id,
    )
    inbound = known.filter(known.direction.isnull() | (known.direction != "outbound"))
    later = inbound.select(
        lcust=inbound.customer_id,
        lat=_seconds(inbound.offered_at),
        lreason=inbound.reason,
        lqueue=inbound.queue_id,
    )
    same_reason = (first.rreason == later.lreason) | (
        first.rreason.isnull() & later.lreason.isnull() & (first.rqueue == later.lqueue)
    )
    joined = first.join(
        later,
        [
            first.rcust == later.lcust,
            later.lat > first.rat,
            later.lat <= first.rat + FCR_WINDOW_SECONDS,
            same_reason,
        ],
    )
    return joined.select(repeat_id=joined.rid).distinct()


def contact_facts(
    con: BaseBackend,
    dims: Sequence[Dimension],
    measures: Iterable[str],
    scope: Scope,
    with_key: bool = False,
) -> ir.Table:
    """One row per contact in scope: its dimension values and its contribution to each measure."""
    wanted = [m for m in measures if MEASURES[m].source == "contacts"]
    names = {d.id for d in dims}
    c = con.table(Contact.__tablename__)
    c = c.filter(c.offered_at.notnull())
    if scope.start is not None:
        c = c.filter(c.offered_at >= scope.start)
    if scope.end is not None:
        c = c.filter(c.offered_at < scope.end)
    if scope.agents is not None:
        c = c.filter(c.agent_id.isin(scope.agents))
    r = c
    cols: dict[str, Any] = {}
    if NEEDS_QUEUE_CONFIG.intersection(wanted) or "queue" in names:
        q = con.table(Queue.__tablename__)
        q = q.select(
            q_pk=q.id,
            queue=q.key,
            sl_t=q.sl_threshold_seconds.fill_null(DEFAULT_SL_SECONDS),
            short_s=q.short_abandon_seconds.fill_null(DEFAULT_SHORT_ABANDON_SECONDS),
        )
        r = r.left_join(q, r.queue_id == q.q_pk)
        sl_t = r.sl_t.fill_null(DEFAULT_SL_SECONDS)
        short_s = r.short_s.fill_null(DEFAULT_SHORT_ABANDON_SECONDS)
    if names & {"agent", "team"}:
        a = _agents(con)
        r = r.left_join(a, r.agent_id == a.agent_pk)
    if names & {"segment", "vip_tier"}:
        r = _with_customer(con, r, cols)
    if FCR_MEASURES.intersection(wanted):
        rep = _fcr_repeats(con, scope)
        r = r.left_join(rep, r.id == rep.repeat_id)
    for d in dims:
        if d.is_time:
            cols[d.id] = bucket(_local(_seconds(r.offered_at), scope), d, scope)
        elif d.id in ("queue", "agent", "team"):
            cols[d.id] = r[d.id]
        elif d.id in ("channel", "direction"):
            cols[d.id] = r[d.id]
    if with_key:
        cols["contact"] = r.key
    answered = r.answered_at.notnull()
    handled = answered & r.ended_at.notnull()
    offered = r.outcome.isnull() | (r.outcome != "contained_in_ivr")
    wait = r.wait_seconds.fill_null(0.0)
    # fill_null: a contact still waiting has no outcome, and NOT(NULL) would drop it from the
    # service-level and abandonment denominators, where "offered − short abandons" counts it
    abandoned = r.answered_at.isnull() & (r.outcome.fill_null("") == "abandoned")
    talk, hold, acw = (r[n].fill_null(0.0) for n in ("talk_seconds", "hold_seconds", "acw_seconds"))
    exprs: dict[str, Any] = {}
    for m in wanted:
        if m == "offered":
            exprs[m] = _flag(offered)
        elif m == "ivr_contained":
            exprs[m] = _flag(r.outcome == "contained_in_ivr")
        elif m == "answered":
            exprs[m] = _flag(offered & answered)
        elif m == "handled":
            exprs[m] = _flag(handled)
        elif m == "abandoned":
            exprs[m] = _flag(abandoned & (wait >= short_s))
        elif m == "short_abandoned":
            exprs[m] = _flag(abandoned & (wait < short_s))
        elif m == "sl_answered":
            exprs[m] = _flag(offered & answered & (wait <= sl_t))
        elif m == "sl_offered":
            exprs[m] = _flag(offered & ~(abandoned & (wait < short_s)))
        elif m == "answered_wait_seconds":
            exprs[m] = ibis.cases((offered & answered, wait), else_=0.0)
        elif m in ("talk_seconds", "hold_seconds", "acw_seconds"):
            part = {"talk_seconds": talk, "hold_seconds": hold, "acw_seconds": acw}[m]
            exprs[m] = ibis.cases((handled, part), else_=0.0)
        elif m == "handle_seconds":
            exprs[m] = ibis.cases((handled, talk + hold + acw), else_=0.0)
        elif m == "transferred":
            exprs[m] = _flag(handled & (r.outcome == "transferred"))
        elif m == "fcr_eligible":
            exprs[m] = _flag(handled & r.customer_id.notnull())
        elif m == "fcr_resolved":
            exprs[m] = _flag(handled & r.customer_id.notnull() & r.repeat_id.isnull())
    return r.select(**cols, **exprs)


def _logged_in_states(con: BaseBackend, scope: Scope) -> ir.Table:
    """Agent states other than offline, of the scope's agents, overlapping its window."""
    s = con.table(AgentStateInterval.__tablename__)
    s = s.filter(s.state != "offline")
    if scope.agents is not None:
        s = s.filter(s.agent_id.isin(scope.agents))
    if scope.end is not None:
        s = s.filter(s.start_at < scope.end)
    if scope.start is not None:
        s = s.filter(s.end_at.isnull() | (s.end_at > scope.start))
    return s


def _clipped(s: ir.Table, st: ir.IntegerValue, en: ir.IntegerValue, scope: Scope) -> ir.Table:
    """Segments [st, en) in UTC epoch seconds, clipped to the scope's window, empty ones dropped."""
    if scope.start is not None:
        st = ibis.greatest(st, _epoch(scope.start))
    if scope.end is not None:
        en = ibis.least(en, _epoch(scope.end))
    s = s.mutate(st=st, en=en)
    return s.filter(s.en > s.st)


def _split(
    con: BaseBackend,
    s: ir.Table,
    dims: Sequence[Dimension],
    scope: Scope,
    carry: Sequence[str],
    rate: bool,
) -> ir.Table:
    """Segments (agent_id, st, en, *carry) as seconds per dimension key, split at the time grain's
    bucket boundaries: an 08:10–09:20 segment gives 50 minutes to 08:00 and 20 to 09:00."""
    names = {d.id for d in dims}
    ls = _local(s.st, scope)
    s = s.mutate(ls=ls, le=ls + (s.en - s.st))
    if names & {"agent", "team"} or rate:
        a = _agents(con)
        s = s.left_join(a, s.agent_id == a.agent_pk)
    grain = _time_dim(dims)
    if grain is None:
        return s.mutate(dur=s.le - s.ls)
    w = grain.width_seconds or DAY  # months: split at days, then map each day to its month
    al = grain.align_seconds
    s = s.mutate(b0=(s.ls - al) // w, b1=(s.le - 1 - al) // w)
    s = s.mutate(span=s.b1 - s.b0)
    top = s.span.max().to_pyarrow().as_py() or 0
    # Most segments lie in one bucket; only those crossing a boundary are joined with the
    # bucket offsets 1..top (a small table), so the join stays small on every engine.
    single = s.filter(s.span == 0).mutate(bstart=s.b0 * w + al)
    single = single.mutate(dur=single.le - single.ls)
    keep = [*carry, "bstart", "dur", *(c for c in ("agent", "team", "rate") if c in s.columns)]

    def same_schema(t: ir.Table) -> ir.Table:
        return t.select(**{c: t[c].cast(t[c].type().copy(nullable=True)) for c in keep})

    if top > 0:
        nums = ibis.memtable({"n": list(range(int(top) + 1))})
        crossing = s.filter(s.span > 0)
        multi = crossing.join(nums, crossing.span >= nums.n)
        multi = multi.mutate(bstart=(multi.b0 + multi.n) * w + al)
        multi = multi.mutate(
            dur=ibis.least(multi.le, multi.bstart + w) - ibis.greatest(multi.ls, multi.bstart)
        )
        s = same_schema(single).union(same_schema(multi), distinct=False)
    else:
        s = same_schema(single)
    return s.mutate(**{grain.id: bucket(s.bstart, grain, scope) if w == DAY else s.bstart})


def state_facts(
    con: BaseBackend, dims: Sequence[Dimension], measures: Iterable[str], scope: Scope
) -> ir.Table:
    """Agent-state seconds by agent state, split at the time grain's bucket boundaries."""
    wanted = [m for m in measures if MEASURES[m].source == "agent_states"]
    s = _logged_in_states(con, scope)
    s = _clipped(s, _seconds(s.start_at), _seconds(s.end_at).fill_null(scope.as_of), scope)
    s = _split(con, s, dims, scope, ["state"], "agent_cost" in wanted)
    dur = s.dur.cast("float64")
    exprs: dict[str, Any] = {}
    for m in wanted:
        if m == "handle_time":
            exprs[m] = ibis.cases((s.state.isin(HANDLE_STATES), dur), else_=0.0)
        elif m == "idle_time":
            exprs[m] = ibis.cases((s.state.isin(IDLE_STATES), dur), else_=0.0)
        elif m == "staffed_time":
            exprs[m] = ibis.cases((s.state.isin(HANDLE_STATES + IDLE_STATES), dur), else_=0.0)
        elif m == "logged_in_time":
            exprs[m] = dur
        elif m == "agent_cost":
            exprs[m] = dur * s.rate / 3600.0  # null for agents without a rate
    keys = {d.id: s[d.id] for d in dims}
    return s.select(**keys, **exprs)


SHRINKAGE = ("shrinkage_seconds", "planned_shrinkage_seconds", "unplanned_shrinkage_seconds")


def schedule_facts(
    con: BaseBackend, dims: Sequence[Dimension], measures: Iterable[str], scope: Scope
) -> ir.Table:
    """Seconds scheduled, scheduled to work, in the scheduled activity, and worked while
    scheduled — from the current published schedules against the agents' states."""
    wanted = [m for m in measures if MEASURES[m].source == "schedules"]
    sched = con.table(PublishedSchedule.__tablename__)
    current = sched.filter(sched.status == "published").select(
        sid=sched.id, wst=_seconds(sched.start_at), wen=_seconds(sched.end_at)
    )
    act = con.table(ScheduledActivity.__tablename__)
    act = act.join(current, act.schedule_id == current.sid)
    if scope.agents is not None:
        act = act.filter(act.agent_id.isin(scope.agents))
    # everything is clipped to the window below: rows outside it are left out first, so the
    # joins pair only one window's activities and states (not every day's of each agent)
    st = _logged_in_states(con, scope)
    st = st.select(
        s_agent=st.agent_id,
        state=st.state,
        s_start=st.start_at,
        s_end=st.end_at,
        sst=_seconds(st.start_at),
        sen=_seconds(st.end_at).fill_null(scope.as_of),
    )
    productive = HANDLE_STATES + IDLE_STATES
    # who is on each current schedule, over the schedule's whole period
    members = act.select(agent_id=act.agent_id, m_wst=act.wst, m_wen=act.wen).distinct()
    if scope.end is not None:
        act = act.filter(act.start_at < scope.end)
    if scope.start is not None:
        act = act.filter(act.end_at > scope.start)
    act = act.select(
        agent_id=act.agent_id,
        activity=act.activity,
        a_start=act.start_at,
        a_end=act.end_at,
        ast=_seconds(act.start_at),
        aen=_seconds(act.end_at),
    )
    zero, one = ibis.literal(0), ibis.literal(1)
    # 1. the scheduled activities themselves
    planned = act.mutate(
        scheduled=one,
        work=ibis.cases((act.activity == "work", 1), else_=0),
        adherent=zero,
        adherent_work=zero,
        worked=zero,
    )
    planned = _clipped(planned, planned.ast, planned.aen, scope)
    # 2. each activity's overlap with the agent's states in the same activity ("work": on the
    #    phone, available or handling)
    # the overlap on the stored times too, so the agent-and-start index narrows the join
    overlap = [
        act.agent_id == st.s_agent,
        st.s_start < act.a_end,
        st.s_end.isnull() | (st.s_end > act.a_start),
    ]
    if scope.start is not None:
        # A state overlapping the window starts at most the longest such state's length before
        # the window: with that lower bound SQLite's agent-and-start index scans the states from
        # there to each activity's end, not every earlier state of the agent (a week of the
        # demo center on SQLite: 11.7 s -> 3.4 s, a day 1.0 s -> 0.45 s).
        longest = st.select(d=st.sen - st.sst).d.max().execute()
        if longest is not None and longest == longest:  # no states: None (NaN on some engines)
            since = scope.start - timedelta(seconds=int(longest) + 1)
            overlap.append(st.s_start >= since)
    both = act.join(st, overlap)
    both = both.filter(both.sst < both.aen, both.sen > both.ast)
    both = both.filter(
        (both.activity == both.state) | ((both.activity == "work") & both.state.isin(productive))
    )
    adherent = both.mutate(
        scheduled=zero,
        work=zero,
        adherent=one,
        adherent_work=ibis.cases((both.activity == "work", 1), else_=0),
        worked=zero,
    )
    adherent = _clipped(
        adherent,
        ibis.greatest(adherent.ast, adherent.sst),
        ibis.least(adherent.aen, adherent.sen),
        scope,
    )
    # 3. time worked (on the phone) by scheduled agents during their schedule's period, when
    #    ever it falls: conformance compares the amount, adherence the timing
    on = members.join(st, members.agent_id == st.s_agent)
    on = on.filter(on.sst < on.m_wen, on.sen > on.m_wst, on.state.isin(productive))
    worked = on.mutate(scheduled=zero, work=zero, adherent=zero, adherent_work=zero, worked=one)
    worked = _clipped(
        worked, ibis.greatest(worked.m_wst, worked.sst), ibis.least(worked.m_wen, worked.sen), scope
    )
    cols = ["agent_id", "st", "en", "scheduled", "work", "adherent", "adherent_work", "worked"]
    flags = ["scheduled", "work", "adherent", "adherent_work", "worked"]
    # only the parts the asked measures need (scheduled hours alone need no agent states)
    parts = [
        part.select(*cols)
        for part, needed in (
            (planned, {"scheduled_seconds", "scheduled_work_seconds", *SHRINKAGE}),
            (adherent, {"adherent_seconds", "shrinkage_seconds", "unplanned_shrinkage_seconds"}),
            (worked, {"worked_seconds"}),
        )
        if needed & set(wanted)
    ]
    segs = parts[0]
    for part in parts[1:]:
        segs = segs.union(part, distinct=False)
    segs = segs.mutate(**{f: segs[f].cast("int64") for f in flags})
    s = _split(con, segs, dims, scope, flags, False)
    dur = s.dur.cast("float64")
    exprs: dict[str, Any] = {}
    for m in wanted:
        if m == "scheduled_seconds":
            exprs[m] = dur * s.scheduled
        elif m == "scheduled_work_seconds":
            exprs[m] = dur * s.work
        elif m == "adherent_seconds":
            exprs[m] = dur * s.adherent
        elif m == "worked_seconds":
            exprs[m] = dur * s.worked
        # the scheduled rows add their time, the rows in the scheduled work take theirs off
        elif m == "shrinkage_seconds":
            exprs[m] = dur * (s.scheduled - s.adherent_work)
        elif m == "planned_shrinkage_seconds":
            exprs[m] = dur * (s.scheduled - s.work)
        elif m == "unplanned_shrinkage_seconds":
            exprs[m] = dur * (s.work - s.adherent_work)
    keys = {d.id: s[d.id] for d in dims}
    return s.select(**keys, **exprs)


def evaluation_facts(
    con: BaseBackend,
    dims: Sequence[Dimension],
    measures: Iterable[str],
    scope: Scope,
    with_key: bool = False,
) -> ir.Table:
    """One row per QA evaluation counted for accuracy, by the evaluated contact's dimensions.

    Counted (docs/quality.md): status in COUNTED_STATUSES (not void), not a calibration score,
    accuracy flag set (the accuracy section applied). The time bucket is the contact's offer
    time; agent and team are the evaluated agent's.
    """
    wanted = [m for m in measures if MEASURES[m].source == "qa_evaluations"]
    names = {d.id for d in dims}
    e = con.table(QaEvaluation.__tablename__)
    e = e.filter(
        e.status.isin(COUNTED_STATUSES),
        e.calibration_session_id.isnull(),
        e.accuracy_defect.notnull(),
    )
    if scope.agents is not None:
        e = e.filter(e.agent_id.isin(scope.agents))
    e = e.select(ev_contact=e.contact_id, ev_agent=e.agent_id, ev_defect=e.accuracy_defect)
    c = con.table(Contact.__tablename__)
    c = c.filter(c.offered_at.notnull())
    if scope.start is not None:
        c = c.filter(c.offered_at >= scope.start)
    if scope.end is not None:
        c = c.filter(c.offered_at < scope.end)
    r = e.join(c, e.ev_contact == c.id)
    cols: dict[str, Any] = {}
    if "queue" in names:
        q = con.table(Queue.__tablename__).select(q_pk="id", queue="key")
        r = r.left_join(q, r.queue_id == q.q_pk)
    if names & {"agent", "team"}:
        a = _agents(con)
        r = r.left_join(a, r.ev_agent == a.agent_pk)
    if names & {"segment", "vip_tier"}:
        r = _with_customer(con, r, cols)
    for d in dims:
        if d.is_time:
            cols[d.id] = bucket(_local(_seconds(r.offered_at), scope), d, scope)
        elif d.id in ("queue", "agent", "team", "channel", "direction"):
            cols[d.id] = r[d.id]
    if with_key:
        cols["contact"] = r.key
    defect = r.ev_defect  # boolean on every engine (SQLite stores 0/1 and Ibis reads boolean)
    exprs: dict[str, Any] = {}
    for m in wanted:
        if m == "qa_evaluated":
            exprs[m] = ibis.literal(1)
        elif m == "qa_accurate":
            exprs[m] = _flag(~defect)
    return r.select(**cols, **exprs)


def _epoch(ts: datetime) -> int:
    return int((ts - EPOCH).total_seconds() // 1)


def aggregate(facts: ir.Table, dims: Sequence[Dimension], measures: Iterable[str]) -> ir.Table:
    """Sum each measure column of `facts` per combination of dimension values."""
    cols = [m for m in measures if m in facts.columns]
    metrics = {m: facts[m].sum() for m in cols}
    keys = [d.id for d in dims]
    if not keys:
        return facts.aggregate(**metrics)
    return facts.group_by(keys).aggregate(**metrics)
