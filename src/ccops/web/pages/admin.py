"""Admin pages: queues, teams, agents, users, API tokens, audit log. Every change is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ccops.api.deps import CsrfChecked, CurrentUser, ScopeDep, SessionDep
from ccops.store.auth_models import ROLES, ApiToken, AuditEntry, User
from ccops.store.models import Agent, Queue, Team
from ccops.web.audit import record
from ccops.web.auth import close_all_sessions, create_api_token, create_user, hash_password, utcnow
from ccops.web.pages.account import client_ip
from ccops.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)


def _get(db: Session, model: Any, ident: int) -> Any:
    found = db.get(model, ident)
    if found is None:
        raise HTTPException(404, "not found")
    return found


def _back(section: str) -> Response:
    return RedirectResponse(f"/admin/{section}", 303)


def _optional_int(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise HTTPException(400, f"not a number: {value!r}") from None


@router.get("")
def admin_index(scope: ScopeDep) -> Response:
    """The admin area starts at queues."""
    scope.require("admin")
    return _back("queues")


@router.get("/queues")
def queues_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """Queues with their service-level settings."""
    scope.require("admin")
    return render(
        request,
        "admin/queues.html",
        section="queues",
        queues=db.scalars(select(Queue).order_by(Queue.name)).all(),
    )


@router.post("/queues/{queue_id}")
def update_queue(
    request: Request,
    queue_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    name: Annotated[str, Form()],
    sl_threshold_seconds: Annotated[float, Form(ge=0, le=3600)],
    sl_target: Annotated[float, Form(ge=0, le=1)],
    short_abandon_seconds: Annotated[float, Form(ge=0, le=600)],
) -> Response:
    """Change a queue's name and service-level settings."""
    scope.require("admin")
    queue = _get(db, Queue, queue_id)
    before = {
        "name": queue.name,
        "sl_threshold_seconds": queue.sl_threshold_seconds,
        "sl_target": queue.sl_target,
        "short_abandon_seconds": queue.short_abandon_seconds,
    }
    queue.name = name.strip() or queue.name
    queue.sl_threshold_seconds = sl_threshold_seconds
    queue.sl_target = sl_target
    queue.short_abandon_seconds = short_abandon_seconds
    after = {k: getattr(queue, k) for k in before}
    record(
        db,
        "queue.update",
        actor=user,
        target=f"queue:{queue.key}",
        detail={"before": before, "after": after},
        ip=client_ip(request),
    )
    db.commit()
    return _back("queues")


@router.get("/teams")
def teams_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """Teams and their leads."""
    scope.require("admin")
    return render(
        request,
        "admin/teams.html",
        section="teams",
        teams=db.scalars(select(Team).order_by(Team.name)).all(),
        agents=db.scalars(select(Agent).order_by(Agent.name)).all(),
    )


