"""Queue KPIs from contact records (the events in columnar form), with batch-means confidence."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from ccops.events import ContactFacts
from ccops.sim.records import CONTAINED, ContactRecords, FloatArray

KPI_NAMES = ("service_level", "asa_seconds", "abandon_rate", "p_wait", "mean_wait_seconds")


@dataclass(frozen=True, slots=True)
class Kpis:
    """Counts and rates for one queue (or all), using the glossary's default definitions."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    service_level: float
    asa_seconds: float
    abandon_rate: float
    p_wait: float
    mean_wait_seconds: float

    def as_dict(self) -> dict[str, float | int]:
        """The KPIs as a plain dict."""
        return asdict(self)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def compute_kpis(
    arrival: FloatArray,
    answered: FloatArray,
    abandoned: FloatArray,
    answer_within: float,
    short_abandon: float,
) -> Kpis:
    """KPIs of offered contacts: SL and abandonment exclude short abandons from the denominator."""
    is_ans = ~np.isnan(answered)
    is_ab = ~np.isnan(abandoned) & ~is_ans
    wait_ans = answered[is_ans] - arrival[is_ans]
    wait_ab = abandoned[is_ab] - arrival[is_ab]
    short = int(np.count_nonzero(wait_ab < short_abandon)) if short_abandon > 0 else 0
    offered = int(arrival.shape[0])
    n_ans = int(is_ans.sum())
    n_ab = int(is_ab.sum())
    base = offered - short
    waited = int(np.count_nonzero(wait_ans > 0)) + n_ab
    return Kpis(
        offered=offered,
        answered=n_ans,
        abandoned=n_ab,
        short_abandoned=short,
        service_level=_ratio(float(np.count_nonzero(wait_ans <= answer_within)), base),
        asa_seconds=_ratio(float(wait_ans.sum()), n_ans),
        abandon_rate=_ratio(n_ab - short, base),
        p_wait=_ratio(waited, offered),
        mean_wait_seconds=_ratio(float(wait_ans.sum() + wait_ab.sum()), n_ans + n_ab),
    )


def _select(records: ContactRecords, queue: str | None, warmup: float) -> np.ndarray:
    mask = records.arrival >= warmup
    mask &= records.outcome != CONTAINED
    if queue is not None:
        mask &= records.queue == records.queue_names.index(queue)
    return mask


def records_kpis(
    records: ContactRecords,
    answer_within: float = 20.0,
    short_abandon: float = 0.0,
    queue: str | None = None,
    warmup: float = 0.0,
) -> Kpis:
    """KPIs of one queue (or all queues) from records, skipping arrivals before `warmup`."""
    m = _select(records, queue, warmup)
    return compute_kpis(
        records.arrival[m], records.answered[m], records.abandoned[m], answer_within, short_abandon
    )


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean with the half-width of its 95% confidence interval."""

    mean: float
    half_width: float

    @property
    def low(self) -> float:
        """Lower end of the interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper end of the interval."""
        return self.mean + self.half_width

    def covers(self, value: float) -> bool:
        """Whether the interval contains `value`."""
        return self.low <= value <= self.high


def mean_ci(values: Iterable[float], level: float = 0.95) -> Estimate:
    """Student-t confidence interval of the mean of independent values (NaNs ignored)."""
    arr = np.asarray([v for v in values if not math.isnan(v)], dtype=np.float64)
    if arr.size == 0:
        return Estimate(math.nan, math.nan)
    if arr.size == 1:
        return Estimate(float(arr[0]), math.inf)
    t = float(stats.t.ppf(0.5 + level / 2.0, arr.size - 1))
    return Estimate(float(arr.mean()), t * float(arr.std(ddof=1)) / math.sqrt(arr.size))


def batch_means(
    records: ContactRecords,
    answer_within: float = 20.0,
    short_abandon: float = 0.0,
    batches: int = 20,
    queue: str | None = None,
    warmup: float = 0.0,
) -> dict[str, Estimate]:
    """95% intervals of each KPI from one long run, by batch means over equal spans of arrivals."""
    m = _select(records, queue, warmup)
    return array_batch_means(
        records.arrival[m],
        records.answered[m],
        records.abandoned[m],
        answer_within,
        short_abandon,
        batches,
    )


def array_batch_means(
    arrival: FloatArray,
    answered: FloatArray,
    abandoned: FloatArray,
    answer_within: float = 20.0,
    short_abandon: float = 0.0,
    batches: int = 20,
) -> dict[str, Estimate]:
    """Batch-means 95% intervals from plain arrays sorted by arrival (e.g. another simulator's)."""
    if arrival.size == 0:
        return {name: Estimate(math.nan, math.nan) for name in KPI_NAMES}
    edges = np.linspace(float(arrival.min()), float(arrival.max()) + 1e-9, batches + 1)
    idx = np.searchsorted(arrival, edges)
    per: dict[str, list[float]] = {name: [] for name in KPI_NAMES}
    for b in range(batches):
        s = slice(int(idx[b]), int(idx[b + 1]))
        k = compute_kpis(arrival[s], answered[s], abandoned[s], answer_within, short_abandon)
        for name in KPI_NAMES:
            per[name].append(float(getattr(k, name)))
    return {name: mean_ci(vals) for name, vals in per.items()}


def facts_kpis(
    facts: Iterable[ContactFacts], answer_within: float = 20.0, short_abandon: float = 0.0
) -> Kpis:
    """The same KPIs from folded canonical events (IVR-contained contacts left out)."""
    arrival: list[float] = []
    answered: list[float] = []
    abandoned: list[float] = []
    for c in facts:
        if c.offered_at is None or c.outcome == "contained_in_ivr":
            continue
        t0 = c.offered_at
        arrival.append(0.0)
        answered.append((c.answered_at - t0).total_seconds() if c.answered_at else math.nan)
        abandoned.append((c.abandoned_at - t0).total_seconds() if c.abandoned_at else math.nan)
    arr, ans, ab = np.asarray(arrival), np.asarray(answered), np.asarray(abandoned)
    return compute_kpis(arr, ans, ab, answer_within, short_abandon)
