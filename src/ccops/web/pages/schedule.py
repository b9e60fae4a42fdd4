"""The schedule page: a day's published schedule as a grid per agent, the plan against the floor
per interval, and each agent's adherence — within the viewer's scope.

Activities come from the store's current published schedules; every figure (scheduled and staffed
hours, adherence, conformance) from the metric catalog, so the page agrees with `ccops report`.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api.deps import EngineDep, ScopeDep, SessionDep
from ccops.store.models import Agent
from ccops.store.schedule_models import published_activities
from ccops.web import kpis
from ccops.web.clock import center_zone, day_bounds_utc, requested_day
from ccops.web.scope import Scope
from ccops.web.templating import render

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
    intervals = [
        {
            "start": when.isoformat(),
            "scheduled": (f.get("scheduled_hours") or 0.0) * per_hour,
            "staffed": (f.get("staffed_hours") or 0.0) * per_hour,
        }
        for (when,), f in sorted(per_interval.items())
    ]
    return {
        "day": day.isoformat(),
        "time_zone": zone.key,
        "intervals": intervals,
        "agents": sorted(agents.values(), key=lambda a: (a["activities"][0]["start"], a["name"])),
    }


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
