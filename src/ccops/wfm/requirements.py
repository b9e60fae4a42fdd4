"""Agents required per interval from forecast volume and handle time, via the queueing core.

Erlang C per interval, or Erlang A where a mean patience is given (queues with abandonment);
occupancy capped; heads to schedule after shrinkage, planned (breaks, training, meetings) and
unplanned (absence) combined as 1 − (1 − planned)(1 − unplanned).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike

from ccops.queueing import Staffing, offered_load, staffing
from ccops.wfm._arrays import FloatArray


@dataclass(frozen=True)
class Requirements:
    """Per interval: agents on the phones, heads to schedule, and what they achieve."""

    load: FloatArray  # Erlangs
    shrinkage: FloatArray  # combined
    staffing: Staffing


def combined_shrinkage(planned: ArrayLike = 0.0, unplanned: ArrayLike = 0.0) -> FloatArray:
    """1 − (1 − planned)(1 − unplanned): the share of paid time not available for contacts."""
    p = np.asarray(planned, dtype=np.float64)
    u = np.asarray(unplanned, dtype=np.float64)
    if np.any((p < 0) | (p >= 1)) or np.any((u < 0) | (u >= 1)):
        raise ValueError("shrinkage must be in [0, 1)")
    return np.asarray(1.0 - (1.0 - p) * (1.0 - u), dtype=np.float64)


def requirements(
    contacts: ArrayLike,
    aht_seconds: ArrayLike,
    interval_minutes: float,
    *,
    answer_within: ArrayLike = 20.0,
    service_level: ArrayLike | None = 0.8,
    asa: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = 0.85,
    patience: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
    planned_shrinkage: ArrayLike = 0.0,
    unplanned_shrinkage: ArrayLike = 0.0,
) -> Requirements:
    """Fewest agents meeting every target per interval, and heads to schedule after shrinkage."""
    load = offered_load(contacts, interval_minutes * 60.0, aht_seconds)
    shrink = np.broadcast_to(combined_shrinkage(planned_shrinkage, unplanned_shrinkage), load.shape)
    result = staffing(
        load,
        aht_seconds,
        answer_within,
        service_level=service_level,
        asa=asa,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
        patience=patience,
        shrinkage=shrink,
    )
    return Requirements(np.asarray(load, dtype=np.float64), np.array(shrink), result)


@dataclass(frozen=True)
class RequirementRow:
    """One interval of a requirement: local start, the forecast, agents and what they achieve."""

    start: datetime  # local wall-clock time, naive
    contacts: float
    aht_seconds: float
    agents: int  # on the phones
    required: int  # heads to schedule, after shrinkage
    service_level: float
    occupancy: float


def forecast_requirements(
    intervals: Sequence[tuple[datetime, float, float | None]],
    interval_minutes: int,
    zone: ZoneInfo,
    first_day: date,
    days: int,
    **targets: Any,
) -> list[RequirementRow]:
    """Requirements for whole local days from a stored forecast's (UTC start, contacts, AHT)
    intervals; every interval of those days gets a row (none forecast: no contacts, no agents).

    `targets` are :func:`requirements`' keywords (answer_within, service_level, max_occupancy,
    patience, planned_shrinkage, unplanned_shrinkage, …).
    """
    by_local: dict[datetime, tuple[float, float]] = {}
    for begins, volume, handle in intervals:
        utc = begins if begins.tzinfo else begins.replace(tzinfo=UTC)
        local = utc.astimezone(zone).replace(tzinfo=None)
        by_local[local] = (float(volume), float(handle or 0.0))
    step = timedelta(minutes=interval_minutes)
    origin = datetime.combine(first_day, time())
    starts = [origin + i * step for i in range(days * 1440 // interval_minutes)]
    contacts = np.array([by_local.get(s, (0.0, 0.0))[0] for s in starts])
    aht = np.array([by_local.get(s, (0.0, 0.0))[1] for s in starts])
    # an interval with contacts but no AHT forecast borrows the mean AHT of the others
    known = aht > 0
    fallback = 0.0
    if known.any():
        fallback = float(np.average(aht[known], weights=np.maximum(contacts[known], 1e-9)))
    aht = np.where(known, aht, fallback)
    busy = (contacts > 0) & (aht > 0)
    agents = np.zeros(len(starts), dtype=np.int64)
    scheduled = np.zeros(len(starts), dtype=np.int64)
    level = np.ones(len(starts))
    occupancy = np.zeros(len(starts))
    if busy.any():
        result = requirements(contacts[busy], aht[busy], interval_minutes, **targets).staffing
        agents[busy] = result.agents
        scheduled[busy] = result.scheduled_agents
        level[busy] = result.service_level
        occupancy[busy] = result.occupancy
    return [
        RequirementRow(s, float(c), float(h), int(a), int(r), float(sl), float(o))
        for s, c, h, a, r, sl, o in zip(
            starts, contacts, aht, agents, scheduled, level, occupancy, strict=True
        )
    ]
