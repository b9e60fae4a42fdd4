"""The fast single-queue kernel: M/M/c and M/M/c+M, first come first served, longest-idle agent.

FCFS with abandonment has a simple exact recursion: handle contacts in arrival order; the earliest
free agent (a heap of free times) takes the next contact that is still waiting when it frees. A
contact whose wait would exceed its patience leaves and never occupies an agent, so it does not
delay anyone. One heap operation per contact, on floats: no event objects at all.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from ccops.sim.records import (
    ABANDONED,
    DEFAULT_START,
    HANDLED,
    ContactRecords,
)


def _agent_names(agents: int) -> tuple[str, ...]:
    width = max(4, len(str(agents)))
    return tuple(f"agent-{i + 1:0{width}d}" for i in range(agents))


def simulate_mmc(
    arrival_rate: float,
    aht: float,
    agents: int,
    hours: float,
    seed: int,
    patience: float | None = None,
    queue: str = "mmc",
) -> ContactRecords:
    """Simulate one queue: Poisson arrivals (per second), exponential handle (and patience)."""
    if arrival_rate <= 0 or aht <= 0 or agents < 1 or hours <= 0:
        raise ValueError("arrival_rate, aht and hours must be > 0 and agents >= 1")
    if patience is not None and patience <= 0:
        raise ValueError("patience must be > 0 seconds")
    rng = np.random.default_rng(seed)
    horizon = hours * 3600.0
    n = int(rng.poisson(arrival_rate * horizon))
    # Given their count, Poisson arrival times are uniform order statistics on the horizon.
    arrival = np.sort(rng.uniform(0.0, horizon, n))
    service = rng.exponential(aht, n)
    arr = arrival.tolist()
    svc = service.tolist()
    answered = [math.nan] * n
    agent = [-1] * n
    free: list[tuple[float, int]] = [(0.0, a) for a in range(agents)]
    replace = heapq.heapreplace
    if patience is None:
        for i in range(n):
            t = arr[i]
            f, a = free[0]
            if f < t:
                f = t
            answered[i] = f
            agent[i] = a
            replace(free, (f + svc[i], a))
        abandoned = np.full(n, math.nan)
    else:
        pat = rng.exponential(patience, n).tolist()
        gave_up = [math.nan] * n
        for i in range(n):
            t = arr[i]
            f, a = free[0]
            if f <= t:
                answered[i] = t
                agent[i] = a
                replace(free, (t + svc[i], a))
            elif f - t <= pat[i]:
                answered[i] = f
                agent[i] = a
                replace(free, (f + svc[i], a))
            else:
                gave_up[i] = t + pat[i]
        abandoned = np.asarray(gave_up, dtype=np.float64)
    ans = np.asarray(answered, dtype=np.float64)
    ended = ans + service  # NaN stays NaN for abandoned contacts
    outcome = np.where(np.isnan(ans), ABANDONED, HANDLED).astype(np.int64)
    return ContactRecords(
        start=DEFAULT_START,
        seed=seed,
        queue_names=(queue,),
        queue_channels=("voice",),
        agent_names=_agent_names(agents),
        arrival=arrival,
        queue=np.zeros(n, dtype=np.int64),
        answered=ans,
        abandoned=abandoned,
        ended=ended,
        wrapped=ended.copy(),
        agent=np.asarray(agent, dtype=np.int64),
        hold=np.where(np.isnan(ans), math.nan, 0.0),
        outcome=outcome,
    )
