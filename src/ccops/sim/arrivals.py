"""Arrivals: a non-homogeneous Poisson process, constant within each interval of the day."""

from __future__ import annotations

import numpy as np

from ccops.sim.records import FloatArray, IntArray
from ccops.sim.scenario import Queue, Scenario


def expected_per_interval(scenario: Scenario, queue: Queue, days: int) -> FloatArray:
    """Expected fresh contacts per interval for `days` days (forecast, or volume × profile)."""
    per_day = 1440 // scenario.interval_minutes
    n = per_day * days
    if queue.forecast is not None:
        f = np.asarray(queue.forecast, dtype=np.float64)
        return np.resize(f, n)  # repeats the forecast (e.g. one day's intervals) as needed
    if queue.profile == "flat":
        hourly = np.ones(24)
        weekly = np.ones(7)
    else:
        p = scenario.profiles[queue.profile]
        hourly = np.asarray(p.hourly)
        weekly = np.asarray(p.weekly)
    day_shape = np.repeat(hourly / hourly.sum(), per_day // 24 if per_day >= 24 else 1)
    if per_day < 24:  # intervals longer than an hour: sum the hours they cover
        day_shape = (hourly / hourly.sum()).reshape(per_day, -1).sum(axis=1)
    else:
        day_shape = day_shape / day_shape.sum()
    weekday0 = scenario.start.weekday()
    week = weekly / weekly.mean()
    day_factor = np.array([week[(weekday0 + d) % 7] for d in range(days)])
    result: FloatArray = (queue.daily_volume * day_factor[:, None] * day_shape[None, :]).ravel()
    return result


def generate_arrivals(
    scenario: Scenario, days: int, rng: np.random.Generator
) -> tuple[FloatArray, IntArray]:
    """Fresh arrival times (seconds from start) and queue indexes, sorted by time."""
    length = scenario.interval_minutes * 60.0
    times: list[FloatArray] = []
    queues: list[IntArray] = []
    for qi, q in enumerate(scenario.queues):
        mean = expected_per_interval(scenario, q, days)
        counts = rng.poisson(mean)
        starts = np.repeat(np.arange(mean.size, dtype=np.float64) * length, counts)
        times.append(starts + rng.uniform(0.0, length, starts.size))
        queues.append(np.full(starts.size, qi, dtype=np.int64))
    t = np.concatenate(times)
    q_idx = np.concatenate(queues)
    order = np.argsort(t, kind="stable")
    return t[order], q_idx[order]
