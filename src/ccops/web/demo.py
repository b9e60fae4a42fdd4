"""Demo users, one per role, tied to agents and a team of the store (for `ccops demo`), and a few
QA evaluations, a dispute, coaching and a calibration session so the quality pages show data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ccops.quality.forms import DEFAULT_FORM, ItemKind
from ccops.store import quality_repo
from ccops.store.auth_models import User
from ccops.store.models import Agent, Contact, Team
from ccops.store.quality_models import QaEvaluation
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
    create_demo_quality(engine)
    return made


DEMO_EVALUATIONS = 12


def _demo_answers(n: int) -> dict[str, Any]:
    """Answers for the n-th demo evaluation: mostly clean, every 4th with an accuracy defect,
    one with a failed critical item, and varied attitude scores."""
    answers: dict[str, Any] = {
        i.key: (i.scale_max if i.kind is ItemKind.SCALE else "yes") for i in DEFAULT_FORM.items()
    }
    answers["att_courtesy"] = 3 + n % 3
    if n % 4 == 1:
        answers["acc_correct_record"] = "no"
    if n == 6:
        answers["proc_identity_verified"] = "no"
    if n % 5 == 2:
        answers["com_hold_etiquette"] = "na"
    return answers


def create_demo_quality(engine: Engine) -> int:
    """Evaluations of the demo team's recent contacts by `qa`, one disputed by `agent`, a coaching
    task and a three-evaluator calibration session. Does nothing when evaluations exist; returns
    how many evaluations it stored."""
    with Session(engine) as db:
        if db.scalar(select(func.count()).select_from(QaEvaluation)):
            return 0
        users = {u.username: u for u in db.scalars(select(User))}
        qa_user, agent_user, lead_user = users.get("qa"), users.get("agent"), users.get("lead")
        if qa_user is None or agent_user is None or agent_user.agent_id is None:
            return 0
        team_id = db.scalar(select(Agent.team_id).where(Agent.id == agent_user.agent_id))
        members = select(Agent.id).where(Agent.team_id == team_id)
        latest = db.scalar(select(func.max(Contact.offered_at)))
        if latest is None:
            return 0
        handled = db.scalars(
            select(Contact)
            .where(
                Contact.agent_id.in_(members),
                Contact.ended_at.is_not(None),
                Contact.offered_at >= latest - timedelta(days=7),
            )
            .order_by(Contact.offered_at.desc(), Contact.id)
            .limit(200)
        ).all()
        own = [c for c in handled if c.agent_id == agent_user.agent_id][:4]
        others = [c for c in handled if c.agent_id != agent_user.agent_id]
        chosen = own + others[::7][: DEMO_EVALUATIONS - len(own)]
        if not chosen:
            return 0
        version = quality_repo.publish_form(db, DEFAULT_FORM)
        qa = quality_repo.evaluator_for_user(db, qa_user.id, qa_user.username, "QA")
        stored = []
        for n, contact in enumerate(chosen):
            evaluation = quality_repo.save_evaluation(
                db,
                contact=contact.id,
                evaluator_id=qa.id,
                form_version_id=version.id,
                answers=_demo_answers(n),
                comment="Demo evaluation",
                at=(contact.offered_at or latest) + timedelta(hours=2),
            )
            quality_repo.training_needs_from_evaluation(db, evaluation.id, user_id=qa_user.id)
            stored.append(evaluation)
        disputed = next(
            (e for e in stored if e.accuracy_defect and e.agent_id == agent_user.agent_id), None
        )
        if disputed is not None:
            quality_repo.open_dispute(
                db,
                disputed.id,
                "The customer's record was updated after the call.",
                user_id=agent_user.id,
                actor=agent_user.username,
            )
        first = stored[0]
        if first.agent_id is not None:
            quality_repo.add_coaching_task(
                db,
                agent_id=first.agent_id,
                evaluation_id=first.id,
                topic="Updating the customer record before wrap-up",
                due_at=latest + timedelta(days=3),
                created_by_user_id=lead_user.id if lead_user else None,
                coach_user_id=lead_user.id if lead_user else None,
            )
        session = quality_repo.start_calibration(db, "Demo calibration", version.id)
        panel = [
            qa,
            quality_repo.ensure_evaluator(db, "vendor-1", name="Vendor", kind="third_party"),
            quality_repo.ensure_evaluator(db, "senior-qa", name="Senior QA"),
        ]
        for n, contact in enumerate(others[1:4]):
            for k, evaluator in enumerate(panel):
                answers = _demo_answers(n)
                answers["att_courtesy"] = max(1, 5 - (n + k) % 3)
                answers["att_ownership"] = 5 - k
                quality_repo.save_evaluation(
                    db,
                    contact=contact.id,
                    evaluator_id=evaluator.id,
                    form_version_id=version.id,
                    answers=answers,
                    calibration_session_id=session.id,
                )
        db.commit()
        return len(stored)
