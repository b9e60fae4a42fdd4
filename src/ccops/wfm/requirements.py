"""Agents required per interval from forecast volume and handle time, via the queueing core.

Erlang C per interval, or Erlang A where a mean patience is given (queues with abandonment);
occupancy capped; heads to schedule after shrinkage, planned (breaks, training, meetings) and
unplanned (absence) combined as 1 − (1 − planned)(1 − unplanned).
"""

from __future__ import annotations

from dataclasses import dataclass

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
