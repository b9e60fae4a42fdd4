"""Workforce management's stored forecasts: each forecast with its version, the model chosen and
every candidate's backtest scores, and its intervals (UTC starts, contacts, AHT).

A forecast is never overwritten: forecasting a queue again stores the next version, so a staffing
plan can say which forecast it was built on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ccops.store.models import Base, Queue, UtcDateTime


class Forecast(Base):
    """One forecast of one queue and channel: how it was made and what period it covers.

    Days (`history_*`, `horizon_*`) are local to `time_zone`; `backtest` holds, per candidate
    model, its WAPE, MASE, fitting seconds and any error, as `{"MSTL": {"wape": 0.12, ...}}`.
    """

    __tablename__ = "forecasts"
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    channel: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    model: Mapped[str] = mapped_column(String(32))
    interval_minutes: Mapped[int] = mapped_column(Integer)
    time_zone: Mapped[str] = mapped_column(String(64))
    history_start: Mapped[date] = mapped_column(Date)
    history_end: Mapped[date] = mapped_column(Date)
    horizon_start: Mapped[date] = mapped_column(Date)
    horizon_end: Mapped[date] = mapped_column(Date)
    backtest: Mapped[dict[str, Any]] = mapped_column(JSON)
    special_days: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("queue_id", "channel", "version", name="uq_forecasts"),)


class ForecastInterval(Base):
    """One interval of a forecast: its start (UTC), contacts offered and average handle time."""

    __tablename__ = "forecast_intervals"
    forecast_id: Mapped[int] = mapped_column(
        ForeignKey("forecasts.id", ondelete="CASCADE"), primary_key=True
    )
    interval_start: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    contacts: Mapped[float] = mapped_column(Float)
    aht_seconds: Mapped[float | None] = mapped_column(Float)


def save_forecast(session: Session, record: Mapping[str, Any]) -> Forecast:
    """Store a forecast record (`ccops.wfm.forecast.QueueForecast.record()`) as the next version.

    The queue must exist (the history came from it). The caller commits.
    """
    queue_id = session.scalar(select(Queue.id).where(Queue.key == record["queue"]))
    if queue_id is None:
        raise LookupError(f"queue {record['queue']!r} is not in the store")
    channel = str(record["channel"])
    latest = session.scalar(
        select(func.max(Forecast.version)).where(
            Forecast.queue_id == queue_id, Forecast.channel == channel
        )
    )
    row = Forecast(
        queue_id=queue_id,
        channel=channel,
        version=(latest or 0) + 1,
        created_at=datetime.now(UTC).replace(tzinfo=None),
        model=record["model"],
        interval_minutes=int(record["interval_minutes"]),
        time_zone=record["time_zone"],
        history_start=record["history_start"],
        history_end=record["history_end"],
        horizon_start=record["horizon_start"],
        horizon_end=record["horizon_end"],
        backtest=dict(record["backtest"]),
        special_days=list(record.get("special_days", [])),
    )
    session.add(row)
    session.flush()
    intervals: Sequence[tuple[datetime, float, float | None]] = record["intervals"]
    if intervals:
        session.execute(
            insert(ForecastInterval),
            [
                {
                    "forecast_id": row.id,
                    "interval_start": start,
                    "contacts": round(contacts, 4),
                    "aht_seconds": None if aht is None else round(aht, 3),
                }
                for start, contacts, aht in intervals
            ],
        )
    return row


def latest_forecast(
    session: Session, queue: str, channel: str | None = None
) -> tuple[Forecast, list[ForecastInterval]] | None:
    """The newest stored forecast of a queue (and channel), with its intervals in time order."""
    stmt = (
        select(Forecast)
        .join(Queue, Queue.id == Forecast.queue_id)
        .where(Queue.key == queue)
        .order_by(Forecast.version.desc())
        .limit(1)
    )
    if channel is not None:
        stmt = stmt.where(Forecast.channel == channel)
    found = session.scalar(stmt)
    if found is None:
        return None
    rows = session.scalars(
        select(ForecastInterval)
        .where(ForecastInterval.forecast_id == found.id)
        .order_by(ForecastInterval.interval_start)
    ).all()
    return found, list(rows)
