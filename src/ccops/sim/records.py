"""Contact records: the simulated events in columnar form, one row per contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Outcome codes in `ContactRecords.outcome` (names match `ccops.events.Outcome`).
HANDLED = 0
ABANDONED = 1
TRANSFERRED = 2
CONTAINED = 3
OUTCOME_NAMES = ("handled", "abandoned", "transferred", "contained_in_ivr")

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


@dataclass(slots=True)
class ContactRecords:
    """Per-contact times in seconds from `start`; NaN where the step did not happen."""

    start: datetime
    seed: int
    queue_names: tuple[str, ...]
    queue_channels: tuple[str, ...]
    agent_names: tuple[str, ...]
    arrival: FloatArray
    queue: IntArray
    answered: FloatArray
    abandoned: FloatArray
    ended: FloatArray
    wrapped: FloatArray
    agent: IntArray
    hold: FloatArray
    outcome: IntArray
    customer: IntArray | None = None
    vip_tier: IntArray | None = None
    priority: IntArray | None = None
    segment: IntArray | None = None
    segment_names: tuple[str, ...] = ()
    reason: IntArray | None = None
    reason_names: tuple[str, ...] = ()
    resolved: IntArray | None = None  # 1 resolved, 0 not, -1 unknown
    transfer_to: IntArray | None = None
    parent: IntArray | None = None
    virtual_hold: BoolArray | None = None
    agent_log: list[tuple[float, int, int, int]] = field(default_factory=list)

    def __len__(self) -> int:
        """Number of contacts."""
        return int(self.arrival.shape[0])

    @property
    def wait(self) -> FloatArray:
        """Seconds in queue until answer or abandon (NaN for IVR-contained contacts)."""
        left = np.where(np.isnan(self.answered), self.abandoned, self.answered)
        result: FloatArray = left - self.arrival
        return result
