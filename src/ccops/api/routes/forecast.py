"""POST /forecast: backtest and forecast contact volume and AHT per interval, and store it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.api.deps import CsrfChecked, EngineDep, ScopeDep
from ccops.metrics import MetricError, SourceError, run_report

router = APIRouter()

HISTORY_METRICS = ["offered", "handled", "aht_seconds"]


def _forecast(
    engine: Engine,
    start: date,
    end: date,
    interval_minutes: int,
    time_zone: str,
    queue: str | None,
    options: Any,
    store: bool,
    intervals: bool,
) -> list[dict[str, Any]]:
    from ccops.store.forecast_models import save_forecast
    from ccops.wfm.forecast import ForecastError, forecast, histories_from_rows, time_key

    by = f"{time_key(interval_minutes)},queue,channel"
    report = run_report(engine, HISTORY_METRICS, by, start, end, time_zone)
    rows = [r for r in report.rows if queue is None or r["queue"] == queue]
    histories = histories_from_rows(rows, interval_minutes, start, end)
    if not histories:
        which = f" for queue {queue!r}" if queue else ""
        raise ForecastError(f"no contacts in the store{which} between {start} and {end}")
    done, skipped = forecast(histories, options)
    if not done:
        raise ForecastError("; ".join(f"{h.queue}: {reason}" for h, reason in skipped))
    out = [f.as_json(time_zone, intervals=intervals) for f in done]
    if store:
        with Session(engine) as session:
            for item, f in zip(out, done, strict=True):
                row = save_forecast(session, f.record(time_zone))
                item["forecast_id"], item["version"] = row.id, row.version
            session.commit()
    for h, reason in skipped:
        out.append({"queue": h.queue, "channel": h.channel, "skipped": reason})
    return out


@router.post("/forecast")
async def post_forecast(
    engine: EngineDep,
    scope: ScopeDep,
    _csrf: CsrfChecked,
    start: date = Query(..., alias="from", description="First day of history, inclusive."),
    end: date = Query(..., alias="to", description="Last day of history, inclusive."),
    horizon_days: int = Query(14, ge=1, le=366, description="Days to forecast."),
    interval_minutes: int = Query(30, description="15 or 30 (60; 1440 for daily)."),
    queue: str | None = Query(None, description="Only this queue (its key)."),
    tz: str = Query("UTC", description="The center's time zone (IANA name)."),
    windows: int = Query(3, ge=1, le=12, description="Backtest cutoffs."),
    models: str = Query(
        "SeasonalNaive,MSTL,AutoETS,AutoARIMA", description="Candidate models (comma-separated)."
    ),
    special: list[str] = Query(
        [], description="Special days as DATE:MULTIPLIER[:LABEL], e.g. 2026-12-25:0.3."
    ),
    store: bool = Query(True, description="Store the forecast as the queue's next version."),
    intervals: bool = Query(True, description="Include the intervals in the answer."),
) -> list[dict[str, Any]]:
    """Per queue: the model chosen by backtest, every model's WAPE/MASE, the intervals.

    Needs a signed-in user whose role may read reports (and the CSRF token as X-CSRF-Token).
    """
    scope.require("reports")
    from ccops.wfm.forecast import ForecastError, ForecastOptions, parse_special_day

    if end < start:
        raise HTTPException(422, "'to' is before 'from'")
    try:
        chosen = tuple(m.strip() for m in models.split(",") if m.strip())
        days = tuple(parse_special_day(s) for s in special)
        options = ForecastOptions(horizon_days, windows, chosen, days)
        return await run_in_threadpool(
            _forecast, engine, start, end, interval_minutes, tz, queue, options, store, intervals
        )
    except SourceError as exc:
        raise HTTPException(503, str(exc)) from exc
    except (ForecastError, MetricError) as exc:
        raise HTTPException(422, str(exc)) from exc
