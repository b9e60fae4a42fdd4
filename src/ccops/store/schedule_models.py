"""Published schedules: what each agent is scheduled to do, minute by minute, for adherence.

A schedule is published once and never edited: publishing a new one for the same agents and
time supersedes the old one (its status becomes ``superseded``), so adherence is always measured
against the schedule the floor was given, and the history of what was given stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, ForeignKey, Index, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ccops.store.models import Agent, Base, UtcDateTime

# What an agent may be scheduled to do; "work" means on the phone (available or handling).
ACTIVITIES = ("work", "break", "lunch", "training", "meeting", "off_phone")


class PublishedSchedule(Base):
    """One published schedule: its name, the period it covers and whether it is current."""

    __tablename__ = "published_schedules"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="published")


class ScheduledActivity(Base):
    """One agent's scheduled activity over [start_at, end_at) in one published schedule."""

    __tablename__ = "scheduled_activities"
    __table_args__ = (Index("ix_scheduled_activities_agent_start", "agent_id", "start_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("published_schedules.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    activity: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    minutes: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity to publish: agent key, what, and when (UTC)."""

    agent: str
    activity: str
    start: datetime
    end: datetime
    where: str = ""  # where it was read from, for errors (e.g. "week48.csv:3")


class ScheduleError(ValueError):
    """A schedule that cannot be published, with what is wrong in it."""


def _naive(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(tzinfo=None) if ts.tzinfo else ts


def publish_schedule(engine: Engine, name: str, activities: Sequence[Activity]) -> int:
    """Publish activities as one schedule (all or nothing); returns the schedule's id.

    Every agent must exist; activities must be known kinds with end after start and must not
    overlap for one agent. Published schedules of the same agents overlapping this one's period
    become ``superseded``.
    """
    if not activities:
        raise ScheduleError("nothing to publish: the schedule has no activities")
    problems: list[str] = []
    by_agent: dict[str, list[tuple[datetime, datetime, str]]] = {}
    for n, a in enumerate(activities, start=1):
        at = a.where or f"activity {n}"
        if a.activity not in ACTIVITIES:
            problems.append(
                f"{at}: unknown activity {a.activity!r} (one of {', '.join(ACTIVITIES)})"
            )
        if _naive(a.end) <= _naive(a.start):
            problems.append(f"{at} ({a.agent}): ends before it starts")
        by_agent.setdefault(a.agent, []).append((_naive(a.start), _naive(a.end), at))
    for agent, spans in by_agent.items():
        spans.sort()
        for (_, end0, at0), (start1, _, at1) in zip(spans, spans[1:], strict=False):
            if start1 < end0:
                problems.append(f"{at1} ({agent}): overlaps {at0}")
    with Session(engine) as session, session.begin():
        ids = dict(
            session.execute(select(Agent.key, Agent.id).where(Agent.key.in_(list(by_agent))))
            .tuples()
            .all()
        )
        problems += [f"{spans[0][2]}: unknown agent {k!r} (import or create it first)"
                     for k, spans in by_agent.items() if k not in ids]  # fmt: skip
        if problems:
            raise ScheduleError("; ".join(problems[:10]))
        start = min(_naive(a.start) for a in activities)
        end = max(_naive(a.end) for a in activities)
        agent_ids = [ids[k] for k in by_agent]
        older = select(ScheduledActivity.schedule_id).where(
            ScheduledActivity.agent_id.in_(agent_ids)
        )
        session.execute(
            update(PublishedSchedule)
            .where(
                PublishedSchedule.status == "published",
                PublishedSchedule.start_at < end,
                PublishedSchedule.end_at > start,
                PublishedSchedule.id.in_(older),
            )
            .values(status="superseded")
        )
        schedule = PublishedSchedule(
            name=name,
            start_at=start,
            end_at=end,
            published_at=datetime.now(UTC).replace(tzinfo=None),
            status="published",
        )
        session.add(schedule)
        session.flush()
        session.add_all(
            ScheduledActivity(
                schedule_id=schedule.id,
                agent_id=ids[a.agent],
                activity=a.activity,
                start_at=_naive(a.start),
                end_at=_naive(a.end),
                minutes=int((_naive(a.end) - _naive(a.start)).total_seconds() // 60),
            )
            for a in activities
        )
        return schedule.id


def published_activities(
    engine: Engine, start: datetime, end: datetime
) -> list[tuple[str, str, datetime, datetime]]:
    """Current published activities overlapping [start, end): (agent key, activity, start, end)."""
    with Session(engine) as session:
        rows = session.execute(
            select(Agent.key, ScheduledActivity.activity, ScheduledActivity.start_at,
                   ScheduledActivity.end_at)
            .join(Agent, Agent.id == ScheduledActivity.agent_id)
            .join(PublishedSchedule, PublishedSchedule.id == ScheduledActivity.schedule_id)
            .where(
                PublishedSchedule.status == "published",
                ScheduledActivity.start_at < _naive(end),
                ScheduledActivity.end_at > _naive(start),
            )
            .order_by(Agent.key, ScheduledActivity.start_at)
        ).tuples().all()  # fmt: skip
    return [(k, a, s.replace(tzinfo=UTC), e.replace(tzinfo=UTC)) for k, a, s, e in rows]
