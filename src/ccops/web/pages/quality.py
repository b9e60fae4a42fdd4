"""Quality pages: the QA analyst's queue and evaluation form; the agent's results, acknowledgement
and disputes; the team lead's dispute decisions, coaching tasks and onion review; the manager's
balanced scorecard and calibration.

Every read goes through the viewer's `Scope` (an agent asking for another agent's evaluation gets
404, like an id that does not exist); every change goes through `ccops.store.quality_repo`, where
the rules live, and lands in the audit log. Figures — accuracy, the onion's layers, the scorecard —
come from the metric catalog, so they equal every report's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from ibis.backends import BaseBackend
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api.deps import CsrfChecked, CurrentUser, ScopeDep, SessionDep
from ccops.metrics import CATALOG, MetricUnavailableError, run_report
from ccops.metrics.catalog import REQUIREMENTS
from ccops.quality import onion
from ccops.quality.forms import DEFAULT_FORM, ItemKind
from ccops.quality.forms import Form as QaFormDefinition
from ccops.quality.scorecard import scorecard
from ccops.quality.scoring import ScoringError, score
from ccops.store import quality_repo as repo
from ccops.store.auth_models import User
from ccops.store.models import Agent, Contact, Customer, Queue, Team
from ccops.store.quality_models import (
    QaCalibrationSession,
    QaCoachingTask,
    QaDispute,
    QaEvaluation,
    QaEvaluator,
    QaFormVersion,
    QaSample,
    TrainingNeed,
)
from ccops.web.audit import record
from ccops.web.clock import center_zone, day_bounds_utc, local_day, utcnow
from ccops.web.i18n import N_
from ccops.web.pages.account import client_ip
from ccops.web.scope import Scope
from ccops.web.templating import render

router = APIRouter(prefix="/quality", include_in_schema=False)

PERIOD_DAYS = 30
# The onion's performance measure: catalog metrics an agent can be ranked by.
PERFORMANCE_METRICS = ("productivity", "accuracy", "aht_seconds", "fcr_rate", "transfer_rate")
DECISIONS = ("upheld", "amended", "voided")
# The default form's texts, marked so the Chinese catalog translates them (custom forms show
# their own texts as written).
FORM_TEXTS = {
    N_("Accuracy"),
    N_("Process compliance"),
    N_("Attitude"),
    N_("Communication skill"),
    N_("Answer correct and complete"),
    N_("The account/record was updated correctly"),
    N_("No wrong information about fees, rights or law"),
    N_("Identity verified before account details"),
    N_("Followed the documented procedure"),
    N_("Reason and disposition recorded correctly"),
    N_("Courteous and respectful"),
    N_("Took ownership of the customer's problem"),
    N_("Clear, plain language"),
    N_("Asked before hold and thanked after"),
}
assert {s.title for s in DEFAULT_FORM.sections} | {i.text for i in DEFAULT_FORM.items()} == (
    FORM_TEXTS
)
STATUS_NAMES = {
    "submitted": N_("submitted"),
    "acknowledged": N_("acknowledged"),
    "disputed": N_("disputed"),
    "final": N_("final"),
    "void": N_("void"),
    "open": N_("open"),
    "done": N_("done"),
    "upheld": N_("upheld"),
    "amended": N_("amended (overturned)"),
    "voided": N_("voided"),
    "opened": N_("opened"),
    "commented": N_("commented"),
    "decided": N_("decided"),
    "assigned": N_("assigned"),
    "evaluated": N_("evaluated"),
}
LAYER_NAMES = {
    onion.ADHERENCE: N_("Schedule adherence"),
    onion.OCCUPANCY: N_("Occupancy"),
    onion.UTILIZATION: N_("Utilization and productivity"),
    onion.BOTTOM: N_("Bottom performers"),
}
METRIC_NAMES = {
    "productivity": N_("Productivity"),
    "accuracy": N_("Accuracy rate"),
    "aht_seconds": N_("AHT"),
    "fcr_rate": N_("First-contact resolution"),
    "transfer_rate": N_("Transfer rate"),
    "service_level": N_("Service level"),
    "utilization": N_("Utilization"),
    "cost_per_contact": N_("Cost per contact"),
    "occupancy": N_("Occupancy"),
}
PERSPECTIVES = {"service": N_("Service"), "quality": N_("Quality"), "cost": N_("Cost")}


async def _form_fields(request: Request) -> dict[str, str]:
    """Every text field of the posted form (the evaluation form's fields are per item)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def _engine(db: Session) -> Engine:
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    return engine


def _period(db: Session, days: int = PERIOD_DAYS) -> tuple[date, datetime, datetime]:
    """The last `days` whole centre-local days up to and including today: (first, start, end)."""
    today = local_day(db, utcnow())
    first = today - timedelta(days=days - 1)
    start, end = day_bounds_utc(db, first, days)
    return first, start, end


def _audit(
    db: Session, request: Request, user: User, action: str, target: str, **detail: Any
) -> None:
    record(db, action, actor=user, target=target, detail=detail, ip=client_ip(request))


def _conflict(exc: Exception) -> HTTPException:
    return HTTPException(409, str(exc))


# --- the onion review, fed by the catalog -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnionResult:
    """An onion review with the catalog figures it was made from."""

    review: onion.Review
    figures: list[onion.AgentFigures]
    performance: str
    higher_is_better: bool
    days: int


def onion_review(
    source: Engine | BaseBackend | str,
    start: datetime,
    end: datetime,
    *,
    time_zone: str = "UTC",
    agents: list[int] | None = None,
    performance: str = "productivity",
    targets: onion.Targets | None = None,
    as_of: datetime | None = None,
) -> OnionResult:
    """The onion review of the agents in scope over [start, end), every figure from the catalog.

    Layers whose catalog metric is not computable yet (adherence needs schedules) are reported
    unavailable with what they need; the performance measure's direction is the catalog's.
    """
    if performance not in CATALOG:
        raise HTTPException(400, f"unknown measure {performance!r}")
    layer_metrics = {onion.ADHERENCE: "adherence", onion.OCCUPANCY: "occupancy"}
    unavailable: dict[str, str] = {}
    metrics = ["utilization", performance]
    for layer, metric_id in layer_metrics.items():
        requires = CATALOG[metric_id].requires
        if requires is not None:
            unavailable[layer] = REQUIREMENTS[requires]
        else:
            metrics.append(metric_id)
    wanted = list(dict.fromkeys(metrics))
    rows = run_report(
        source, wanted, "agent,team", start, end, time_zone, as_of=as_of, agents=agents
    ).rows
    if "adherence" in wanted and all(r.get("adherence") is None for r in rows):
        unavailable[onion.ADHERENCE] = REQUIREMENTS["schedules"]  # nobody has a schedule yet
    handled = run_report(
        source, "handled", "agent,channel", start, end, time_zone, as_of=as_of, agents=agents
    ).rows
    days = max(1, round((end - start).total_seconds() / 86_400))
    figures = onion.figures_from_report(
        rows, performance=performance, handled_by_channel=handled, days=days
    )
    higher = CATALOG[performance].better != "lower"
    chosen = replace(targets or onion.Targets(), higher_is_better=higher)
    return OnionResult(
        onion.review(figures, chosen, unavailable), figures, performance, higher, days
    )


# --- landing and the QA analyst's queue ---------------------------------------------------------


@router.get("")
def quality_index(user: CurrentUser, scope: ScopeDep) -> Response:
    """Where quality starts for each role."""
    scope.require("quality")
    if scope.can("qa_evaluate"):
        target = "/quality/queue"
    elif scope.can("coaching"):
        target = "/quality/team"
    elif scope.can("qa_scorecard"):
        target = "/quality/scorecard"
    elif user.agent_id is not None:
        target = "/quality/mine"
    else:
        raise HTTPException(403, "not allowed for your role")
    return RedirectResponse(target, 303)


def _evaluated_contacts() -> Any:
    return select(QaEvaluation.contact_id).where(QaEvaluation.calibration_session_id.is_(None))


@router.get("/queue")
def queue_page(request: Request, user: CurrentUser, scope: ScopeDep, db: SessionDep) -> Response:
    """The evaluator's assigned samples, contacts not yet evaluated, and their own evaluations."""
    scope.require("qa_evaluate")
    evaluator = db.scalar(select(QaEvaluator).where(QaEvaluator.user_id == user.id))
    samples: Sequence[Any] = []
    mine: Sequence[Any] = []
    if evaluator is not None:
        samples = db.execute(
            select(QaSample, Contact, Agent.name)
            .join(Contact, Contact.id == QaSample.contact_id)
            .join(Agent, Agent.id == QaSample.agent_id)
            .where(QaSample.evaluator_id == evaluator.id, QaSample.status == "assigned")
            .where(scope.contacts())
            .order_by(QaSample.sampled_at, QaSample.id)
        ).all()
        mine = db.execute(
            select(QaEvaluation, Contact.key, Agent.name)
            .join(Contact, Contact.id == QaEvaluation.contact_id)
            .outerjoin(Agent, Agent.id == QaEvaluation.agent_id)
            .where(QaEvaluation.evaluator_id == evaluator.id, scope.evaluations())
            .order_by(QaEvaluation.evaluated_at.desc(), QaEvaluation.id.desc())
            .limit(20)
        ).all()
    recent = db.execute(
        select(Contact, Agent.name, Queue.name)
        .join(Agent, Agent.id == Contact.agent_id)
        .outerjoin(Queue, Queue.id == Contact.queue_id)
        .where(Contact.ended_at.is_not(None), scope.contacts())
        .where(Contact.id.not_in(_evaluated_contacts()))
        .order_by(Contact.offered_at.desc(), Contact.id.desc())
        .limit(15)
    ).all()
    return render(
        request,
        "quality/queue.html",
        section="queue",
        samples=samples,
        recent=recent,
        mine=mine,
        STATUS_NAMES=STATUS_NAMES,
    )


# --- the evaluation form -----------------------------------------------------------------------


def _current_form(db: Session) -> QaFormVersion:
    """The newest version of the default form (published on first use)."""
    version = repo.latest_form_version(db, DEFAULT_FORM.key)
    if version is None:
        version = repo.publish_form(db, DEFAULT_FORM)
        db.commit()
    return version


def _contact_to_evaluate(db: Session, scope: Scope, contact_id: int) -> tuple[Contact, Agent]:
    found = db.execute(
        select(Contact, Agent)
        .join(Agent, Agent.id == Contact.agent_id)
        .where(Contact.id == contact_id, scope.contacts())
    ).first()
    if found is None:
        raise HTTPException(404, "no such contact")
    return found[0], found[1]


def _answers_from(form: QaFormDefinition, fields: dict[str, str]) -> dict[str, Any]:
    """The posted answers, item by item (unanswered items are left out, so scoring names them)."""
    out: dict[str, Any] = {}
    for item in form.items():
        value = fields.get(f"item_{item.key}", "").strip()
        if value:
            out[item.key] = value
    return out


def _form_view(
    form: QaFormDefinition, answers: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Sections and items as the template shows them, with answers and failures when scored."""
    result = None
    if answers is not None:
        try:
            result = score(form, answers)
        except ScoringError:
            result = None
    failed = set(result.failed_items) if result else set()
    return [
        {
            "key": s.key,
            "title": s.title,
            "weight": s.weight,
            "score": result.sections.get(s.key) if result else None,
            "items": [
                {
                    "key": i.key,
                    "text": i.text,
                    "kind": i.kind.value,
                    "critical": i.critical,
                    "allow_na": i.allow_na,
                    "choices": (
                        ["yes", "no"]
                        if i.kind is ItemKind.YES_NO
                        else [str(v) for v in range(i.scale_min, i.scale_max + 1)]
                    ),
                    "answer": None if answers is None else _shown(answers.get(i.key)),
                    "failed": i.key in failed,
                }
                for i in s.items
            ],
        }
        for s in form.sections
    ]


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower()


def _open_calibrations(db: Session, version_id: int) -> list[QaCalibrationSession]:
    stmt = select(QaCalibrationSession).where(
        QaCalibrationSession.closed_at.is_(None),
        QaCalibrationSession.form_version_id == version_id,
    )
    return list(db.scalars(stmt.order_by(QaCalibrationSession.id.desc())))


@router.get("/contacts/{contact_id}/evaluate")
def evaluate_page(request: Request, contact_id: int, scope: ScopeDep, db: SessionDep) -> Response:
    """The evaluation form for one handled contact."""
    scope.require("qa_evaluate")
    contact, agent = _contact_to_evaluate(db, scope, contact_id)
    version = _current_form(db)
    form = repo.form_of(version)
    return render(
        request,
        "quality/evaluate.html",
        section="queue",
        contact=contact,
        agent=agent,
        customer=scope.customer(_customer_key(db, contact)),
        form=form,
        sections=_form_view(form),
        calibrations=_open_calibrations(db, version.id),
        fields={},
        error=None,
    )


def _customer_key(db: Session, contact: Contact) -> str | None:
    if contact.customer_id is None:
        return None
    return db.scalar(select(Customer.key).where(Customer.id == contact.customer_id))


@router.post("/contacts/{contact_id}/evaluate")
def save_evaluation(
    request: Request,
    contact_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    fields: FormFields,
) -> Response:
    """Score the contact on the form and store the evaluation (training needs for failed items)."""
    scope.require("qa_evaluate")
    contact, agent = _contact_to_evaluate(db, scope, contact_id)
    version = _current_form(db)
    form = repo.form_of(version)
    answers = _answers_from(form, fields)
    comments = {
        i.key: fields[f"comment_{i.key}"].strip()
        for i in form.items()
        if fields.get(f"comment_{i.key}", "").strip()
    }
    calibration = None
    if fields.get("calibration_session_id", "").strip():
        wanted = int(fields["calibration_session_id"])
        calibration = next((c for c in _open_calibrations(db, version.id) if c.id == wanted), None)
        if calibration is None:
            raise HTTPException(404, "no such calibration session")
    evaluator = repo.evaluator_for_user(db, user.id, user.username, user.display_name)
    try:
        evaluation = repo.save_evaluation(
            db,
            contact=contact.id,
            evaluator_id=evaluator.id,
            form_version_id=version.id,
            answers=answers,
            comment=fields.get("comment", "").strip() or None,
            item_comments=comments,
            calibration_session_id=calibration.id if calibration else None,
        )
    except ScoringError as exc:
        db.rollback()
        return render(
            request,
            "quality/evaluate.html",
            status_code=400,
            section="queue",
            contact=contact,
            agent=agent,
            customer=scope.customer(_customer_key(db, contact)),
            form=form,
            sections=_form_view(form),
            calibrations=_open_calibrations(db, version.id),
            fields=fields,
            error=str(exc),
        )
    needs = []
    if calibration is None and fields.get("training_needs") == "on":
        needs = repo.training_needs_from_evaluation(db, evaluation.id, user_id=user.id)
    _audit(
        db,
        request,
        user,
        "qa.evaluation.create",
        f"evaluation:{evaluation.id}",
        contact=contact.key,
        agent=agent.key,
        score=evaluation.score,
        accuracy_defect=evaluation.accuracy_defect,
        calibration_session=calibration.id if calibration else None,
        training_needs=len(needs),
    )
    db.commit()
    return RedirectResponse(f"/quality/evaluations/{evaluation.id}", 303)


# --- one evaluation: the agent acknowledges or disputes, the team lead decides ----------------


def _scoped_evaluation(db: Session, scope: Scope, evaluation_id: int) -> QaEvaluation:
    """The evaluation if it is about an agent within the viewer's scope; 404 otherwise."""
    scope.require("quality")
    found = db.scalar(
        select(QaEvaluation).where(QaEvaluation.id == evaluation_id, scope.evaluations())
    )
    if found is None:
        raise HTTPException(404, "no such evaluation")
    return found


def _open_dispute(db: Session, evaluation_id: int) -> QaDispute | None:
    return db.scalar(
        select(QaDispute).where(
            QaDispute.evaluation_id == evaluation_id, QaDispute.status == "open"
        )
    )


@router.get("/evaluations/{evaluation_id}")
def evaluation_page(
    request: Request, evaluation_id: int, user: CurrentUser, scope: ScopeDep, db: SessionDep
) -> Response:
    """An evaluation: answers, score, accuracy flag, dispute trail, what the viewer may do."""
    evaluation = _scoped_evaluation(db, scope, evaluation_id)
    contact = db.get(Contact, evaluation.contact_id)
    agent = db.get(Agent, evaluation.agent_id) if evaluation.agent_id else None
    evaluator = db.get(QaEvaluator, evaluation.evaluator_id)
    version = db.get(QaFormVersion, evaluation.form_version_id)
    assert contact is not None and version is not None
    form = repo.form_of(version)
    disputes = list(
        db.scalars(
            select(QaDispute)
            .where(QaDispute.evaluation_id == evaluation.id)
            .order_by(QaDispute.opened_at)
        )
    )
    trails = {d.id: repo.dispute_trail(db, d.id) for d in disputes}
    open_dispute = next((d for d in disputes if d.status == "open"), None)
    own = user.agent_id is not None and user.agent_id == evaluation.agent_id
    in_calibration = evaluation.calibration_session_id is not None
    return render(
        request,
        "quality/evaluation.html",
        section="mine" if own else "queue",
        evaluation=evaluation,
        contact=contact,
        agent=agent,
        evaluator=evaluator,
        form=form,
        sections=_form_view(form, dict(evaluation.answers)),
        disputes=disputes,
        trails=trails,
        open_dispute=open_dispute,
        can_acknowledge=own and evaluation.status == "submitted",
        can_dispute=own
        and not in_calibration
        and evaluation.status in ("submitted", "acknowledged"),
        can_decide=open_dispute is not None and scope.can("qa_decide") and not own,
        decisions=DECISIONS,
        STATUS_NAMES=STATUS_NAMES,
    )


def _own_evaluation(db: Session, scope: Scope, user: User, evaluation_id: int) -> QaEvaluation:
    evaluation = _scoped_evaluation(db, scope, evaluation_id)
    if user.agent_id is None or user.agent_id != evaluation.agent_id:
        raise HTTPException(403, "only the evaluated agent may do this")
    return evaluation


@router.post("/evaluations/{evaluation_id}/acknowledge")
def acknowledge(
    request: Request,
    evaluation_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
) -> Response:
    """The evaluated agent accepts the evaluation."""
    evaluation = _own_evaluation(db, scope, user, evaluation_id)
    try:
        repo.acknowledge(db, evaluation.id)
    except repo.QualityError as exc:
        raise _conflict(exc) from None
    _audit(db, request, user, "qa.evaluation.acknowledge", f"evaluation:{evaluation.id}")
    db.commit()
    return RedirectResponse(f"/quality/evaluations/{evaluation.id}", 303)


@router.post("/evaluations/{evaluation_id}/dispute")
def dispute(
    request: Request,
    evaluation_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """The evaluated agent disputes the evaluation, giving a reason."""
    evaluation = _own_evaluation(db, scope, user, evaluation_id)
    try:
        opened = repo.open_dispute(
            db, evaluation.id, reason.strip(), user_id=user.id, actor=user.username
        )
    except repo.QualityError as exc:
        raise _conflict(exc) from None
    _audit(
        db,
        request,
        user,
        "qa.dispute.open",
        f"evaluation:{evaluation.id}",
        dispute=opened.id,
        reason=reason.strip(),
    )
    db.commit()
    return RedirectResponse(f"/quality/evaluations/{evaluation.id}", 303)


@router.post("/disputes/{dispute_id}/decide")
def decide(
    request: Request,
    dispute_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    fields: FormFields,
) -> Response:
    """Decide an open dispute: uphold, amend (overturn: rescored on corrected answers) or void."""
    scope.require("qa_decide")
    found = db.scalar(select(QaDispute).where(QaDispute.id == dispute_id))
    if found is None:
        raise HTTPException(404, "no such dispute")
    evaluation = _scoped_evaluation(db, scope, found.evaluation_id)
    if user.agent_id is not None and user.agent_id == evaluation.agent_id:
        raise HTTPException(403, "an agent cannot decide their own dispute")
    decision = fields.get("decision", "")
    note = fields.get("note", "").strip()
    if decision not in DECISIONS:
        raise HTTPException(400, "choose upheld, amended or voided")
    if not note:
        raise HTTPException(400, "a decision needs a note")
    answers = None
    if decision == "amended":
        version = db.get(QaFormVersion, evaluation.form_version_id)
        assert version is not None
        answers = _answers_from(repo.form_of(version), fields)
    before = {"score": evaluation.score, "accuracy_defect": evaluation.accuracy_defect}
    try:
        repo.decide_dispute(
            db, found.id, decision, note=note, user_id=user.id, actor=user.username, answers=answers
        )
    except (repo.QualityError, ScoringError) as exc:
        raise _conflict(exc) from None
    _audit(
        db,
        request,
        user,
        "qa.dispute.decide",
        f"evaluation:{evaluation.id}",
        dispute=found.id,
        decision=decision,
        note=note,
        before=before,
        after={"score": evaluation.score, "accuracy_defect": evaluation.accuracy_defect},
    )
    db.commit()
    return RedirectResponse(f"/quality/evaluations/{evaluation.id}", 303)


# --- the agent's own results -------------------------------------------------------------------


def agent_accuracy(db: Session, agent_id: int) -> dict[str, Any]:
    """An agent's accuracy from the catalog: over all their evaluations and by month."""
    engine = _engine(db)
    zone = center_zone(db).key
    whole = run_report(engine, "accuracy", None, time_zone=zone, agents=[agent_id])
    sums = whole.measures.get((), {})
    months = run_report(engine, "accuracy", "month", time_zone=zone, agents=[agent_id])
    return {
        "accuracy": whole.rows[0]["accuracy"] if whole.rows else None,
        "evaluated": int(sums.get("qa_evaluated") or 0),
        "accurate": int(sums.get("qa_accurate") or 0),
        "months": [r for r in months.rows if r["accuracy"] is not None],
    }


@router.get("/mine")
def my_results(request: Request, user: CurrentUser, scope: ScopeDep, db: SessionDep) -> Response:
    """The signed-in agent's evaluations, accuracy figure, coaching and training needs."""
    scope.require("quality")
    if user.agent_id is None:
        return RedirectResponse("/quality", 303)
    agent = scope.agent(db, user.agent_id)
    evaluations = db.execute(
        select(QaEvaluation, Contact.key)
        .join(Contact, Contact.id == QaEvaluation.contact_id)
        .where(
            QaEvaluation.agent_id == agent.id,
            QaEvaluation.calibration_session_id.is_(None),
            scope.evaluations(),
        )
        .order_by(QaEvaluation.evaluated_at.desc(), QaEvaluation.id.desc())
    ).all()
    coaching = db.scalars(
        select(QaCoachingTask)
        .where(QaCoachingTask.agent_id == agent.id)
        .order_by(QaCoachingTask.status.desc(), QaCoachingTask.due_at)
    ).all()
    needs = db.scalars(
        select(TrainingNeed)
        .where(TrainingNeed.agent_id == agent.id, TrainingNeed.status == "open")
        .order_by(TrainingNeed.created_at.desc())
    ).all()
    return render(
        request,
        "quality/mine.html",
        section="mine",
        agent=agent,
        figure=agent_accuracy(db, agent.id),
        evaluations=evaluations,
        coaching=coaching,
        needs=needs,
        STATUS_NAMES=STATUS_NAMES,
    )


# --- the team lead: disputes, coaching, the onion review ---------------------------------------


@router.get("/team")
def team_page(
    request: Request,
    scope: ScopeDep,
    db: SessionDep,
    measure: str = "productivity",
    days: int = PERIOD_DAYS,
) -> Response:
    """Open disputes, coaching tasks and the onion review of the agents the viewer leads."""
    scope.require("coaching")
    if measure not in PERFORMANCE_METRICS:
        raise HTTPException(400, f"measure must be one of {', '.join(PERFORMANCE_METRICS)}")
    days = min(max(days, 1), 366)
    disputes = db.execute(
        select(QaDispute, QaEvaluation, Agent.name)
        .join(QaEvaluation, QaEvaluation.id == QaDispute.evaluation_id)
        .join(Agent, Agent.id == QaEvaluation.agent_id)
        .where(QaDispute.status == "open", scope.evaluations())
        .order_by(QaDispute.opened_at)
    ).all()
    agents = db.scalars(select(Agent).where(scope.agents()).order_by(Agent.name)).all()
    names = {a.key: a.name for a in agents}
    coaching = db.execute(
        select(QaCoachingTask, Agent.name)
        .join(Agent, Agent.id == QaCoachingTask.agent_id)
        .where(scope.agent_column(QaCoachingTask.agent_id))
        .order_by(QaCoachingTask.status.desc(), QaCoachingTask.due_at)
        .limit(100)
    ).all()
    first, start, end = _period(db, days)
    result = onion_review(
        _engine(db),
        start,
        end,
        time_zone=center_zone(db).key,
        agents=scope.agent_id_list(db),
        performance=measure,
    )
    team_names = {t.key: t.name for t in db.scalars(select(Team).where(scope.teams()))}
    return render(
        request,
        "quality/team.html",
        section="team",
        disputes=disputes,
        coaching=coaching,
        agents=agents,
        names=names,
        team_names=team_names,
        onion=result,
        figures={f.agent: f for f in result.figures},
        first=first,
        last=first + timedelta(days=days - 1),
        days=days,
        measure=measure,
        measures=PERFORMANCE_METRICS,
        now=utcnow(),
        LAYER_NAMES=LAYER_NAMES,
        METRIC_NAMES=METRIC_NAMES,
        STATUS_NAMES=STATUS_NAMES,
    )


@router.post("/coaching")
def add_coaching(
    request: Request,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    agent_id: Annotated[int, Form()],
    topic: Annotated[str, Form(min_length=1, max_length=200)],
    due: Annotated[date, Form()],
    notes: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """A coaching task for an agent the viewer leads, due on a day."""
    scope.require("coaching")
    agent = scope.agent(db, agent_id)
    task = repo.add_coaching_task(
        db,
        agent_id=agent.id,
        topic=topic.strip(),
        due_at=day_bounds_utc(db, due)[1],
        notes=notes.strip() or None,
        created_by_user_id=user.id,
        coach_user_id=user.id,
    )
    _audit(
        db,
        request,
        user,
        "qa.coaching.create",
        f"coaching:{task.id}",
        agent=agent.key,
        topic=task.topic,
        due=due.isoformat(),
    )
    db.commit()
    return RedirectResponse("/quality/team", 303)


@router.post("/coaching/{task_id}/complete")
def complete_coaching(
    request: Request,
    task_id: int,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    follow_up: Annotated[date | None, Form()] = None,
    follow_up_note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Mark a coaching task done, with when and how to follow it up."""
    scope.require("coaching")
    task = db.scalar(
        select(QaCoachingTask).where(
            QaCoachingTask.id == task_id, scope.agent_column(QaCoachingTask.agent_id)
        )
    )
    if task is None:
        raise HTTPException(404, "no such coaching task")
    try:
        repo.complete_coaching_task(
            db,
            task.id,
            follow_up_at=day_bounds_utc(db, follow_up)[0] if follow_up else None,
            follow_up_note=follow_up_note.strip() or None,
        )
    except repo.QualityError as exc:
        raise _conflict(exc) from None
    _audit(
        db,
        request,
        user,
        "qa.coaching.complete",
        f"coaching:{task.id}",
        follow_up=follow_up.isoformat() if follow_up else None,
        note=follow_up_note.strip() or None,
    )
    db.commit()
    return RedirectResponse("/quality/team", 303)


# --- the manager: balanced scorecard and calibration -------------------------------------------


def scorecard_figures(db: Session, start: datetime, end: datetime) -> dict[str, float | None]:
    """The scorecard's catalog figures for the centre over [start, end); None: not computable."""
    engine = _engine(db)
    zone = center_zone(db).key
    out: dict[str, float | None] = {}
    for metric in ("service_level", "accuracy", "fcr_rate", "cost_per_contact", "utilization"):
        try:
            rows = run_report(engine, metric, None, start, end, zone).rows
        except MetricUnavailableError:
            out[metric] = None  # e.g. no cost rates configured: shown as "no figure"
            continue
        out[metric] = rows[0][metric] if rows else None
    return out


@router.get("/scorecard")
def scorecard_page(
    request: Request,
    scope: ScopeDep,
    db: SessionDep,
    days: int = PERIOD_DAYS,
    session: int | None = None,
) -> Response:
    """The centre's balanced scorecard and the calibration sessions' agreement and bias."""
    scope.require("qa_scorecard")
    days = min(max(days, 1), 366)
    first, start, end = _period(db, days)
    lines = scorecard(scorecard_figures(db, start, end))
    sessions = list(
        db.scalars(select(QaCalibrationSession).order_by(QaCalibrationSession.id.desc()))
    )
    chosen = next((s for s in sessions if s.id == session), sessions[0] if sessions else None)
    report = repo.calibration_report(db, chosen.id) if chosen is not None else None
    form = None
    if chosen is not None:
        version = db.get(QaFormVersion, chosen.form_version_id)
        form = repo.form_of(version) if version is not None else None
    return render(
        request,
        "quality/scorecard.html",
        section="scorecard",
        lines=lines,
        first=first,
        last=first + timedelta(days=days - 1),
        days=days,
        sessions=sessions,
        chosen=chosen,
        report=report,
        form=form,
        evaluator_names=dict(db.execute(select(QaEvaluator.key, QaEvaluator.name)).tuples().all()),
        METRIC_NAMES=METRIC_NAMES,
        PERSPECTIVES=PERSPECTIVES,
    )


@router.post("/calibration")
def start_calibration(
    request: Request,
    user: CurrentUser,
    scope: ScopeDep,
    db: SessionDep,
    _csrf: CsrfChecked,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    """Open a calibration session on the current form; evaluators then score the same contacts."""
    scope.require("qa_scorecard")
    version = _current_form(db)
    row = repo.start_calibration(db, name.strip(), version.id)
    _audit(db, request, user, "qa.calibration.create", f"calibration:{row.id}", name=row.name)
    db.commit()
    return RedirectResponse(f"/quality/scorecard?session={row.id}", 303)
