"""Quality management's tables: forms and their versions, samples, evaluations, disputes with
their decision trail, calibration sessions, coaching tasks, training needs, and the tracked
bottom list of the onion review.

The accuracy figure (metric catalog `accuracy`) reads `qa_evaluations`: rows whose status is in
`COUNTED_STATUSES`, with no calibration session and `accuracy_defect` not null; accuracy =
rows with `accuracy_defect` false ÷ those rows. Bucket by the contact's `offered_at` (join
`contacts`) or by `evaluated_at`, as the report says.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ccops.store.models import Base, UtcDateTime

EVALUATION_STATUSES = ("submitted", "acknowledged", "disputed", "final", "void")
COUNTED_STATUSES = ("submitted", "acknowledged", "disputed", "final")
DISPUTE_DECISIONS = ("upheld", "amended", "voided")
EVALUATOR_KINDS = ("internal", "third_party")
TRAINING_SOURCES = ("qa_evaluation", "calibration", "coaching", "team_lead")


class QaForm(Base):
    """An evaluation form; its content lives in versions."""

    __tablename__ = "qa_forms"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QaFormVersion(Base):
    """One immutable version of a form, as the JSON definition of `ccops.quality.forms`."""

    __tablename__ = "qa_form_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.id"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("form_id", "version", name="uq_qa_form_versions"),)


class QaEvaluator(Base):
    """Someone who scores contacts: an internal analyst or a third-party evaluator account."""

    __tablename__ = "qa_evaluators"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="internal")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    capacity: Mapped[float] = mapped_column(Float, default=1.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class QaCalibrationSession(Base):
    """Several evaluators score the same contacts on one form version; optionally an expert."""

    __tablename__ = "qa_calibration_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("qa_form_versions.id"))
    expert_evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("qa_evaluators.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class QaSample(Base):
    """A contact chosen for evaluation; a contact is sampled at most once, ever."""

    __tablename__ = "qa_samples"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    period: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    stratum: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(Integer)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("qa_evaluators.id"))
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    sampled_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_qa_samples_evaluator_status", "evaluator_id", "status"),
        Index("ix_qa_samples_agent_period", "agent_id", "period"),
    )


class QaEvaluation(Base):
    """An evaluation of a contact on a form version: answers, score and the flags it gave."""

    __tablename__ = "qa_evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("qa_samples.id"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("qa_form_versions.id"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("qa_evaluators.id"))
    calibration_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_calibration_sessions.id")
    )
    answers: Mapped[dict[str, object]] = mapped_column(JSON)
    item_comments: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    raw_score: Mapped[float | None] = mapped_column(Float)
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    accuracy_defect: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    evaluated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_qa_evaluations_agent_evaluated", "agent_id", "evaluated_at"),
        Index("ix_qa_evaluations_contact", "contact_id"),
        Index("ix_qa_evaluations_evaluator_status", "evaluator_id", "status"),
    )


class QaDispute(Base):
    """An agent's dispute of an evaluation, and the decision on it."""

    __tablename__ = "qa_disputes"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("qa_evaluations.id"))
    opened_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_qa_disputes_evaluation", "evaluation_id"),)


class QaDisputeEntry(Base):
    """One step of a dispute's trail: opened, commented, decided — who, when, what changed."""

    __tablename__ = "qa_dispute_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("qa_disputes.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_qa_dispute_entries_dispute", "dispute_id"),)


class QaCoachingTask(Base):
    """A coaching task for an agent, with a due date and its follow-up."""

    __tablename__ = "qa_coaching_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("qa_evaluations.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    coach_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    topic: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_up_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_qa_coaching_tasks_agent_status", "agent_id", "status"),)


class TrainingNeed(Base):
    """A training need for an agent, with where it came from (e.g. a QA evaluation's item)."""

    __tablename__ = "training_needs"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    topic: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32))
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("qa_evaluations.id"))
    item_key: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_training_needs_agent_status", "agent_id", "status"),)


class WatchlistEntry(Base):
    """An agent on the onion review's bottom list for a period and measure, and their trend."""

    __tablename__ = "perf_watchlist"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    status: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    previous_value: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    periods_on_list: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("period", "measure", "agent_id", name="uq_perf_watchlist"),
        Index("ix_perf_watchlist_agent", "agent_id"),
    )


__all__ = [
    "COUNTED_STATUSES",
    "DISPUTE_DECISIONS",
    "EVALUATION_STATUSES",
    "EVALUATOR_KINDS",
    "TRAINING_SOURCES",
    "QaCalibrationSession",
    "QaCoachingTask",
    "QaDispute",
    "QaDisputeEntry",
    "QaEvaluation",
    "QaEvaluator",
    "QaForm",
    "QaFormVersion",
    "QaSample",
    "TrainingNeed",
    "WatchlistEntry",
]
