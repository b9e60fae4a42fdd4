"""Erlang A (Palm's M/M/n+M): Erlang C plus exponentially distributed patience.

Closed forms after Mandelbaum & Zeltyn ("The M/M/n+G queue: summary of performance measures"),
written with S(b, y) = ₁F₁(1; b+1; y) in log space, where a = n·patience/aht and
x = A·patience/aht.  A caller who finds j others waiting reaches an agent after a virtual wait V
with e^(−V/patience) ~ Beta(a, j+1); mixing over j gives the unnormalised density
a·u^(a−1)·e^(x(1−u)) for u = e^(−V/patience), from which every measure below follows.

Service level (the ccops definition, the metric catalog's): answered within T ÷ (offered −
short abandons), where a short abandon hangs up within S seconds (S = ``short_abandon``,
default 0, i.e. answered within T ÷ offered).  Abandonment likewise: abandoned after S ÷
(offered − short abandons).  ASA is the mean wait of answered callers (catalog: queue wait of
answered ÷ answered).  The queue is stable for any n, including n <= A.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from ccops.queueing._arrays import FloatArray, as_agents, as_floats
from ccops.queueing._special import log_inverse_erlang_b, log_kummer, log_poisson_term

ServiceLevelDefinition = Literal["answered", "virtual_wait", "wait_or_abandon", "among_answered"]


@dataclass(frozen=True)
class ErlangAMetrics:
    """Erlang A results per interval; times are in the unit of the aht given."""

    wait_probability: FloatArray
    abandon_probability: FloatArray
    service_level: FloatArray
    asa: FloatArray
    occupancy: FloatArray
    mean_wait: FloatArray


@dataclass(frozen=True)
class _Core:
    """Normalised building blocks for a batch of busy points (A > 0)."""

    n: FloatArray
    load: FloatArray
    patience: FloatArray
    a: FloatArray
    x: FloatArray
    log_d: FloatArray
    log_ratio: FloatArray
    p_wait: FloatArray
    p_no_wait: FloatArray
    p_served_wait: FloatArray
    p_abandon: FloatArray

    def beyond(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(P(wait and V > t), P(served and V > t)) for the virtual wait V."""
        log_u = -t / self.patience
        y = self.x * np.exp(log_u)
        common = -self.x * np.expm1(log_u) - self.log_d
        with np.errstate(invalid="ignore"):
            a_log_u = np.where(self.a == 0.0, 0.0, self.a * log_u)
        wait_gt = np.exp(a_log_u + common + log_kummer(self.a, y))
        served_gt = np.exp(self.log_ratio + a_log_u + log_u + common + log_kummer(self.a + 1.0, y))
        at_zero = t == 0.0
        wait_gt = np.where(at_zero, self.p_wait, np.minimum(wait_gt, self.p_wait))
        served_gt = np.where(at_zero, self.p_served_wait, np.minimum(served_gt, self.p_served_wait))
        return wait_gt, served_gt


def _core(n: FloatArray, load: FloatArray, aht: FloatArray, patience: FloatArray) -> _Core:
    ratio = patience / aht
    a = n * ratio
    x = load * ratio
    with np.errstate(divide="ignore"):
        log_b = np.where(
            n > 0.0,
            log_inverse_erlang_b(np.maximum(n - 1.0, 0.0), load) + np.log(n) - np.log(load),
            -np.inf,
        )
        log_ratio = np.log(a / (a + 1.0))
    log_s0 = log_kummer(a, x)
    log_s1 = log_kummer(a + 1.0, x)
    log_d = np.logaddexp(log_b, log_s0)
    p_wait = np.exp(log_s0 - log_d)
    p_no_wait = np.exp(log_b - log_d)
    p_served_wait = np.minimum(np.exp(log_ratio + log_s1 - log_d), p_wait)
    p_abandon = np.clip(p_wait - p_served_wait, 0.0, 1.0)
    return _Core(
        n, load, patience, a, x, log_d, log_ratio, p_wait, p_no_wait, p_served_wait, p_abandon
    )


