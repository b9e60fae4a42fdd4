"""Quality management against the store: forms, evaluations, disputes, coaching, sampling.

Every function takes a `Session` and leaves committing to the caller, so a page or a command
can do several steps in one transaction. The rules themselves live in `ccops.quality`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ccops.quality import sampling
from ccops.quality.calibration import Rating, calibrate
from ccops.quality.calibration import Report as CalibrationReport
from ccops.quality.forms import Form, from_dict
from ccops.quality.onion import Tracked
from ccops.quality.scoring import Answer, Result, score
from ccops.store.models import Agent, Contact, Customer, Queue
from ccops.store.quality_models import (
    COUNTED_STATUSES,
    DISPUTE_DECISIONS,
    EVALUATOR_KINDS,
    TRAINING_SOURCES,
    QaCalibrationSession,
    QaCoachingTask,
    QaDispute,
    QaDisputeEntry,
    QaEvaluation,
    QaEvaluator,
    QaForm,
    QaFormVersion,
    QaSample,
    TrainingNeed,
    WatchlistEntry,
)

REPEAT_WINDOW = timedelta(days=7)


class QualityError(ValueError):
    """A quality action that the current state does not allow (e.g. deciding a closed dispute)."""


def utcnow() -> datetime:
    """Now, as the store keeps time: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


# --- forms ------------------------------------------------------------------------------------


def publish_form(session: Session, form: Form) -> QaFormVersion:
    """Store `form` as its key's next version, unless the latest version already says the same."""
    row = session.scalar(select(QaForm).where(QaForm.key == form.key))
    if row is None:
        row = QaForm(key=form.key, name=form.name, created_at=utcnow())
        session.add(row)
        session.flush()
    latest = latest_form_version(session, form.key)
    if latest is not None and _same(latest.definition, form.to_dict()):
        return latest
    version = 1 if latest is None else latest.version + 1
    definition = {**form.to_dict(), "version": version}
    row.name = form.name
    out = QaFormVersion(form_id=row.id, version=version, definition=definition, created_at=utcnow())
    session.add(out)
    session.flush()
    return out


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "version"} == {
        k: v for k, v in b.items() if k != "version"
    }


def latest_form_version(session: Session, key: str) -> QaFormVersion | None:
    """The newest version of the form `key`."""
    return session.scalar(
        select(QaFormVersion)
        .join(QaForm, QaForm.id == QaFormVersion.form_id)
        .where(QaForm.key == key)
        .order_by(QaFormVersion.version.desc())
        .limit(1)
    )


def form_of(version: QaFormVersion) -> Form:
    """The domain form a stored version defines."""
    return from_dict(version.definition)


# --- people ------------------------------------------------------------------------------------


def ensure_evaluator(
    session: Session,
    key: str,
    *,
    name: str | None = None,
    kind: str = "internal",
    user_id: int | None = None,
    agent_id: int | None = None,
    capacity: float = 1.0,
) -> QaEvaluator:
    """The evaluator `key`, created on first use (internal, or a third-party account)."""
    if kind not in EVALUATOR_KINDS:
        raise QualityError(f"evaluator kind must be one of {EVALUATOR_KINDS}, got {kind!r}")
    row = session.scalar(select(QaEvaluator).where(QaEvaluator.key == key))
    if row is None:
        row = QaEvaluator(
            key=key,
            name=name or key,
            kind=kind,
            user_id=user_id,
            agent_id=agent_id,
            capacity=capacity,
            active=True,
        )
        session.add(row)
        session.flush()
    return row


def evaluator_for_user(session: Session, user_id: int, username: str, name: str) -> QaEvaluator:
    """The evaluator account of a signed-in user (created on their first evaluation)."""
    row = session.scalar(select(QaEvaluator).where(QaEvaluator.user_id == user_id))
    if row is not None:
        return row
    return ensure_evaluator(session, f"user:{username}", name=name, user_id=user_id)


