"""Erlang C: M/M/n with infinitely patient callers (probability of waiting, SL, ASA, occupancy).

For n <= A the queue is unstable (it grows without bound): every caller waits, the service
level is 0 and the ASA is infinite. That is returned explicitly; no value ever exceeds 1.
With no traffic nobody waits: P(wait) = 0, service level 1, ASA 0, occupancy 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ccops.queueing._arrays import FloatArray, as_agents, as_floats
from ccops.queueing._special import log_inverse_erlang_b


@dataclass(frozen=True)
class ErlangCMetrics:
    """Erlang C results per interval; times are in the unit of the aht given."""

    wait_probability: FloatArray
    service_level: FloatArray
    asa: FloatArray
    occupancy: FloatArray
    stable: NDArray[np.bool_]


def wait_probability_from_b(
    agents: FloatArray, load: FloatArray, log_inv_b: FloatArray
) -> FloatArray:
    """Erlang C from log(1/B) for stable points (n > A > 0): C = 1 / (ρ + (1 − ρ)/B)."""
    rho = load / agents
    with np.errstate(over="ignore"):
        inv_b = np.exp(log_inv_b)
    return np.asarray(1.0 / (rho + (1.0 - rho) * inv_b), dtype=np.float64)


def erlang_c(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a caller waits, C(n, A); 1 when n <= A > 0, 0 when A = 0."""
    n = as_agents("agents", agents)
    a = as_floats("load", load)
    n, a = np.broadcast_arrays(n, a)
    out = np.ones(n.shape, dtype=np.float64)
    out[a == 0.0] = 0.0
    ok = (a > 0.0) & (n > a)
    out[ok] = wait_probability_from_b(n[ok], a[ok], log_inverse_erlang_b(n[ok], a[ok]))
    return out


def erlang_c_metrics(
    agents: ArrayLike, load: ArrayLike, aht: ArrayLike, answer_within: ArrayLike
) -> ErlangCMetrics:
    """Erlang C wait probability, service level P(wait <= T), ASA and occupancy (broadcast)."""
    n = as_agents("agents", agents)
    a = as_floats("load", load)
    h = as_floats("aht", aht, positive=True)
    t = as_floats("answer_within", answer_within)
    n, a, h, t = np.broadcast_arrays(n, a, h, t)
    stable = n > a
    wait = np.ones(n.shape, dtype=np.float64)
    sl = np.zeros(n.shape, dtype=np.float64)
    asa = np.full(n.shape, np.inf, dtype=np.float64)
    occ = np.ones(n.shape, dtype=np.float64)
    idle = a == 0.0
    wait[idle], sl[idle], asa[idle], occ[idle] = 0.0, 1.0, 0.0, 0.0
    ok = stable & ~idle
    ns, as_, hs, ts = n[ok], a[ok], h[ok], t[ok]
    c = wait_probability_from_b(ns, as_, log_inverse_erlang_b(ns, as_))
    wait[ok] = c
    sl[ok] = np.clip(1.0 - c * np.exp(-(ns - as_) * ts / hs), 0.0, 1.0)
    asa[ok] = c * hs / (ns - as_)
    occ[ok] = as_ / ns
    return ErlangCMetrics(wait, sl, asa, occ, np.asarray(stable | idle))