def _answered_wait_sum(core: _Core) -> FloatArray:
    """E[V·e^(−V/patience); wait] = Σ_j π(n+j)·a/(a+j+1)·Σ_{i=1..j+1} 1/(a+i) · patience."""
    a, x = core.a, core.x
    size = a.size
    out = np.zeros(size, dtype=np.float64)
    if size == 0:
        return out
    spread = np.ceil(9.0 * np.sqrt(x + a + 1.0)) + 10.0
    mode = np.floor(np.maximum(x - a, 0.0))
    j_lo = np.maximum(mode - spread, 0.0)
    j_hi = mode + spread
    # log π(n+j_lo) = log π(n) + log(x^j / (a+1)_j), the latter as a ratio of Poisson terms.
    log_w0 = -core.log_d + np.where(
        j_lo > 0.0, log_poisson_term(a + j_lo, x) - log_poisson_term(a, x), 0.0
    )
    harmonic = np.where(
        j_lo > 0.0, special.digamma(a + j_lo + 2.0) - special.digamma(a + 1.0), 1.0 / (a + 1.0)
    )
    weight = np.ones(size, dtype=np.float64)  # π(n+j) / π(n+j_lo)
    total = np.zeros(size, dtype=np.float64)
    j = j_lo.copy()
    idx = np.arange(size)
    steps = int(np.max(j_hi - j_lo)) + 1
    for _ in range(steps):
        total[idx] += weight * harmonic / (a[idx] + j + 1.0)
        keep = j < j_hi[idx]
        if not np.all(keep):
            idx, weight, harmonic, j = idx[keep], weight[keep], harmonic[keep], j[keep]
            if idx.size == 0:
                break
        weight = weight * x[idx] / (a[idx] + j + 1.0)
        harmonic = harmonic + 1.0 / (a[idx] + j + 2.0)
        j = j + 1.0
    with np.errstate(divide="ignore"):
        out = np.exp(log_w0 + np.log(total)) * a * core.patience
    return np.asarray(out, dtype=np.float64)


def _broadcast(
    agents: ArrayLike,
    load: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    answer_within: ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    n = as_agents("agents", agents)
    a = as_floats("load", load)
    h = as_floats("aht", aht, positive=True)
    p = as_floats("patience", patience, positive=True)
    t = as_floats("answer_within", answer_within)
    n, a, h, p, t = np.broadcast_arrays(n, a, h, p, t)
    return n, a, h, p, t


def erlang_a_metrics(
    agents: ArrayLike,
    load: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    answer_within: ArrayLike,
    short_abandon: ArrayLike = 0.0,
    *,
    with_asa: bool = True,
) -> ErlangAMetrics:
    """Erlang A wait and abandon probabilities, service level, ASA (answered), occupancy."""
    n, a, h, p, t = _broadcast(agents, load, aht, patience, answer_within)
    s = np.broadcast_to(as_floats("short_abandon", short_abandon), n.shape)
    shape = n.shape
    wait = np.zeros(shape)
    abandon = np.zeros(shape)
    sl = np.ones(shape)
    asa = np.zeros(shape)
    occ = np.zeros(shape)
    mean_wait = np.zeros(shape)
    busy = a > 0.0
    if np.any(busy):
        core = _core(n[busy], a[busy], h[busy], p[busy])
        wait_gt_t, served_gt_t = core.beyond(t[busy])
        answered_within = np.clip(core.p_no_wait + core.p_served_wait - served_gt_t, 0.0, 1.0)
        sb = s[busy]
        wait_gt_s, served_gt_s = core.beyond(sb)
        late = np.exp(-sb / core.patience) * wait_gt_s - served_gt_s
        late = np.where(sb == 0.0, core.p_abandon, np.clip(late, 0.0, core.p_abandon))
        short = core.p_abandon - late
        denominator = 1.0 - short
        wait[busy] = core.p_wait
        abandon[busy] = np.clip(late / denominator, 0.0, 1.0)
        sl[busy] = np.clip(answered_within / denominator, 0.0, 1.0)
        served = 1.0 - core.p_abandon
        with np.errstate(divide="ignore", invalid="ignore"):
            occ[busy] = np.where(core.n > 0.0, np.minimum(core.load * served / core.n, 1.0), 1.0)
            if with_asa:
                asa[busy] = np.where(served > 0.0, _answered_wait_sum(core) / served, np.inf)
            else:
                asa[busy] = np.nan
        mean_wait[busy] = core.p_abandon * core.patience
    return ErlangAMetrics(wait, abandon, sl, asa, occ, mean_wait)


def erlang_a_service_level(
    agents: ArrayLike,
    load: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    answer_within: ArrayLike,
    definition: ServiceLevelDefinition = "answered",
) -> FloatArray:
    """Erlang A service level under one of the definitions compared in docs/queueing.md."""
    n, a, h, p, t = _broadcast(agents, load, aht, patience, answer_within)
    out = np.ones(n.shape)
    busy = a > 0.0
    if not np.any(busy):
        return out
    core = _core(n[busy], a[busy], h[busy], p[busy])
    tb = t[busy]
    wait_gt, served_gt = core.beyond(tb)
    answered_within = core.p_no_wait + core.p_served_wait - served_gt
    if definition == "answered":
        value = answered_within
    elif definition == "virtual_wait":
        value = 1.0 - wait_gt
    elif definition == "wait_or_abandon":
        value = 1.0 - np.exp(-tb / core.patience) * wait_gt
    elif definition == "among_answered":
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(core.p_abandon < 1.0, answered_within / (1.0 - core.p_abandon), 0.0)
    else:
        raise ValueError(f"unknown service-level definition {definition!r}")
    out[busy] = np.clip(value, 0.0, 1.0)
    return out
