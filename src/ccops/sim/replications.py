"""Replications: run a scenario R times with different seeds; KPI means with 95% intervals."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from scipy import stats

from ccops.sim.engine import simulate
from ccops.sim.kpis import Estimate, mean_ci
from ccops.sim.records import CONTAINED, HANDLED, ContactRecords, FloatArray
from ccops.sim.rota import Rota
from ccops.sim.scenario import Scenario

INTERVAL_KPIS = ("offered", "service_level", "asa_seconds", "abandon_rate", "aht_seconds")
RUN_KPIS = (*INTERVAL_KPIS, "first_contact_resolution")


def first_contact_resolution(
    records: ContactRecords, queue: int, window_days: float = 7.0
) -> float:
    """Handled contacts whose customer does not come back on the same reason within the window."""
    if records.customer is None:
        return math.nan
    parent = records.parent if records.parent is not None else np.full(len(records), -1)
    reason = records.reason if records.reason is not None else np.zeros(len(records), np.int64)
    fresh = parent < 0  # a transfer leg is the same contact, not a further one
    idx = np.flatnonzero(fresh)
    order = idx[np.lexsort((records.arrival[idx], reason[idx], records.customer[idx]))]
    cust, rsn, arr = records.customer[order], reason[order], records.arrival[order]
    same_next = np.zeros(order.size, dtype=bool)
    same_next[:-1] = (cust[1:] == cust[:-1]) & (rsn[1:] == rsn[:-1])
    gap = np.full(order.size, math.inf)
    gap[:-1] = arr[1:] - arr[:-1]
    came_back = same_next & (gap <= window_days * 86400.0)
    handled = (records.outcome[order] == HANDLED) & (records.queue[order] == queue)
    n = int(handled.sum())
    return float((handled & ~came_back).sum()) / n if n else math.nan


def interval_kpis(
    records: ContactRecords, scenario: Scenario, n_intervals: int
) -> dict[str, FloatArray]:
    """Per (queue, interval) KPIs of one run, each an array shaped (queues, intervals).

    The KPIs of ``INTERVAL_KPIS`` and ``handled`` (contacts handled, by arrival interval).
    """
    length = scenario.interval_minutes * 60.0
    q_count = len(scenario.queues)
    keep = records.outcome != CONTAINED
    arrival, queue = records.arrival[keep], records.queue[keep]
    answered, abandoned = records.answered[keep], records.abandoned[keep]
    ended, wrapped = records.ended[keep], records.wrapped[keep]
    slot = np.minimum((arrival // length).astype(np.int64), n_intervals - 1)
    cell = queue * n_intervals + slot
    size = q_count * n_intervals
    within = np.array([q.answer_within for q in scenario.queues])[queue]
    short_s = np.array([q.short_abandon for q in scenario.queues])[queue]
    is_ans = ~np.isnan(answered)
    wait = np.where(is_ans, answered - arrival, abandoned - arrival)
    is_ab = ~np.isnan(abandoned) & ~is_ans
    short = is_ab & (wait < short_s)
    handled = is_ans & ~np.isnan(ended)
    # talk + hold + after-call work, as the emitted events carry them
    after = np.where(wrapped > ended, wrapped - ended, 0.0)
    handle = np.where(handled, np.maximum(ended - answered, records.hold[keep]) + after, 0.0)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> FloatArray:
        w = mask.astype(np.float64) if weights is None else np.where(mask, weights, 0.0)
        out: FloatArray = np.bincount(cell, weights=w, minlength=size).astype(np.float64)
        return out.reshape(q_count, n_intervals)

    offered = count(np.ones_like(is_ans))
    base = offered - count(short)
    answered_n = count(is_ans)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "offered": offered,
            "service_level": count(is_ans & (wait <= within)) / base,
            "asa_seconds": count(is_ans, wait) / answered_n,
            "abandon_rate": count(is_ab & ~short) / base,
            "aht_seconds": count(handled, handle) / count(handled),
            "handled": count(handled),
        }


def run_kpis(records: ContactRecords, scenario: Scenario) -> dict[str, dict[str, float]]:
    """Whole-run KPIs per queue (each queue with its own SL threshold and short abandon)."""
    whole = interval_kpis(records, scenario, 1)
    out: dict[str, dict[str, float]] = {}
    for qi, q in enumerate(scenario.queues):
        kpis = {k: float(whole[k][qi, 0]) for k in INTERVAL_KPIS}
        kpis["first_contact_resolution"] = first_contact_resolution(records, qi)
        out[q.name] = kpis
    return out


@dataclass(frozen=True, slots=True)
class ReplicationReport:
    """KPI means and 95% half-widths per queue and interval, and per queue over the whole run."""

    scenario: str
    days: int
    seeds: tuple[int, ...]
    queues: tuple[str, ...]
    interval_starts: tuple[datetime, ...]
    mean: dict[str, FloatArray]
    half_width: dict[str, FloatArray]
    overall: dict[str, dict[str, Estimate]] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows (queue, interval_start, kpi, mean, ci_low, ci_high) where there was traffic."""
        out: list[dict[str, Any]] = []
        offered = self.mean["offered"]
        for qi, q in enumerate(self.queues):
            for ii, start in enumerate(self.interval_starts):
                if not offered[qi, ii] > 0:
                    continue
                for kpi in INTERVAL_KPIS:
                    m, h = float(self.mean[kpi][qi, ii]), float(self.half_width[kpi][qi, ii])
                    out.append(
                        {
                            "queue": q,
                            "interval_start": start.isoformat().replace("+00:00", "Z"),
                            "kpi": kpi,
                            "mean": m,
                            "ci_low": m - h,
                            "ci_high": m + h,
                        }
                    )
        return out


