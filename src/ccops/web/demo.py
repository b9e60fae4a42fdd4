"""Demo users, one per role, tied to agents and a team of the store (for `ccops demo`)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.store.auth_models import User
from ccops.store.models import Agent, Team
from ccops.web.auth import create_api_token, create_user

DEMO_PASSWORD = "demo-password"
DEMO_TEAM = "demo-team"


def create_demo_users(engine: Engine, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Users agent, lead, qa, wfm, manager, admin (password `password`) and a demo API token.

    The first agents of the store form the demo team (created if needed); `agent` is its first
    member and `lead` leads it. Returns {username: role} plus "api_token" (new each call).
    Running it again keeps existing users.
    """
    with Session(engine, expire_on_commit=False) as db:
        team = db.scalar(select(Team).where(Team.key == DEMO_TEAM))
        if team is None:
            team = db.scalar(select(Team).order_by(Team.id).limit(1))
        if team is None:
            team = Team(key=DEMO_TEAM, name="Demo team")
            db.add(team)
            db.flush()
        members = db.scalars(select(Agent).where(Agent.team_id == team.id).order_by(Agent.id)).all()
        if not members:
            members = db.scalars(
                select(Agent).where(Agent.team_id.is_(None)).order_by(Agent.id).limit(8)
            ).all()
            for agent in members:
                agent.team_id = team.id
        first = members[0].id if members else None
        if team.lead_agent_id is None and len(members) > 1:
            team.lead_agent_id = members[1].id
        wanted = {
            "agent": ("agent", first, None),
            "lead": ("team_lead", team.lead_agent_id, team.id),
            "qa": ("qa_analyst", None, None),
            "wfm": ("wfm_analyst", None, None),
            "manager": ("manager", None, None),
            "admin": ("admin", None, None),
        }
        made: dict[str, str] = {}
        for username, (role, agent_id, team_id) in wanted.items():
            if db.scalar(select(User.id).where(User.username == username)) is None:
                create_user(
                    db,
                    username,
                    password,
                    role,
                    display_name=username.title(),
                    agent_id=agent_id,
                    team_id=team_id,
                )
            made[username] = role
        made["api_token"] = create_api_token(db, "demo")
        db.commit()
    return made
