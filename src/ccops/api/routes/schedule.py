"""POST /schedule/cover and /schedule/roster: the quick mode and named rosters, as JSON.

Both take the requirement as intervals (interval_start, required), like `ccops schedule`'s CSV;
the roster also takes the staff file's structure (template, contract, agent) as JSON. The
solvers run in a worker thread, under a time limit of at most two minutes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ccops.api.deps import CsrfHeaderChecked, ScopeDep

router = APIRouter()


class RequiredInterval(BaseModel):
    """One interval of the requirement."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    interval_start: datetime = Field(description="Local wall-clock start, e.g. 2026-12-07T08:30.")
    required: float = Field(ge=0, description="Agents required on the phones.")


class _ScheduleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    intervals: list[RequiredInterval] = Field(min_length=1, max_length=20_000)
    under_weight: float = Field(1.0, ge=0)
    over_weight: float = Field(1.0, ge=0)
    time_limit: float = Field(60.0, gt=0, le=120)


class CoverRequest(_ScheduleRequest):
    """The quick mode: shifts by start and length."""

    shift_lengths: list[float] = Field([4, 6, 8, 10], min_length=1, description="Hours.")
    start_step_minutes: int = Field(30, gt=0)
    wrap: bool = True
    minimize: str = Field("difference", pattern="^(difference|shifts)$")


class RosterRequest(_ScheduleRequest):
    """Named rosters: the staff as in a staff file (template, contract, agent)."""

    staff: dict[str, Any]
    preference_weight: float = Field(0.5, ge=0)


def _grid(intervals: list[RequiredInterval]) -> tuple[datetime, int, np.ndarray[Any, Any]]:
    """The first start, the interval length and the requirement; contiguous or a 422."""
    starts = [i.interval_start.replace(tzinfo=None) for i in intervals]
    if len(starts) < 2:
        raise HTTPException(422, "give at least two intervals (their spacing is the length)")
    minutes = (starts[1] - starts[0]) / timedelta(minutes=1)
    for k in range(1, len(starts)):
        if (starts[k] - starts[k - 1]) / timedelta(minutes=1) != minutes or minutes <= 0:
            raise HTTPException(
                422,
                f"intervals[{k}]: starts must be contiguous and {minutes:g} minutes apart "
                "(sorted by time)",
            )
    if minutes != int(minutes):
        raise HTTPException(422, "intervals must be whole minutes long")
    return starts[0], int(minutes), np.array([i.required for i in intervals], dtype=np.float64)


@router.post("/schedule/cover", tags=["schedules"])
async def post_cover(
    body: CoverRequest, scope: ScopeDep, _csrf: CsrfHeaderChecked
) -> dict[str, Any]:
    """How many shifts of each length to start when (WFM analyst, manager, admin)."""
    from ccops.wfm.cover import cover

    scope.require("forecasts")
    first, minutes, required = _grid(body.intervals)
    try:
        result = await run_in_threadpool(
            cover,
            required,
            minutes,
            body.shift_lengths,
            body.start_step_minutes,
            wrap=body.wrap,
            under_weight=body.under_weight,
            over_weight=body.over_weight,
            minimize="shifts" if body.minimize == "shifts" else "difference",
            time_limit=body.time_limit,
        )
    except (ValueError, RuntimeError) as exc:
        raise HTTPException(422, str(exc)) from exc
    return result.as_json(first)


@router.post("/schedule/roster", tags=["schedules"])
async def post_roster(
    body: RosterRequest, scope: ScopeDep, _csrf: CsrfHeaderChecked
) -> dict[str, Any]:
    """Named rosters: who works when, with breaks, under every hard rule (WFM analyst,
    manager, admin). The activities are what `ccops publish-schedule` reads."""
    from ccops.wfm.roster import schedule_named
    from ccops.wfm.schedule import schedule_activities
    from ccops.wfm.staff_file import StaffFileError, staff_from_mapping

    scope.require("forecasts")
    first, minutes, required = _grid(body.intervals)
    total = required.size * minutes
    if first.time() != datetime.min.time() or total % 1440:
        raise HTTPException(
            422, "a named schedule covers whole days: start at 00:00 and give whole days"
        )
    days = total // 1440
    try:
        agents, templates = staff_from_mapping(body.staff, first.date(), days, "staff")
        result = await run_in_threadpool(
            schedule_named,
            required,
            minutes,
            agents,
            templates,
            under_weight=body.under_weight,
            over_weight=body.over_weight,
            preference_weight=body.preference_weight,
            time_limit=body.time_limit,
        )
    except (StaffFileError, ValueError, RuntimeError) as exc:
        raise HTTPException(422, str(exc)) from exc
    paid = sum(a.end - a.start for a in result.assignments) / 60.0
    return {
        "agents": len(agents),
        "days": days,
        "interval_minutes": minutes,
        "shifts": len(result.assignments),
        "paid_hours": paid,
        "under_coverage": result.under,
        "over_coverage": result.over,
        "preference_violations": result.preference_violations,
        "objective": result.objective,
        "lp_bound": result.lp_bound,
        "lower_bound": result.lower_bound,
        "gap": result.gap if math.isfinite(result.gap) else None,
        "status": result.status,
        "solve_seconds": round(result.seconds, 3),
        "coverage": [int(c) for c in result.coverage],
        "activities": [
            {
                "agent": agent,
                "activity": kind,
                "start": (first + timedelta(minutes=start)).isoformat(timespec="minutes"),
                "end": (first + timedelta(minutes=end)).isoformat(timespec="minutes"),
            }
            for agent, kind, start, end in schedule_activities(result.assignments, templates)
        ],
    }