@router.post("/teams")
def create_team(
    request: Request,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    key: Annotated[str, Form(min_length=1, max_length=200)],
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    """Add a team."""
    scope.require("admin")
    db.add(Team(key=key.strip(), name=name.strip()))
    record(
        db,
        "team.create",
        actor=user,
        target=f"team:{key}",
        detail={"name": name},
        ip=client_ip(request),
    )
    try:
        db.commit()
    except IntegrityError:
        raise HTTPException(409, "a team with this key exists") from None
    return _back("teams")


@router.post("/teams/{team_id}")
def update_team(
    request: Request,
    team_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    lead_agent_id: Annotated[str, Form()] = "",
) -> Response:
    """Rename a team or change its lead."""
    scope.require("admin")
    team = _get(db, Team, team_id)
    lead = _optional_int(lead_agent_id)
    if lead is not None:
        _get(db, Agent, lead)
    detail = {
        "before": {"name": team.name, "lead_agent_id": team.lead_agent_id},
        "after": {"name": name, "lead_agent_id": lead},
    }
    team.name, team.lead_agent_id = name.strip(), lead
    record(
        db,
        "team.update",
        actor=user,
        target=f"team:{team.key}",
        detail=detail,
        ip=client_ip(request),
    )
    db.commit()
    return _back("teams")


@router.get("/agents")
def agents_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """Agents and their teams."""
    scope.require("admin")
    return render(
        request,
        "admin/agents.html",
        section="agents",
        agents=db.scalars(select(Agent).order_by(Agent.name)).all(),
        teams=db.scalars(select(Team).order_by(Team.name)).all(),
    )


@router.post("/agents/{agent_id}")
def update_agent(
    request: Request,
    agent_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    team_id: Annotated[str, Form()] = "",
) -> Response:
    """Rename an agent or move them to another team."""
    scope.require("admin")
    agent = _get(db, Agent, agent_id)
    team = _optional_int(team_id)
    if team is not None:
        _get(db, Team, team)
    detail = {
        "before": {"name": agent.name, "team_id": agent.team_id},
        "after": {"name": name, "team_id": team},
    }
    agent.name, agent.team_id = name.strip(), team
    record(
        db,
        "agent.update",
        actor=user,
        target=f"agent:{agent.key}",
        detail=detail,
        ip=client_ip(request),
    )
    db.commit()
    return _back("agents")


@router.get("/users")
def users_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """Users, roles and links to agents and teams."""
    scope.require("admin")
    return render(
        request,
        "admin/users.html",
        section="users",
        roles=ROLES,
        users=db.scalars(select(User).order_by(User.username)).all(),
        agents=db.scalars(select(Agent).order_by(Agent.name)).all(),
        teams=db.scalars(select(Team).order_by(Team.name)).all(),
    )


@router.post("/users")
def add_user(
    request: Request,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=8)],
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "",
    agent_id: Annotated[str, Form()] = "",
    team_id: Annotated[str, Form()] = "",
) -> Response:
    """Add a user."""
    scope.require("admin")
    try:
        create_user(
            db,
            username.strip(),
            password,
            role,
            display_name=display_name or None,
            agent_id=_optional_int(agent_id),
            team_id=_optional_int(team_id),
            actor=user,
            ip=client_ip(request),
        )
        db.commit()
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    except IntegrityError:
        raise HTTPException(409, "this user name is taken") from None
    return _back("users")


@router.post("/users/{user_id}")
def update_user(
    request: Request,
    user_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    role: Annotated[str, Form()],
    agent_id: Annotated[str, Form()] = "",
    team_id: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """Change a user's role, links, activity or password (sessions end on the last two)."""
    scope.require("admin")
    if role not in ROLES:
        raise HTTPException(400, "unknown role")
    target = _get(db, User, user_id)
    before = {
        "role": target.role,
        "agent_id": target.agent_id,
        "team_id": target.team_id,
        "active": target.active,
    }
    target.role = role
    target.agent_id = _optional_int(agent_id)
    target.team_id = _optional_int(team_id)
    target.active = active == "on"
    after: dict[str, object] = {k: getattr(target, k) for k in before}
    if new_password:
        if len(new_password) < 8:
            raise HTTPException(400, "a password needs at least 8 characters")
        target.password_hash = hash_password(new_password)
        after["password"] = "reset"
    if not target.active or new_password:
        close_all_sessions(db, target.id)
    record(
        db,
        "user.update",
        actor=user,
        target=f"user:{target.username}",
        detail={"before": before, "after": after},
        ip=client_ip(request),
    )
    db.commit()
    return _back("users")


@router.get("/tokens")
def tokens_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """API tokens for integrations (only their prefixes are known after creation)."""
    scope.require("admin")
    return render(
        request,
        "admin/tokens.html",
        section="tokens",
        new_token=None,
        tokens=db.scalars(select(ApiToken).order_by(ApiToken.id.desc())).all(),
    )


@router.post("/tokens")
def add_token(
    request: Request,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    """Create a token and show it once."""
    scope.require("admin")
    token = create_api_token(db, name.strip(), actor=user)
    db.commit()
    return render(
        request,
        "admin/tokens.html",
        section="tokens",
        new_token=token,
        tokens=db.scalars(select(ApiToken).order_by(ApiToken.id.desc())).all(),
    )


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
) -> Response:
    """Revoke a token (integrations using it get 401 from then on)."""
    scope.require("admin")
    token = _get(db, ApiToken, token_id)
    token.revoked_at = token.revoked_at or utcnow()
    record(
        db, "api_token.revoke", actor=user, target=f"token:{token.prefix}", ip=client_ip(request)
    )
    db.commit()
    return _back("tokens")


@router.get("/audit")
def audit_page(request: Request, scope: ScopeDep, db: SessionDep) -> Response:
    """The latest audit entries."""
    scope.require("audit")
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500)).all()
    return render(request, "admin/audit.html", section="audit", entries=entries)
