"""`ccops requirements`: agents needed per interval from a queue's latest stored forecast.

Erlang C per interval (Erlang A with --patience) against the queue's own service-level target
and threshold from the store, with the occupancy cap and shrinkage; the CSV it writes is the
requirement `ccops schedule` reads.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccops.cli.common import DbOption, console, fail


def requirements(
    queue: str = typer.Option(..., "--queue", help="The queue's key."),
    first: str | None = typer.Option(
        None, "--from", help="First day (YYYY-MM-DD); default: the forecast's first day."
    ),
    days: int = typer.Option(7, "--days", min=1, max=366, help="Whole days from --from."),
    tz: str | None = typer.Option(
        None, "--tz", help="Time zone of the days and output times; default: the forecast's."
    ),
    service_level: float | None = typer.Option(
        None, "--service-level", help="Target share answered in time; default: the queue's."
    ),
    answer_within: float | None = typer.Option(
        None, "--answer-within", help="Threshold T, seconds; default: the queue's."
    ),
    max_occupancy: float = typer.Option(0.85, "--max-occupancy", help="Occupancy cap."),
    patience: float | None = typer.Option(
        None, "--patience", help="Mean patience, seconds: Erlang A instead of Erlang C."
    ),
    planned_shrinkage: float = typer.Option(
        0.0,
        "--planned-shrinkage",
        help="Planned time off the phones the schedule does not place itself (training, "
        "meetings); `ccops schedule --staff` places breaks and lunches.",
    ),
    unplanned_shrinkage: float = typer.Option(
        0.0, "--unplanned-shrinkage", help="Absence and other unplanned time lost."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write interval_start,required,… (for `ccops schedule`)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    db: str | None = DbOption,
) -> None:
    """Agents to schedule per interval from a queue's latest forecast (Erlang C or A)."""
    from ccops.cli.app import _ready_engine
    from ccops.store.forecast_models import latest_forecast
    from ccops.store.models import Queue
    from ccops.wfm.requirements import forecast_requirements

    for name, value, low, high in (
        ("--service-level", service_level, 0.0, 1.0),
        ("--max-occupancy", max_occupancy, 0.0, 1.0),
        ("--planned-shrinkage", planned_shrinkage, 0.0, 0.99),
        ("--unplanned-shrinkage", unplanned_shrinkage, 0.0, 0.99),
    ):
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise fail(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    for name, value in (("--answer-within", answer_within), ("--patience", patience)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise fail(f"{name} must be a number of seconds > 0, got {value:g}")
    engine = _ready_engine(db)
    with Session(engine) as session:
        row = session.scalar(select(Queue).where(Queue.key == queue))
        if row is None:
            known = ", ".join(session.scalars(select(Queue.key).order_by(Queue.key))) or "none"
            raise fail(f"--queue: no queue {queue!r} in the store (queues: {known})")
        found = latest_forecast(session, queue)
        if found is None:
            raise fail(f"no stored forecast for queue {queue!r}; run `ccops forecast` first")
        forecast, intervals = found
        target = row.sl_target if service_level is None else service_level
        threshold = row.sl_threshold_seconds if answer_within is None else answer_within
    try:
        zone = ZoneInfo(tz or forecast.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(
            f"--tz: unknown time zone {tz!r} (use an IANA name such as Asia/Shanghai)"
        ) from None
    try:
        first_day = date.fromisoformat(first) if first else forecast.horizon_start
    except ValueError:
        raise fail(f"--from: {first!r} is not a date (YYYY-MM-DD)") from None
    rows = forecast_requirements(
        [(iv.interval_start, iv.contacts, iv.aht_seconds) for iv in intervals],
        forecast.interval_minutes,
        zone,
        first_day,
        days,
        answer_within=threshold,
        service_level=target,
        max_occupancy=max_occupancy,
        patience=patience,
        planned_shrinkage=planned_shrinkage,
        unplanned_shrinkage=unplanned_shrinkage,
    )
    records: list[dict[str, Any]] = [
        {
            "interval_start": r.start.isoformat(timespec="minutes"),
            "required": r.required,
            "agents": r.agents,
            "contacts": round(r.contacts, 3),
            "aht_seconds": round(r.aht_seconds, 1),
            "service_level": round(r.service_level, 4),
            "occupancy": round(r.occupancy, 4),
        }
        for r in rows
    ]
    if output is not None:
        with output.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    hours = forecast.interval_minutes / 60.0
    summary = {
        "queue": queue,
        "forecast_version": forecast.version,
        "model": forecast.model,
        "interval_minutes": forecast.interval_minutes,
        "time_zone": str(zone),
        "from": first_day.isoformat(),
        "days": days,
        "service_level": target,
        "answer_within_seconds": threshold,
        "max_occupancy": max_occupancy,
        "erlang": "A" if patience else "C",
        "peak_required": max(r.required for r in rows),
        "required_hours": round(sum(r.required for r in rows) * hours, 2),
        "forecast_contacts": round(sum(r.contacts for r in rows), 1),
    }
    if as_json:
        typer.echo(json.dumps({**summary, "intervals": records}))
        return
    table = Table(
        title=f"Requirements for {queue} (forecast v{forecast.version}, {forecast.model})"
    )
    table.add_column("day")
    table.add_column("contacts", justify="right")
    table.add_column("peak agents", justify="right")
    table.add_column("agent-hours", justify="right")
    by_day: dict[date, list[Any]] = {}
    for r in rows:
        by_day.setdefault(r.start.date(), []).append(r)
    for day, day_rows in by_day.items():
        table.add_row(
            day.isoformat(),
            f"{sum(r.contacts for r in day_rows):,.0f}",
            str(max(r.required for r in day_rows)),
            f"{sum(r.required for r in day_rows) * hours:,.1f}",
        )
    console.print(table)
    if output is not None:
        console.print(
            f"wrote {len(records)} intervals to {output}; roster them with "
            f"`ccops schedule --requirements {output} --staff STAFF.toml -o week.csv`"
        )
