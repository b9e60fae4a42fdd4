"""The live floor, read from the store: queues (waiting, oldest wait, SL so far) and agents' states.

Used by the wallboard and its Server-Sent Events stream. Agents are read through the user's
`Scope`; queue figures are centre-wide aggregates that every role may see.

Live state (not KPIs, so not in the catalog):
- waiting: contacts offered today with no answer, abandonment or end yet;
- oldest wait: now − the earliest offer among those.
KPIs so far today (service level, answered, abandoned) come from the metric catalog, so the
wallboard, the overview and every report give the same figure for the same day.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, func, select
from sqlalchemy.orm import Session

from ccops.store.models import Agent, AgentStateInterval, Contact, Queue, Team
from ccops.store.schedule_models import PublishedSchedule, ScheduledActivity
from ccops.web import kpis
from ccops.web.clock import day_start_utc, utcnow
from ccops.web.scope import Scope

# Seconds after which a state is "too long" (coloured amber, then red at twice the limit).
STATE_LIMITS: dict[str, float] = {
    "ringing": 30,
    "talking": 600,
    "holding": 120,
    "after_call_work": 120,
    "away": 300,
    "break": 900,
    "lunch": 3600,
    "meeting": 3600,
    "training": 7200,
}


# Catalog figures so far today, shared by every wallboard for a moment (they are centre-wide).
TODAY_CACHE_SECONDS = 0.25
_today_cache: dict[tuple[str, datetime], tuple[float, dict[str, dict[str, Any]]]] = {}


def today_by_queue(session: Session, day_start: datetime, now: datetime) -> dict[str, Any]:
    """The catalog's answered, abandoned and service level per queue key since `day_start`."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    key = (engine.url.render_as_string(hide_password=False), day_start)
    hit = _today_cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    figures = kpis.figures(
        engine,
        session,
        ["queue"],
        day_start,
        max(now, day_start) + timedelta(seconds=1),
        metrics=("answered", "abandoned", "service_level"),
    )
    found = {k[0]: v for k, v in figures.items()}
    if len(_today_cache) > 64:
        _today_cache.clear()
    _today_cache[key] = (time.monotonic() + TODAY_CACHE_SECONDS, found)
    return found


def queue_board(session: Session, now: datetime, day_start: datetime) -> list[dict[str, Any]]:
    """Per queue: waiting now, oldest wait, VIPs waiting, and SL so far today (the catalog's)."""
    waiting = and_(
        Contact.id.is_not(None),  # the outer join's empty row is not a waiting contact
        Contact.answered_at.is_(None),
        Contact.abandoned_at.is_(None),
        Contact.ended_at.is_(None),
    )
    today = today_by_queue(session, day_start, now)
    stmt = (
        select(
            Queue.id,
            Queue.key,
            Queue.name,
            Queue.sl_target,
            Queue.sl_threshold_seconds,
            func.count(Contact.id),
            func.sum(case((waiting, 1), else_=0)),
            func.min(case((waiting, Contact.offered_at))),
            func.sum(case((and_(waiting, func.coalesce(Contact.vip_tier, 0) > 0), 1), else_=0)),
        )
        .select_from(Queue)
        .outerjoin(
            Contact,
            and_(Contact.queue_id == Queue.id, Contact.offered_at >= day_start),
        )
        .group_by(Queue.id)
        .order_by(Queue.priority.desc(), Queue.name)
    )
    rows = []
    for (
        qid,
        key,
        name,
        target,
        threshold,
        offered,
        wait_n,
        oldest,
        vip,
    ) in session.execute(stmt).all():
        kpi = today.get(key, {})
        rows.append(
            {
                "id": qid,
                "key": key,
                "name": name,
                "offered": offered or 0,
                "waiting": wait_n or 0,
                "vip_waiting": vip or 0,
                "oldest_wait": max(0.0, (now - oldest).total_seconds()) if oldest else None,
                "answered": kpi.get("answered", 0),
                "abandoned": kpi.get("abandoned", 0),
                "sl": kpi.get("service_level"),
                "sl_target": target,
                "sl_threshold": threshold,
            }
        )
    return rows


# Seconds an agent may be out of their scheduled activity before the wallboard raises it.
ADHERENCE_GRACE_SECONDS = 300.0
ON_THE_PHONE = ("available", "ringing", "talking", "holding", "after_call_work")