def replicate(
    scenario: Scenario,
    days: int,
    seed: int,
    replications: int,
    on_run: Callable[[int, ContactRecords], None] | None = None,
    rota: Rota | None = None,
) -> ReplicationReport:
    """Run seeds seed, seed+1, ... and summarise each KPI per queue and interval with a 95% CI.

    With a `rota`, every replication works that rota (a schedule tried before it is published).
    """
    if replications < 2:
        raise ValueError("replications must be >= 2 for a confidence interval")
    n_intervals = days * 1440 // scenario.interval_minutes
    per_run: dict[str, list[FloatArray]] = {k: [] for k in INTERVAL_KPIS}
    overall: dict[str, dict[str, list[float]]] = {
        q.name: {k: [] for k in RUN_KPIS} for q in scenario.queues
    }
    seeds = tuple(seed + r for r in range(replications))
    for s in seeds:
        rec = simulate(scenario, days, s, rota=rota)
        if on_run is not None:
            on_run(s, rec)
        cells = interval_kpis(rec, scenario, n_intervals)
        for k in INTERVAL_KPIS:
            per_run[k].append(cells[k])
        for name, kpis in run_kpis(rec, scenario).items():
            for k, value in kpis.items():
                overall[name][k].append(value)
    t = float(stats.t.ppf(0.975, replications - 1))
    mean: dict[str, FloatArray] = {}
    half: dict[str, FloatArray] = {}
    for k, runs in per_run.items():
        stack = np.stack(runs)
        valid = (~np.isnan(stack)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells stay NaN
            m = np.nanmean(stack, axis=0)
            sd = np.nanstd(stack, axis=0, ddof=1)
            mean[k] = m
            half[k] = np.where(valid > 1, t * sd / np.sqrt(np.maximum(valid, 1)), np.inf)
    starts = tuple(
        scenario.start + timedelta(minutes=i * scenario.interval_minutes)
        for i in range(n_intervals)
    )
    return ReplicationReport(
        scenario=scenario.name,
        days=days,
        seeds=seeds,
        queues=tuple(q.name for q in scenario.queues),
        interval_starts=starts,
        mean=mean,
        half_width=half,
        overall={q: {k: mean_ci(v) for k, v in d.items()} for q, d in overall.items()},
    )