def _contact(session: Session, contact: int | str) -> Contact:
    stmt = select(Contact).where(
        Contact.id == contact if isinstance(contact, int) else Contact.key == contact
    )
    row = session.scalar(stmt)
    if row is None:
        raise QualityError(f"no contact {contact!r}")
    return row


# --- evaluations -------------------------------------------------------------------------------


def _apply(evaluation: QaEvaluation, result: Result) -> None:
    evaluation.score = result.score
    evaluation.raw_score = result.raw_score
    evaluation.critical_failed = bool(result.critical_failed)
    evaluation.accuracy_defect = result.accuracy_defect


def save_evaluation(
    session: Session,
    *,
    contact: int | str,
    evaluator_id: int,
    form_version_id: int,
    answers: Mapping[str, Answer],
    comment: str | None = None,
    item_comments: Mapping[str, str] | None = None,
    calibration_session_id: int | None = None,
    at: datetime | None = None,
) -> QaEvaluation:
    """Score `answers` on the form version and store the evaluation (marks its sample done)."""
    row = _contact(session, contact)
    version = session.get(QaFormVersion, form_version_id)
    if version is None:
        raise QualityError(f"no form version {form_version_id}")
    result = score(form_of(version), answers)
    when = at or utcnow()
    sample = session.scalar(select(QaSample).where(QaSample.contact_id == row.id))
    evaluation = QaEvaluation(
        contact_id=row.id,
        agent_id=row.agent_id,
        sample_id=sample.id if sample is not None and calibration_session_id is None else None,
        form_version_id=version.id,
        evaluator_id=evaluator_id,
        calibration_session_id=calibration_session_id,
        answers=dict(answers),
        item_comments=dict(item_comments or {}),
        comment=comment,
        status="submitted",
        evaluated_at=when,
        updated_at=when,
    )
    _apply(evaluation, result)
    session.add(evaluation)
    if sample is not None and calibration_session_id is None:
        sample.status = "evaluated"
    session.flush()
    return evaluation


def acknowledge(session: Session, evaluation_id: int, at: datetime | None = None) -> QaEvaluation:
    """The agent has seen the evaluation and accepts it."""
    evaluation = _evaluation(session, evaluation_id)
    if evaluation.status != "submitted":
        raise QualityError(f"evaluation {evaluation_id} is {evaluation.status}, not submitted")
    evaluation.status = "acknowledged"
    evaluation.acknowledged_at = evaluation.updated_at = at or utcnow()
    session.flush()
    return evaluation


def _evaluation(session: Session, evaluation_id: int) -> QaEvaluation:
    evaluation = session.get(QaEvaluation, evaluation_id)
    if evaluation is None:
        raise QualityError(f"no evaluation {evaluation_id}")
    return evaluation


# --- disputes ----------------------------------------------------------------------------------