def scheduled_now(session: Session, scope: Scope, now: datetime) -> dict[int, tuple[str, datetime]]:
    """Each agent's activity in the current published schedule at `now`: (activity, since)."""
    stmt = (
        select(ScheduledActivity.agent_id, ScheduledActivity.activity, ScheduledActivity.start_at)
        .join(PublishedSchedule, PublishedSchedule.id == ScheduledActivity.schedule_id)
        .where(
            PublishedSchedule.status == "published",
            ScheduledActivity.start_at <= now,
            ScheduledActivity.end_at > now,
            scope.agent_column(ScheduledActivity.agent_id),
        )
    )
    return {aid: (activity, since) for aid, activity, since in session.execute(stmt).all()}


def in_activity(state: str, activity: str) -> bool:
    """Whether a state is what the scheduled activity asks for (work: on the phone)."""
    return state in ON_THE_PHONE if activity == "work" else state == activity


def agent_board(session: Session, scope: Scope, now: datetime) -> list[dict[str, Any]]:
    """Every agent in scope with a current (open) state: state, since when, for how long, and
    their scheduled activity with how long they have been out of it (adherence, live)."""
    plan = scheduled_now(session, scope, now)
    stmt = (
        select(
            Agent.id,
            Agent.key,
            Agent.name,
            Team.name,
            AgentStateInterval.state,
            AgentStateInterval.start_at,
            AgentStateInterval.reason,
        )
        .join(AgentStateInterval, AgentStateInterval.agent_id == Agent.id)
        .outerjoin(Team, Team.id == Agent.team_id)
        .where(AgentStateInterval.end_at.is_(None), scope.agents())
        .order_by(Agent.name)
    )
    rows = []
    for aid, key, name, team, state, start, reason in session.execute(stmt).all():
        seconds = max(0.0, (now - start).total_seconds())
        limit = STATE_LIMITS.get(state)
        level = "ok"
        if limit is not None and seconds > 2 * limit:
            level = "alarm"
        elif limit is not None and seconds > limit:
            level = "warn"
        scheduled, out_seconds = None, None
        if aid in plan:
            scheduled, activity_start = plan[aid]
            if not in_activity(state, scheduled):
                out_seconds = max(0.0, (now - max(start, activity_start)).total_seconds())
        rows.append(
            {
                "id": aid,
                "key": key,
                "name": name,
                "team": team,
                "state": state,
                "reason": reason,
                "since": start.isoformat() + "Z",
                "seconds": seconds,
                "level": level,
                "scheduled": scheduled,
                "out_of_adherence_seconds": out_seconds,
            }
        )
    return rows


def alerts(queues: list[dict[str, Any]], agents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What to act on: SL below target, a VIP waiting, an agent far too long in a state, an agent
    out of their scheduled activity for longer than the grace period."""
    out: list[dict[str, Any]] = []
    for q in queues:
        if q["sl"] is not None and q["sl"] < q["sl_target"]:
            out.append(
                {"kind": "sl_low", "queue": q["name"], "value": q["sl"], "target": q["sl_target"]}
            )
        if q["vip_waiting"]:
            out.append({"kind": "vip_waiting", "queue": q["name"], "value": q["vip_waiting"]})
    for a in agents:
        if a["level"] == "alarm":
            out.append(
                {
                    "kind": "state_too_long",
                    "agent": a["name"],
                    "state": a["state"],
                    "value": a["seconds"],
                }
            )
        late = a.get("out_of_adherence_seconds")
        if late is not None and late > ADHERENCE_GRACE_SECONDS:
            out.append(
                {
                    "kind": "out_of_adherence",
                    "agent": a["name"],
                    "state": a["state"],
                    "activity": a["scheduled"],
                    "value": late,
                }
            )
    return out


def snapshot(session: Session, scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """Everything the wallboard shows, as JSON-able data."""
    now = now or utcnow()
    day_start = day_start_utc(session, now)
    queues = queue_board(session, now, day_start)
    agents = agent_board(session, scope, now)
    return {
        "now": now.isoformat() + "Z",
        "day_start": day_start.isoformat() + "Z",
        "queues": queues,
        "agents": agents,
        "alerts": alerts(queues, agents),
        "stale_after": timedelta(seconds=30).total_seconds(),
    }
