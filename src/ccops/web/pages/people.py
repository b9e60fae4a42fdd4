"""Agent and team pages, and their JSON twins; every read goes through the user's Scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api.deps import CurrentUser, ScopeDep, SessionDep
from ccops.store.models import Agent, Contact, Customer, Queue, Team
from ccops.web import floor, kpis
from ccops.web.clock import day_bounds_utc, local_day, utcnow
from ccops.web.scope import Scope
from ccops.web.templating import render

router = APIRouter()

TREND_DAYS = 14


def agent_summary(db: Session, scope: Scope, agent: Agent) -> dict[str, Any]:
    """An agent's figures today and per day over the last two weeks, and their recent contacts."""
    now = utcnow()
    today = local_day(db, now)
    first = today - timedelta(days=TREND_DAYS - 1)
    start, end = day_bounds_utc(db, first, TREND_DAYS)
    mine = (Contact.agent_id == agent.id) & scope.contacts()
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    by_day = kpis.figures(engine, db, ["day"], start, end, [agent.id])
    trend = [
        {"day": d.isoformat(), **(by_day.get((d,)) or kpis.empty())}
        for d in kpis.daily(TREND_DAYS, today)
    ]
    recent = db.execute(
        select(
            Contact.key,
            Contact.offered_at,
            Contact.outcome,
            Contact.talk_seconds,
            Contact.hold_seconds,
            Contact.acw_seconds,
            Queue.name,
            Customer.key,
        )
        .outerjoin(Queue, Queue.id == Contact.queue_id)
        .outerjoin(Customer, Customer.id == Contact.customer_id)
        .where(mine)
        .order_by(Contact.offered_at.desc())
        .limit(20)
    ).all()
    state = [a for a in floor.agent_board(db, scope, now) if a["id"] == agent.id]
    return {
        "agent": {"id": agent.id, "key": agent.key, "name": agent.name},
        "today": trend[-1],
        "trend": trend,
        "state": state[0] if state else None,
        "recent": [
            {
                "contact": key,
                "offered_at": at.isoformat() + "Z" if at else None,
                "outcome": outcome,
                "handle_seconds": (talk or 0) + (hold or 0) + (acw or 0),
                "queue": queue,
                "customer": scope.customer(customer),
            }
            for key, at, outcome, talk, hold, acw, queue, customer in recent
        ],
    }


@router.get("/me", include_in_schema=False)
def my_page(user: CurrentUser) -> Response:
    """Where 'my page' is: one's agent page, one's team page, or the overview."""
    if user.agent_id is not None and user.role == "agent":
        return RedirectResponse(f"/agents/{user.agent_id}", 303)
    if user.team_id is not None:
        return RedirectResponse(f"/teams/{user.team_id}", 303)
    if user.agent_id is not None:
        return RedirectResponse(f"/agents/{user.agent_id}", 303)
    return RedirectResponse("/", 303)


@router.get("/agents/{agent_id}", include_in_schema=False)
def agent_page(request: Request, agent_id: int, scope: ScopeDep, db: SessionDep) -> Response:
    """An agent's own KPIs and trend (404 outside the viewer's scope)."""
    agent = scope.agent(db, agent_id)
    return render(request, "agent.html", summary=agent_summary(db, scope, agent))


@router.get("/api/v1/agents/{key}/summary", tags=["people"])
def agent_data(key: str, scope: ScopeDep, db: SessionDep) -> dict[str, Any]:
    """An agent's figures, trend, current state and recent contacts (within your scope)."""
    return agent_summary(db, scope, scope.agent_by_key(db, key))


def team_summary(db: Session, scope: Scope, team: Team) -> dict[str, Any]:
    """A team's agents: today's figures and current state each."""
    now = utcnow()
    start, end = day_bounds_utc(db, local_day(db, now))
    members = db.scalars(
        select(Agent).where(Agent.team_id == team.id, scope.agents()).order_by(Agent.name)
    ).all()
    ids = [a.id for a in members]
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    figures = kpis.figures(engine, db, ["agent"], start, end, ids) if ids else {}
    states = {a["id"]: a for a in floor.agent_board(db, scope, now) if a["id"] in set(ids)}
    return {
        "team": {"id": team.id, "key": team.key, "name": team.name},
        "agents": [
            {
                "id": a.id,
                "key": a.key,
                "name": a.name,
                "kpi": figures.get((a.key,)) or kpis.empty(),
                "state": states.get(a.id),
            }
            for a in members
        ],
    }


@router.get("/teams", include_in_schema=False)
def teams_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """The teams the viewer may see."""
    scope.require("teams")
    teams = db.scalars(select(Team).where(scope.teams()).order_by(Team.name)).all()
    return render(request, "teams.html", teams=teams)


@router.get("/teams/{team_id}", include_in_schema=False)
def team_page(request: Request, team_id: int, scope: ScopeDep, db: SessionDep) -> Response:
    """A team's agents, live state and today's figures (404 outside the viewer's scope)."""
    team = scope.team(db, team_id)
    return render(request, "team.html", summary=team_summary(db, scope, team))


@router.get("/api/v1/teams/{key}/summary", tags=["people"])
def team_data(key: str, scope: ScopeDep, db: SessionDep) -> dict[str, Any]:
    """A team's agents with today's figures and current state (within your scope)."""
    team_id = db.scalar(select(Team.id).where(Team.key == key))
    if team_id is None:
        raise HTTPException(404, "no such team")
    return team_summary(db, scope, scope.team(db, team_id))