def open_dispute(
    session: Session,
    evaluation_id: int,
    reason: str,
    *,
    user_id: int | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> QaDispute:
    """The agent disputes an evaluation: it is marked disputed and the trail starts."""
    evaluation = _evaluation(session, evaluation_id)
    if evaluation.calibration_session_id is not None:
        raise QualityError("calibration evaluations cannot be disputed")
    if evaluation.status not in ("submitted", "acknowledged"):
        raise QualityError(f"evaluation {evaluation_id} is {evaluation.status}; cannot dispute")
    if not reason.strip():
        raise QualityError("a dispute needs a reason")
    when = at or utcnow()
    dispute = QaDispute(
        evaluation_id=evaluation.id,
        opened_by_user_id=user_id,
        reason=reason,
        status="open",
        opened_at=when,
    )
    session.add(dispute)
    session.flush()
    evaluation.status = "disputed"
    evaluation.updated_at = when
    _trail(session, dispute, "opened", reason, user_id, actor, when, {"score": evaluation.score})
    return dispute


def comment_dispute(
    session: Session,
    dispute_id: int,
    note: str,
    *,
    user_id: int | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> QaDisputeEntry:
    """Add a note to an open dispute's trail."""
    dispute = _open(session, dispute_id)
    return _trail(session, dispute, "commented", note, user_id, actor, at or utcnow(), {})


def decide_dispute(
    session: Session,
    dispute_id: int,
    decision: str,
    *,
    note: str,
    user_id: int | None = None,
    actor: str | None = None,
    answers: Mapping[str, Answer] | None = None,
    at: datetime | None = None,
) -> QaDispute:
    """Decide: `upheld` (stands), `amended` (rescored on `answers`) or `voided` (not counted)."""
    if decision not in DISPUTE_DECISIONS:
        raise QualityError(f"decision must be one of {DISPUTE_DECISIONS}, got {decision!r}")
    dispute = _open(session, dispute_id)
    evaluation = _evaluation(session, dispute.evaluation_id)
    when = at or utcnow()
    before = _figures(evaluation)
    if decision == "amended":
        if not answers:
            raise QualityError("an amended decision needs the corrected answers")
        version = session.get(QaFormVersion, evaluation.form_version_id)
        assert version is not None
        merged = {**evaluation.answers, **answers}
        _apply(evaluation, score(form_of(version), merged))  # type: ignore[arg-type]
        changed = {
            k: {"from": evaluation.answers.get(k), "to": v}
            for k, v in answers.items()
            if evaluation.answers.get(k) != v
        }
        evaluation.answers = merged
    else:
        changed = {}
    evaluation.status = "void" if decision == "voided" else "final"
    evaluation.updated_at = when
    dispute.status = decision
    dispute.decided_at = when
    dispute.decided_by_user_id = user_id
    dispute.decision_note = note
    detail = {
        "decision": decision,
        "before": before,
        "after": _figures(evaluation),
        "changed_answers": changed,
    }
    _trail(session, dispute, "decided", note, user_id, actor, when, detail)
    return dispute


def _figures(evaluation: QaEvaluation) -> dict[str, Any]:
    return {
        "score": evaluation.score,
        "accuracy_defect": evaluation.accuracy_defect,
        "critical_failed": evaluation.critical_failed,
    }


def _open(session: Session, dispute_id: int) -> QaDispute:
    dispute = session.get(QaDispute, dispute_id)
    if dispute is None:
        raise QualityError(f"no dispute {dispute_id}")
    if dispute.status != "open":
        raise QualityError(f"dispute {dispute_id} is already {dispute.status}")
    return dispute


def _trail(
    session: Session,
    dispute: QaDispute,
    action: str,
    note: str | None,
    user_id: int | None,
    actor: str | None,
    at: datetime,
    detail: dict[str, Any],
) -> QaDisputeEntry:
    entry = QaDisputeEntry(
        dispute_id=dispute.id,
        at=at,
        actor_user_id=user_id,
        actor=actor,
        action=action,
        note=note,
        detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry


def dispute_trail(session: Session, dispute_id: int) -> list[QaDisputeEntry]:
    """A dispute's trail, oldest first."""
    return list(
        session.scalars(
            select(QaDisputeEntry)
            .where(QaDisputeEntry.dispute_id == dispute_id)
            .order_by(QaDisputeEntry.at, QaDisputeEntry.id)
        )
    )


# --- coaching and training ---------------------------------------------------------------------


def add_coaching_task(
    session: Session,
    *,
    agent_id: int,
    topic: str,
    due_at: datetime,
    evaluation_id: int | None = None,
    notes: str | None = None,
    created_by_user_id: int | None = None,
    coach_user_id: int | None = None,
) -> QaCoachingTask:
    """A coaching task for an agent, due by `due_at`."""
    task = QaCoachingTask(
        agent_id=agent_id,
        evaluation_id=evaluation_id,
        topic=topic,
        notes=notes,
        due_at=due_at,
        status="open",
        created_at=utcnow(),
        created_by_user_id=created_by_user_id,
        coach_user_id=coach_user_id,
    )
    session.add(task)
    session.flush()
    return task


def complete_coaching_task(
    session: Session,
    task_id: int,
    *,
    follow_up_at: datetime | None = None,
    follow_up_note: str | None = None,
    at: datetime | None = None,
) -> QaCoachingTask:
    """Mark the coaching done, with when and how to follow it up."""
    task = session.get(QaCoachingTask, task_id)
    if task is None:
        raise QualityError(f"no coaching task {task_id}")
    if task.status != "open":
        raise QualityError(f"coaching task {task_id} is already {task.status}")
    task.status = "done"
    task.completed_at = at or utcnow()
    task.follow_up_at = follow_up_at
    task.follow_up_note = follow_up_note
    session.flush()
    return task


def overdue_coaching(session: Session, at: datetime | None = None) -> list[QaCoachingTask]:
    """Open coaching tasks past their due date."""
    now = at or utcnow()
    stmt = select(QaCoachingTask).where(
        QaCoachingTask.status == "open", QaCoachingTask.due_at < now
    )
    return list(session.scalars(stmt.order_by(QaCoachingTask.due_at)))


def raise_training_need(
    session: Session,
    *,
    agent_id: int,
    topic: str,
    source: str,
    evaluation_id: int | None = None,
    item_key: str | None = None,
    note: str | None = None,
    user_id: int | None = None,
) -> TrainingNeed:
    """Record a training need for the training module, with its source."""
    if source not in TRAINING_SOURCES:
        raise QualityError(f"source must be one of {TRAINING_SOURCES}, got {source!r}")
    need = TrainingNeed(
        agent_id=agent_id,
        topic=topic,
        source=source,
        evaluation_id=evaluation_id,
        item_key=item_key,
        note=note,
        status="open",
        created_by_user_id=user_id,
        created_at=utcnow(),
    )
    session.add(need)
    session.flush()
    return need


def training_needs_from_evaluation(
    session: Session, evaluation_id: int, *, user_id: int | None = None
) -> list[TrainingNeed]:
    """One training need per failed item of the evaluation (skipping ones already raised)."""
    evaluation = _evaluation(session, evaluation_id)
    if evaluation.agent_id is None:
        raise QualityError(f"evaluation {evaluation_id} has no agent")
    version = session.get(QaFormVersion, evaluation.form_version_id)
    assert version is not None
    form = form_of(version)
    result = score(form, evaluation.answers)  # type: ignore[arg-type]
    existing = set(
        session.scalars(
            select(TrainingNeed.item_key).where(TrainingNeed.evaluation_id == evaluation_id)
        )
    )
    needs = []
    for key in result.failed_items:
        if key in existing:
            continue
        section, item = form.locate(key)
        needs.append(
            raise_training_need(
                session,
                agent_id=evaluation.agent_id,
                topic=item.text,
                source="qa_evaluation",
                evaluation_id=evaluation_id,
                item_key=key,
                note=f"{section.title}: failed on evaluation {evaluation_id}",
                user_id=user_id,
            )
        )
    return needs


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccuracyCount:
    """Evaluations counted for accuracy and those without an accuracy defect."""

    evaluations: int
    without_defect: int

    @property
    def accuracy(self) -> float | None:
        """without_defect ÷ evaluations (None when nothing was counted)."""
        return self.without_defect / self.evaluations if self.evaluations else None


def accuracy_counts(session: Session, start: datetime, end: datetime) -> dict[str, AccuracyCount]:
    """Per agent key, the accuracy counts of contacts offered in [start, end) (the catalog rule)."""
    stmt = (
        select(
            Agent.key,
            func.count(),
            func.sum(_case_not(QaEvaluation.accuracy_defect)),
        )
        .join(Contact, Contact.id == QaEvaluation.contact_id)
        .join(Agent, Agent.id == QaEvaluation.agent_id)
        .where(
            QaEvaluation.status.in_(COUNTED_STATUSES),
            QaEvaluation.calibration_session_id.is_(None),
            QaEvaluation.accuracy_defect.is_not(None),
            Contact.offered_at >= start,
            Contact.offered_at < end,
        )
        .group_by(Agent.key)
    )
    return {key: AccuracyCount(int(n), int(ok or 0)) for key, n, ok in session.execute(stmt)}


def _case_not(column: Any) -> Any:
    from sqlalchemy import case

    return case((column.is_(False), 1), else_=0)


# --- calibration -------------------------------------------------------------------------------


def start_calibration(
    session: Session,
    name: str,
    form_version_id: int,
    *,
    expert_evaluator_id: int | None = None,
    at: datetime | None = None,
) -> QaCalibrationSession:
    """A calibration session on one form version; its scores never count towards accuracy."""
    row = QaCalibrationSession(
        name=name,
        form_version_id=form_version_id,
        expert_evaluator_id=expert_evaluator_id,
        created_at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def calibration_report(session: Session, calibration_session_id: int) -> CalibrationReport:
    """Agreement per item and per form, and each evaluator's bias, for a stored session."""
    row = session.get(QaCalibrationSession, calibration_session_id)
    if row is None:
        raise QualityError(f"no calibration session {calibration_session_id}")
    version = session.get(QaFormVersion, row.form_version_id)
    assert version is not None
    stmt = (
        select(QaEvaluator.key, Contact.key, QaEvaluation.answers)
        .join(QaEvaluator, QaEvaluator.id == QaEvaluation.evaluator_id)
        .join(Contact, Contact.id == QaEvaluation.contact_id)
        .where(QaEvaluation.calibration_session_id == row.id)
        .order_by(QaEvaluation.id)
    )
    ratings = [Rating(e, c, answers) for e, c, answers in session.execute(stmt)]
    expert = None
    if row.expert_evaluator_id is not None:
        found = session.get(QaEvaluator, row.expert_evaluator_id)
        expert = found.key if found is not None else None
    return calibrate(form_of(version), ratings, expert)


# --- sampling ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SamplingOutcome:
    """What a sampling run stored: the samples, with their evaluators, and any shortfalls."""

    samples: list[QaSample]
    run: sampling.SampleRun
    evaluators: dict[str, str]


def candidates(session: Session, start: datetime, end: datetime) -> list[sampling.Candidate]:
    """Handled contacts offered in [start, end), with what targeted rules look at."""
    stmt = (
        select(
            Contact.key,
            Agent.key,
            Queue.key,
            func.coalesce(Contact.channel, Queue.channel),
            Contact.talk_seconds,
            Contact.hold_seconds,
            Contact.acw_seconds,
            Contact.transferred_to,
            Contact.customer_id,
            Contact.offered_at,
            func.coalesce(Contact.vip_tier, Customer.vip_tier, 0),
        )
        .join(Agent, Agent.id == Contact.agent_id)
        .outerjoin(Queue, Queue.id == Contact.queue_id)
        .outerjoin(Customer, Customer.id == Contact.customer_id)
        .where(
            Contact.answered_at.is_not(None),
            Contact.offered_at >= start,
            Contact.offered_at < end,
        )
    )
    rows = session.execute(stmt).all()
    customers = {r[8] for r in rows if r[8] is not None}
    earlier: dict[int, list[datetime]] = defaultdict(list)
    if customers:
        history = select(Contact.customer_id, Contact.offered_at).where(
            and_(
                Contact.customer_id.in_(customers),
                Contact.offered_at >= start - REPEAT_WINDOW,
                Contact.offered_at < end,
            )
        )
        for customer_id, offered in session.execute(history):
            earlier[customer_id].append(offered)
    out = []
    for key, agent, queue, channel, talk, hold, acw, xfer, customer, offered, vip in rows:
        parts = [x for x in (talk, hold, acw) if x is not None]
        repeat = customer is not None and any(
            offered - REPEAT_WINDOW <= t < offered for t in earlier.get(customer, ())
        )
        out.append(
            sampling.Candidate(
                contact=key,
                agent=agent,
                queue=queue,
                channel=channel,
                handle_seconds=sum(parts) if parts else None,
                transferred=xfer is not None,
                repeat=repeat,
                vip=bool(vip),
            )
        )
    return out


def sample_contacts(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    period: str,
    per_agent: int,
    seed: int,
    rules: Sequence[sampling.TargetRule] = (),
    evaluators: Sequence[QaEvaluator] = (),
) -> SamplingOutcome:
    """Draw and store this period's samples; contacts sampled in any earlier run are skipped."""
    already = set(
        session.scalars(select(Contact.key).join(QaSample, QaSample.contact_id == Contact.id))
    )
    run = sampling.draw(
        candidates(session, start, end), per_agent, seed=seed, rules=rules, already_sampled=already
    )
    agent_keys = {a.id: a.key for a in session.scalars(select(Agent))}
    owners: dict[str, str] = {}
    if evaluators:
        pool = [
            sampling.Evaluator(
                e.key, e.kind, e.capacity, agent_keys.get(e.agent_id) if e.agent_id else None
            )
            for e in evaluators
        ]
        picks = sampling.assign(run.samples, pool, seed=seed)
        owners = {s.contact: k for s, k in zip(run.samples, picks, strict=True)}
    by_key = {e.key: e.id for e in evaluators}
    contact_ids: dict[str, int] = {}
    if run.samples:
        wanted = [s.contact for s in run.samples]
        stmt = select(Contact.key, Contact.id).where(Contact.key.in_(wanted))
        contact_ids = dict(session.execute(stmt).tuples().all())
    agent_ids = {v: k for k, v in agent_keys.items()}
    now = utcnow()
    rows = []
    for s in run.samples:
        owner = owners.get(s.contact)
        rows.append(
            QaSample(
                contact_id=contact_ids[s.contact],
                agent_id=agent_ids[s.agent],
                period=period,
                reason=s.reason,
                stratum="/".join(s.stratum),
                seed=seed,
                evaluator_id=by_key[owner] if owner else None,
                status="assigned",
                sampled_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    return SamplingOutcome(rows, run, owners)


def evaluator_queue(session: Session, evaluator_id: int) -> list[QaSample]:
    """An evaluator's samples still to score, oldest first."""
    stmt = select(QaSample).where(
        QaSample.evaluator_id == evaluator_id, QaSample.status == "assigned"
    )
    return list(session.scalars(stmt.order_by(QaSample.sampled_at, QaSample.id)))


# --- the onion review's watch list -------------------------------------------------------------


def record_watchlist(
    session: Session,
    *,
    period: str,
    measure: str,
    rows: Sequence[Tracked],
    ranks: Mapping[str, int] | None = None,
) -> list[WatchlistEntry]:
    """Store a period's tracked bottom list (entered, stayed, improved, left) for its trend."""
    agent_ids: dict[str, int] = {}
    if rows:
        stmt = select(Agent.key, Agent.id).where(Agent.key.in_([r.agent for r in rows]))
        agent_ids = dict(session.execute(stmt).tuples().all())
    ranks = ranks or {}
    now = utcnow()
    out = [
        WatchlistEntry(
            period=period,
            measure=measure,
            agent_id=agent_ids[r.agent],
            status=r.status,
            value=r.current,
            previous_value=r.previous,
            rank=ranks.get(r.agent),
            periods_on_list=r.periods_on_list,
            created_at=now,
        )
        for r in rows
        if r.agent in agent_ids
    ]
    session.add_all(out)
    session.flush()
    return out


__all__ = [
    "AccuracyCount",
    "QualityError",
    "SamplingOutcome",
    "accuracy_counts",
    "acknowledge",
    "add_coaching_task",
    "calibration_report",
    "candidates",
    "comment_dispute",
    "complete_coaching_task",
    "decide_dispute",
    "dispute_trail",
    "ensure_evaluator",
    "evaluator_for_user",
    "evaluator_queue",
    "form_of",
    "latest_form_version",
    "open_dispute",
    "overdue_coaching",
    "publish_form",
    "raise_training_need",
    "record_watchlist",
    "sample_contacts",
    "save_evaluation",
    "start_calibration",
    "training_needs_from_evaluation",
]
