"""The schedule page: a day's published schedule as a grid per agent, the plan against the floor
per interval, and each agent's adherence — within the viewer's scope.

Activities come from the store's current published schedules; every figure (scheduled and staffed
hours, adherence, conformance) from the metric catalog, so the page agrees with `ccops report`.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api.deps import EngineDep, ScopeDep, SessionDep
from ccops.store.forecast_models import Forecast, latest_forecast
from ccops.store.models import Agent, Queue
from ccops.store.schedule_models import published_activities
from ccops.web import kpis
from ccops.web.clock import center_zone, day_bounds_utc, requested_day
from ccops.web.scope import Scope
from ccops.web.templating import render
from ccops.wfm.requirements import forecast_requirements

router = APIRouter()

INTERVAL_MINUTES = 30
AGENT_METRICS = ("scheduled_hours", "staffed_hours", "adherence", "conformance")


def schedule_day(engine: Engine, db: Session, scope: Scope, day: date) -> dict[str, Any]:
    """One local day: per interval the agents scheduled and staffed, per agent the activities."""
    start, end = day_bounds_utc(db, day)
    zone = center_zone(db)
    ids = scope.agent_id_list(db)
    per_interval = kpis.figures(
        engine, db, ["interval30"], start, end, ids, metrics=("scheduled_hours", "staffed_hours")
    )
    per_agent = kpis.figures(engine, db, ["agent"], start, end, ids, metrics=AGENT_METRICS)
    names = dict(db.execute(select(Agent.key, Agent.name).where(scope.agents())).tuples().all())
    agents: dict[str, dict[str, Any]] = {}
    for key, activity, s, e in published_activities(engine, start, end):
        if key not in names:
            continue
        row = agents.setdefault(
            key,
            {"key": key, "name": names[key], "activities": [], **per_agent.get((key,), {})},
        )
        row["activities"].append(
            {
                "activity": activity,
                "start": s.astimezone(zone).replace(tzinfo=None).isoformat(),
                "end": e.astimezone(zone).replace(tzinfo=None).isoformat(),
            }
        )
    per_hour = 60 / INTERVAL_MINUTES  # hours in a 30-minute interval → agents on average
    queues, required = _required(db, day) if scope.sees_everyone else ([], {})
    times = sorted({when for (when,) in per_interval} | set(required))
    intervals = []
    for when in times:
        f = per_interval.get((when,), {})
        intervals.append(
            {
                "start": when.isoformat(),
                "scheduled": (f.get("scheduled_hours") or 0.0) * per_hour,
                "staffed": (f.get("staffed_hours") or 0.0) * per_hour,
                "required": required.get(when),
            }
        )
    return {
        "day": day.isoformat(),
        "time_zone": zone.key,
        "required_queues": queues,
        "intervals": intervals,
        "agents": sorted(agents.values(), key=lambda a: (a["activities"][0]["start"], a["name"])),
    }


def _required(db: Session, day: date) -> tuple[list[str], dict[datetime, float]]:
    """Agents required on the phones per 30-minute interval of a local day: the sum over the
    queues with a stored forecast of each queue's Erlang C requirement for its own target (its
    latest forecast, occupancy capped at 85 %, no shrinkage: the scheduled line is agents on the
    phones). A sum over queues: agents who serve several queues pool their work, so it is the
    upper end. Returns the queues counted and the sum per interval start."""
    zone = center_zone(db)
    counted: list[str] = []
    total: dict[datetime, float] = {}
    forecast_queues = select(Queue).where(Queue.id.in_(select(Forecast.queue_id)))
    for queue in db.scalars(forecast_queues.order_by(Queue.key)):
        found = latest_forecast(db, queue.key)
        if found is None:
            continue
        forecast, rows = found
        if (
            forecast.interval_minutes > INTERVAL_MINUTES
            or INTERVAL_MINUTES % forecast.interval_minutes
        ):
            continue  # daily or hourly forecasts do not say how a half hour is staffed
        per = INTERVAL_MINUTES // forecast.interval_minutes
        need = forecast_requirements(
            [(r.interval_start, r.contacts, r.aht_seconds) for r in rows],
            forecast.interval_minutes,
            zone,
            day,
            1,
            answer_within=queue.sl_threshold_seconds,
            service_level=queue.sl_target,
            max_occupancy=0.85,
        )
        if not any(r.contacts for r in need):
            continue
        counted.append(queue.key)
        for k in range(0, len(need), per):
            part = need[k : k + per]
            total[part[0].start] = total.get(part[0].start, 0.0) + sum(r.agents for r in part) / per
    return counted, total


@router.get("/schedule", include_in_schema=False)
def schedule_page(
    request: Request, scope: ScopeDep, db: SessionDep, engine: EngineDep, day: str | None = None
) -> Response:
    """The day's schedule grid, scheduled against staffed agents, and adherence per agent."""
    scope.require("schedules")
    data = schedule_day(engine, db, scope, requested_day(day, db))
    return render(request, "schedule.html", data=data)


@router.get("/api/v1/schedule", tags=["schedules"])
def schedule_data(
    scope: ScopeDep, db: SessionDep, engine: EngineDep, day: str | None = None
) -> dict[str, Any]:
    """A day's published activities per agent, agents scheduled and staffed per 30 minutes, and
    each agent's adherence and conformance (within your scope; local times of the center)."""
    scope.require("schedules")
    return schedule_day(engine, db, scope, requested_day(day, db))


@router.get("/schedule.csv", include_in_schema=False)
def schedule_csv(
    scope: ScopeDep, db: SessionDep, engine: EngineDep, day: str | None = None
) -> Response:
    """The day's published activities as CSV (agent, name, activity, start, end; local time)."""
    scope.require("schedules")
    data = schedule_day(engine, db, scope, requested_day(day, db))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agent", "name", "activity", "start", "end"])
    for agent in data["agents"]:
        for act in agent["activities"]:
            writer.writerow(
                [agent["key"], agent["name"], act["activity"], act["start"], act["end"]]
            )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="schedule-{data["day"]}.csv"'},
    )


@router.get("/schedule.xlsx", include_in_schema=False)
def schedule_xlsx(
    scope: ScopeDep, db: SessionDep, engine: EngineDep, day: str | None = None
) -> Response:
    """The day as an Excel workbook: the activities, and agents per interval (scheduled,
    staffed, required) — local times."""
    from openpyxl import Workbook

    scope.require("schedules")
    data = schedule_day(engine, db, scope, requested_day(day, db))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Activities"
    sheet.append(["agent", "name", "activity", "start", "end"])
    for agent in data["agents"]:
        for act in agent["activities"]:
            sheet.append([agent["key"], agent["name"], act["activity"],
                          datetime.fromisoformat(act["start"]),
                          datetime.fromisoformat(act["end"])])  # fmt: skip
    per = book.create_sheet("Intervals")
    per.append(["start", "scheduled", "staffed", "required"])
    for i in data["intervals"]:
        per.append(
            [datetime.fromisoformat(i["start"]), i["scheduled"], i["staffed"], i["required"]]
        )
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="schedule-{data["day"]}.xlsx"'},
    )
