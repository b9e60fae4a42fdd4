"""POST /staffing: Erlang C / Erlang A staffing for many intervals in one request."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ccops.queueing import staffing

router = APIRouter()

_TARGETS = ("service_level", "target_asa_seconds", "max_abandon", "max_occupancy")


class StaffingInterval(BaseModel):
    """One interval: its traffic, targets, and optionally a fixed number of agents to evaluate."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    interval_start: str | None = Field(None, description="Echoed back; e.g. ISO 8601.")
    queue: str | None = Field(None, description="Echoed back.")
    calls: float = Field(ge=0, description="Contacts offered in the interval.")
    interval_minutes: float = Field(30.0, gt=0)
    aht_seconds: float = Field(gt=0, description="Average handle time, seconds.")
    answer_within_seconds: float = Field(20.0, ge=0, description="Service-level threshold T.")
    service_level: float | None = Field(None, ge=0, le=1, description="Target share within T.")
    target_asa_seconds: float | None = Field(None, gt=0, description="Target ASA (at most).")
    max_abandon: float | None = Field(None, ge=0, le=1, description="Needs patience_seconds.")
    max_occupancy: float | None = Field(None, gt=0, le=1)
    patience_seconds: float | None = Field(None, gt=0, description="Erlang A when given.")
    short_abandon_seconds: float = Field(0.0, ge=0, description="Excluded from SL (Erlang A).")
    shrinkage: float = Field(0.0, ge=0, lt=1)
    agents: int | None = Field(None, ge=0, description="Evaluate these agents instead.")

    @model_validator(mode="after")
    def _targets_make_sense(self) -> StaffingInterval:
        if self.max_abandon is not None and self.patience_seconds is None:
            raise ValueError("max_abandon needs patience_seconds (Erlang A)")
        if (
            self.agents is None
            and self.calls > 0
            and all(getattr(self, name) is None for name in _TARGETS)
        ):
            raise ValueError("give agents, or at least one target: " + ", ".join(_TARGETS))
        return self


class StaffingRequest(BaseModel):
    """Many intervals, solved (or evaluated) in one vectorised pass."""

    model_config = ConfigDict(extra="forbid")

    intervals: list[StaffingInterval] = Field(min_length=1, max_length=200_000)


class StaffingResult(BaseModel):
    """Agents and the measures they achieve; asa_seconds is null when infinite (unstable)."""

    interval_start: str | None
    queue: str | None
    agents: int
    scheduled_agents: int
    service_level: float
    asa_seconds: float | None
    wait_probability: float
    occupancy: float
    abandon_probability: float | None = None


class StaffingResponse(BaseModel):
    """Results in request order."""

    intervals: list[StaffingResult]


def _column(items: list[StaffingInterval], name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array(
        [np.nan if getattr(i, name) is None else float(getattr(i, name)) for i in items],
        dtype=np.float64,
    )


def _finite(value: float) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


@router.post("/staffing", response_model=StaffingResponse)
def post_staffing(request: StaffingRequest) -> StaffingResponse:
    """Find the fewest agents meeting each interval's targets, or evaluate the agents given."""
    items = request.intervals
    patience = _column(items, "patience_seconds")
    aht = _column(items, "aht_seconds")
    try:
        result = staffing(
            _column(items, "calls") * aht / (_column(items, "interval_minutes") * 60.0),
            aht,
            _column(items, "answer_within_seconds"),
            service_level=_column(items, "service_level"),
            asa=_column(items, "target_asa_seconds"),
            max_abandon=_column(items, "max_abandon"),
            max_occupancy=_column(items, "max_occupancy"),
            patience=None if np.all(np.isnan(patience)) else patience,
            short_abandon=_column(items, "short_abandon_seconds"),
            shrinkage=_column(items, "shrinkage"),
            agents=_column(items, "agents"),
        )
    except ValueError as exc:
        match = re.search(r"interval(?:\(s\))? (\d+)", str(exc))
        loc: list[str | int] = ["body", "intervals"]
        if match:
            loc.append(int(match.group(1)))
        raise HTTPException(
            status_code=422, detail=[{"loc": loc, "msg": str(exc), "type": "value_error"}]
        ) from exc
    out = []
    for k, item in enumerate(items):
        abandon = None
        if item.patience_seconds is not None and result.abandon_probability is not None:
            abandon = _finite(result.abandon_probability[k])
        out.append(
            StaffingResult(
                interval_start=item.interval_start,
                queue=item.queue,
                agents=int(result.agents[k]),
                scheduled_agents=int(result.scheduled_agents[k]),
                service_level=float(result.service_level[k]),
                asa_seconds=_finite(result.asa[k]),
                wait_probability=float(result.wait_probability[k]),
                occupancy=float(result.occupancy[k]),
                abandon_probability=abandon,
            )
        )
    return StaffingResponse(intervals=out)
