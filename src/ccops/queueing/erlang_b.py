"""Erlang B: the blocking probability of M/M/n/n (lost calls cleared)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ccops.queueing._arrays import FloatArray, as_agents, as_floats
from ccops.queueing._special import log_inverse_erlang_b


def erlang_b(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Blocking probability B(n, A) for n agents and A Erlangs offered (arrays broadcast)."""
    n = as_agents("agents", agents)
    a = as_floats("load", load)
    n, a = np.broadcast_arrays(n, a)
    out = np.ones(n.shape, dtype=np.float64)  # n = 0 blocks everything (B(0, A) = 1)
    busy = (a > 0.0) & (n > 0.0)
    out[busy] = np.exp(-log_inverse_erlang_b(n[busy], a[busy]))
    out[(a == 0.0) & (n > 0.0)] = 0.0
    return out


def log_erlang_b(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """log B(n, A), finite even where B underflows to 0 (e.g. 50,000 agents on 10 Erlangs)."""
    n = as_agents("agents", agents)
    a = as_floats("load", load)
    n, a = np.broadcast_arrays(n, a)
    out = np.zeros(n.shape, dtype=np.float64)
    busy = (a > 0.0) & (n > 0.0)
    out[busy] = -log_inverse_erlang_b(n[busy], a[busy])
    out[(a == 0.0) & (n > 0.0)] = -np.inf
    return out
