"""The store's tables: SQLAlchemy 2 typed models. The only module that knows table shapes.

Timestamps are stored as naive UTC (`UtcDateTime`); the center's time zone is applied on display.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

UtcDateTime = DateTime(timezone=False)


class Base(DeclarativeBase):
    """Declarative base of every ccops table."""


class Center(Base):
    """A contact center (one organisation's operation), with its display time zone."""

    __tablename__ = "centers"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")


class Site(Base):
    """A physical or virtual site of a center (a floor, a city, home working)."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"))
    time_zone: Mapped[str | None] = mapped_column(String(64))


class Skill(Base):
    """A skill that queues require and agents hold."""

    __tablename__ = "skills"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Queue(Base):
    """A queue (ACD split): channel, SL threshold T, short-abandon threshold S, priority."""

    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"))
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skills.id"))
    channel: Mapped[str] = mapped_column(String(16), default="voice")
    sl_threshold_seconds: Mapped[float] = mapped_column(Float, default=20.0)
    short_abandon_seconds: Mapped[float] = mapped_column(Float, default=5.0)
    sl_target: Mapped[float] = mapped_column(Float, default=0.8)
    priority: Mapped[int] = mapped_column(Integer, default=0)


class Team(Base):
    """A team of agents with its team lead."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"))
    lead_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", use_alter=True, name="fk_teams_lead_agent")
    )


class Agent(Base):
    """An agent (seat representative); also team leads, who are agents with a team to lead."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    contract_hours_per_week: Mapped[float | None] = mapped_column(Float)
    cost_rate_per_hour: Mapped[float | None] = mapped_column(Float)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    skills: Mapped[list[AgentSkill]] = relationship(back_populates="agent")


class AgentSkill(Base):
    """An agent's skill with proficiency (1 = novice ... 10 = expert)."""

    __tablename__ = "agent_skills"
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    proficiency: Mapped[int] = mapped_column(Integer, default=5)
    agent: Mapped[Agent] = relationship(back_populates="skills")


class Customer(Base):
    """A customer: segment, VIP tier, time zone and consent flags."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    segment: Mapped[str | None] = mapped_column(String(100))
    vip_tier: Mapped[int] = mapped_column(Integer, default=0)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    consent_call: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_email: Mapped[bool] = mapped_column(Boolean, default=False)


class Contact(Base):
    """One interaction on any channel, folded from its events (see ccops.events)."""

    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    direction: Mapped[str | None] = mapped_column(String(16))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    segment: Mapped[str | None] = mapped_column(String(100))
    vip_tier: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int | None] = mapped_column(Integer)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wrap_end_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    talk_seconds: Mapped[float | None] = mapped_column(Float)
    hold_seconds: Mapped[float | None] = mapped_column(Float)
    acw_seconds: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(200))
    disposition: Mapped[str | None] = mapped_column(String(200))
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    transferred_to: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_contacts_queue_offered", "queue_id", "offered_at"),
        Index("ix_contacts_agent_offered", "agent_id", "offered_at"),
        Index("ix_contacts_customer_offered", "customer_id", "offered_at"),
    )


class AgentStateInterval(Base):
    """An agent's state from start to end (end is null while it lasts)."""

    __tablename__ = "agent_states"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(200))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_agent_states_agent_start", "agent_id", "start_at"),)


class EventRecord(Base):
    """Every accepted canonical event, once: the source of truth the facts are folded from."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    contact_key: Mapped[str | None] = mapped_column(String(200))
    agent_key: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)

    # Only events with a contact (or an agent) are indexed by it: lookups are by key.
    __table_args__ = (
        Index(
            "ix_events_contact",
            "contact_key",
            sqlite_where=text("contact_key IS NOT NULL"),
            postgresql_where=text("contact_key IS NOT NULL"),
        ),
        Index(
            "ix_events_agent_at",
            "agent_key",
            "at",
            sqlite_where=text("agent_key IS NOT NULL"),
            postgresql_where=text("agent_key IS NOT NULL"),
        ),
    )


class Reject(Base):
    """An input line or event that could not be accepted, kept with where it was and why."""

    __tablename__ = "rejects"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ImportCheckpoint(Base):
    """Bookkeeping for importers: per source, free-form state (e.g. a followed file's offset)."""

    __tablename__ = "import_checkpoints"
    source: Mapped[str] = mapped_column(String(500), primary_key=True)
    state: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


__all__ = [
    "Agent",
    "AgentSkill",
    "AgentStateInterval",
    "Base",
    "Center",
    "Contact",
    "Customer",
    "EventRecord",
    "ImportCheckpoint",
    "Queue",
    "Reject",
    "Site",
    "Skill",
    "Team",
]
from ccops.store import auth_models as _auth_models  # noqa: E402,F401
from ccops.store import forecast_models as _forecast_models  # noqa: E402,F401
from ccops.store import quality_models as _quality_models  # noqa: E402,F401
from ccops.store import schedule_models as _schedule_models  # noqa: E402,F401
