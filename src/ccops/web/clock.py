"""Time for the pages: now in UTC, and the centre's day in its own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccops.store.models import Center


def utcnow() -> datetime:
    """Now, as the store keeps time (naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def center_zone(session: Session) -> ZoneInfo:
    """The centre's display time zone (the first centre's; UTC when none is configured)."""
    name = session.scalar(select(Center.time_zone).order_by(Center.id).limit(1)) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(session: Session, now: datetime) -> date:
    """Today's date in the centre's zone."""
    return now.replace(tzinfo=UTC).astimezone(center_zone(session)).date()


def day_bounds_utc(session: Session, day: date, days: int = 1) -> tuple[datetime, datetime]:
    """The centre-local day(s) starting at `day`, as naive UTC [start, end)."""
    zone = center_zone(session)
    start = datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(day + timedelta(days=days), time(), zone)
    return start, end.astimezone(UTC).replace(tzinfo=None)


def day_start_utc(session: Session, now: datetime) -> datetime:
    """The start of the centre's today, as naive UTC."""
    return day_bounds_utc(session, local_day(session, now))[0]


def requested_day(value: str | None, session: Session) -> date:
    """A page's `?day=YYYY-MM-DD` (400 when malformed), or today in the centre's zone."""
    if not value:
        return local_day(session, utcnow())
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, "day must be YYYY-MM-DD") from None
