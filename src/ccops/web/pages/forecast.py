"""Forecast against actuals: a queue's latest stored forecast beside the contacts that came.

The forecast comes from the store (`ccops forecast`, or the demo's plan); the actuals from the
metric catalog (offered, AHT) at the forecast's own interval length, for the whole center.
Accuracy is WAPE over the intervals that have already begun (`ccops.wfm.forecast.wape`).
"""

from __future__ import annotations

import math
from datetime import UTC, date
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api.deps import EngineDep, ScopeDep, SessionDep
from ccops.store.forecast_models import Forecast, latest_forecast
from ccops.store.models import Queue
from ccops.web import kpis
from ccops.web.clock import center_zone, day_bounds_utc, utcnow
from ccops.web.scope import Scope
from ccops.web.templating import render
from ccops.wfm.forecast import time_key, wape
from ccops.wfm.requirements import forecast_requirements

router = APIRouter()

MAX_DAYS = 31


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise HTTPException(400, f"days must be between 1 and {MAX_DAYS}")


def _first_day(forecast: Forecast, day: str | None) -> date:
    """The asked day, or the forecast's first day."""
    try:
        return forecast.horizon_start if not day else date.fromisoformat(day)
    except ValueError:
        raise HTTPException(400, "day must be YYYY-MM-DD") from None


def forecast_accuracy(
    engine: Engine, db: Session, scope: Scope, queue: str | None, day: str | None, days: int
) -> dict[str, Any]:
    """The latest forecast of `queue` (default: the first with one) against actual contacts."""
    scope.require("forecasts")
    _check_days(days)
    queues = list(
        db.scalars(
            select(Queue.key)
            .join(Forecast, Forecast.queue_id == Queue.id)
            .distinct()
            .order_by(Queue.key)
        )
    )
    if not queues:
        return {"queues": [], "queue": None}
    queue = queue or queues[0]
    found = latest_forecast(db, queue)
    if found is None:
        raise HTTPException(404, f"no stored forecast for queue {queue!r}")
    forecast, intervals = found
    first = _first_day(forecast, day)
    start, end = day_bounds_utc(db, first, days)
    zone = center_zone(db)
    dim = time_key(forecast.interval_minutes)
    actual = kpis.figures(
        engine, db, [dim, "queue"], start, end, None, metrics=("offered", "aht_seconds")
    )
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for iv in intervals:
        if not start <= iv.interval_start < end:
            continue
        local = iv.interval_start.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
        key = local.date() if dim == "day" else local
        got = actual.get((key, queue)) or {}
        begun = iv.interval_start < now
        rows.append(
            {
                "start": local.isoformat(),
                "forecast": iv.contacts,
                "actual": (got.get("offered") or 0) if begun else None,
                "forecast_aht_seconds": iv.aht_seconds,
                "actual_aht_seconds": got.get("aht_seconds") if begun else None,
            }
        )
    past = [r for r in rows if r["actual"] is not None]
    chosen = (forecast.backtest or {}).get(forecast.model, {})
    return {
        "queues": queues,
        "queue": queue,
        "model": forecast.model,
        "version": forecast.version,
        "interval_minutes": forecast.interval_minutes,
        "horizon": [forecast.horizon_start.isoformat(), forecast.horizon_end.isoformat()],
        "day": first.isoformat(),
        "days": days,
        "backtest_wape": chosen.get("wape"),
        "wape": _finite(wape([r["actual"] for r in past], [r["forecast"] for r in past]))
        if past
        else None,
        "forecast_total": sum(r["forecast"] for r in past),
        "actual_total": sum(r["actual"] for r in past),
        "intervals": rows,
    }


@router.get("/forecast", include_in_schema=False)
def forecast_page(
    request: Request,
    scope: ScopeDep,
    db: SessionDep,
    engine: EngineDep,
    queue: str | None = None,
    day: str | None = None,
    days: int = 7,
) -> Response:
    """A queue's latest forecast against the contacts that came, per interval, with its WAPE."""
    data = forecast_accuracy(engine, db, scope, queue, day, days)
    return render(request, "forecast.html", data=data)


@router.get("/api/v1/forecast/accuracy", tags=["forecast"])
def forecast_accuracy_data(
    scope: ScopeDep,
    db: SessionDep,
    engine: EngineDep,
    queue: str | None = None,
    day: str | None = None,
    days: int = 7,
) -> dict[str, Any]:
    """The latest stored forecast of a queue against actual offered contacts and AHT per interval
    (center-local times), with WAPE over the intervals that have begun (WFM analyst, manager,
    admin)."""
    return forecast_accuracy(engine, db, scope, queue, day, days)


@router.get("/api/v1/requirements", tags=["forecast"])
def requirements_data(
    scope: ScopeDep,
    db: SessionDep,
    queue: str,
    day: str | None = None,
    days: int = 7,
    service_level: float | None = Query(None, gt=0, le=1),
    answer_within: float | None = Query(None, gt=0),
    max_occupancy: float = Query(0.85, gt=0, le=1),
    patience: float | None = Query(None, gt=0),
    planned_shrinkage: float = Query(0.0, ge=0, lt=1),
    unplanned_shrinkage: float = Query(0.0, ge=0, lt=1),
) -> dict[str, Any]:
    """Agents to schedule per interval (center-local times) from a queue's latest stored
    forecast: Erlang C (Erlang A with `patience`) against the queue's target and threshold
    unless given, with the occupancy cap and shrinkage — what `ccops requirements` writes
    (WFM analyst, manager, admin)."""
    scope.require("forecasts")
    _check_days(days)
    row = db.scalar(select(Queue).where(Queue.key == queue))
    found = latest_forecast(db, queue) if row is not None else None
    if row is None or found is None:
        raise HTTPException(404, f"no stored forecast for queue {queue!r}")
    forecast, intervals = found
    first = _first_day(forecast, day)
    target = row.sl_target if service_level is None else service_level
    threshold = row.sl_threshold_seconds if answer_within is None else answer_within
    rows = forecast_requirements(
        [(iv.interval_start, iv.contacts, iv.aht_seconds) for iv in intervals],
        forecast.interval_minutes,
        center_zone(db),
        first,
        days,
        answer_within=threshold,
        service_level=target,
        max_occupancy=max_occupancy,
        patience=patience,
        planned_shrinkage=planned_shrinkage,
        unplanned_shrinkage=unplanned_shrinkage,
    )
    return {
        "queue": queue,
        "version": forecast.version,
        "model": forecast.model,
        "interval_minutes": forecast.interval_minutes,
        "day": first.isoformat(),
        "days": days,
        "service_level": target,
        "answer_within_seconds": threshold,
        "erlang": "A" if patience else "C",
        "intervals": [
            {
                "interval_start": r.start.isoformat(timespec="minutes"),
                "required": r.required,
                "agents": r.agents,
                "contacts": r.contacts,
                "aht_seconds": r.aht_seconds,
                "service_level": r.service_level,
                "occupancy": r.occupancy,
            }
            for r in rows
        ],
    }
