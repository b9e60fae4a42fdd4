"""The center's balanced scorecard: service level, quality and cost against their targets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Measure:
    """A scorecard line: its perspective, catalog metric id, target and direction."""

    perspective: str
    metric: str
    target: float
    higher_is_better: bool = True


DEFAULT_MEASURES = (
    Measure("service", "service_level", 0.80),
    Measure("quality", "accuracy", 0.95),
    Measure("quality", "fcr_rate", 0.75),
    Measure("cost", "cost_per_contact", 5.0, higher_is_better=False),
    Measure("cost", "utilization", 0.80),
)


@dataclass(frozen=True, slots=True)
class Line:
    """One measured line of the scorecard; `met` is None when there is no figure."""

    perspective: str
    metric: str
    value: float | None
    target: float
    higher_is_better: bool
    met: bool | None


def scorecard(
    figures: Mapping[str, float | None], measures: tuple[Measure, ...] = DEFAULT_MEASURES
) -> list[Line]:
    """The scorecard lines for catalog `figures` (metric name → value for the period)."""
    lines: list[Line] = []
    for m in measures:
        value = figures.get(m.metric)
        if value is None or not math.isfinite(value):
            lines.append(Line(m.perspective, m.metric, None, m.target, m.higher_is_better, None))
            continue
        met = value >= m.target if m.higher_is_better else value <= m.target
        lines.append(Line(m.perspective, m.metric, value, m.target, m.higher_is_better, met))
    return lines


__all__ = ["DEFAULT_MEASURES", "Line", "Measure", "scorecard"]
