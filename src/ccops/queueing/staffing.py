"""Staffing: the fewest agents meeting every target given, and scheduled heads after shrinkage.

Targets (any combination, each per interval; NaN in an array means "no target here"):
service level at T (fraction answered within ``answer_within``), ASA, abandonment (Erlang A
only) and maximum occupancy.  Every measure is monotone in the number of agents, so the answer
is the smallest n that meets all targets, and n − 1 fails at least one.

Erlang C rows (no patience) step up from the smallest stable n, floor(A) + 1, with the
Erlang B recurrence 1/B(n+1) = 1 + (n+1)/A · 1/B(n), all intervals at once.  Erlang A rows
(patience given) gallop and bisect from the Erlang C answer with the closed forms.
Zero traffic needs zero agents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ccops.queueing._arrays import (
    BoolArray,
    FloatArray,
    IntArray,
    as_agents,
    as_floats,
    as_optional_fraction,
    as_optional_positive,
)
from ccops.queueing._special import log_inverse_erlang_b
from ccops.queueing.erlang_a import erlang_a_metrics
from ccops.queueing.erlang_c import erlang_c_metrics

_STEP_LIMIT = 256  # Erlang C rows still unmet after this many single steps switch to bisection


@dataclass(frozen=True)
class Staffing:
    """Agents per interval with the metrics they achieve; times in the unit of the aht given."""

    agents: IntArray
    scheduled_agents: IntArray
    service_level: FloatArray
    asa: FloatArray
    wait_probability: FloatArray
    occupancy: FloatArray
    abandon_probability: FloatArray | None  # None without patience; NaN on Erlang C rows


def offered_load(calls: ArrayLike, interval: ArrayLike, aht: ArrayLike) -> FloatArray:
    """Offered load in Erlangs: calls × aht ÷ interval length (aht and interval in one unit)."""
    c = as_floats("calls", calls)
    i = as_floats("interval", interval, positive=True)
    h = as_floats("aht", aht)
    return np.asarray(c * h / i, dtype=np.float64)


def scheduled_agents(agents: ArrayLike, shrinkage: ArrayLike) -> IntArray:
    """Heads to schedule so ``agents`` remain after shrinkage: ceil(agents ÷ (1 − shrinkage))."""
    n = as_agents("agents", agents)
    s = as_floats("shrinkage", shrinkage)
    if s.size and np.any(s >= 1.0):
        raise ValueError("shrinkage must be in [0, 1)")
    raw = n / (1.0 - s)
    # A relative 1e-9 slack keeps 14 / 0.7 at 20 whatever the last bit of 1 − 0.3 says.
    return np.ceil(raw * (1.0 - 1e-9)).astype(np.int64)


@dataclass(frozen=True)
class _Targets:
    load: FloatArray
    aht: FloatArray
    answer_within: FloatArray
    service_level: FloatArray
    asa: FloatArray
    max_abandon: FloatArray
    max_occupancy: FloatArray
    patience: FloatArray
    short_abandon: FloatArray
    max_agents: FloatArray
    shape: tuple[int, ...]


def _targets(
    load: ArrayLike,
    aht: ArrayLike,
    answer_within: ArrayLike,
    service_level: ArrayLike | None,
    asa: ArrayLike | None,
    max_abandon: ArrayLike | None,
    max_occupancy: ArrayLike | None,
    patience: ArrayLike | None,
    short_abandon: ArrayLike,
    max_agents: ArrayLike | None,
) -> _Targets:
    a = as_floats("load", load)
    h = as_floats("aht", aht, positive=True)
    t = as_floats("answer_within", answer_within)
    s = as_floats("short_abandon", short_abandon)
    nan = np.float64(np.nan)
    sl = as_optional_fraction("service_level", service_level)
    asa_t = as_optional_positive("asa", asa)
    ab = as_optional_fraction("max_abandon", max_abandon)
    occ = as_optional_fraction("max_occupancy", max_occupancy, low_open=True)
    pat = as_optional_positive("patience", patience)
    cap = None if max_agents is None else as_agents("max_agents", max_agents)
    arrays = np.broadcast_arrays(
        a,
        h,
        t,
        s,
        nan if sl is None else sl,
        nan if asa_t is None else asa_t,
        nan if ab is None else ab,
        nan if occ is None else occ,
        nan if pat is None else pat,
        nan if cap is None else cap,
    )
    a, h, t, s, sl_, asa_, ab_, occ_, pat_, cap_ = (np.ravel(x).astype(np.float64) for x in arrays)
    if np.any(np.isinf(pat_)):
        pat_ = np.where(np.isinf(pat_), np.nan, pat_)  # infinite patience is Erlang C
    no_patience = np.isnan(pat_) & ~np.isnan(ab_)
    if np.any(no_patience):
        rows = ", ".join(str(i) for i in np.flatnonzero(no_patience)[:5])
        raise ValueError(f"max_abandon needs patience (Erlang A); missing for interval(s) {rows}")
    default_cap = np.ceil(np.maximum(a, 1.0) * 10.0 + 40.0 * np.sqrt(a) + 1000.0)
    if not np.all(np.isnan(occ_)):
        with np.errstate(invalid="ignore"):
            default_cap = np.fmax(default_cap, np.ceil(a / occ_) + 1.0)
    cap_ = np.where(np.isnan(cap_), default_cap, cap_)
    return _Targets(a, h, t, sl_, asa_, ab_, occ_, pat_, s, cap_, arrays[0].shape)


def _no_target(tg: _Targets) -> BoolArray:
    return np.asarray(
        np.isnan(tg.service_level)
        & np.isnan(tg.asa)
        & np.isnan(tg.max_abandon)
        & np.isnan(tg.max_occupancy),
        dtype=np.bool_,
    )


def _meets(tg: _Targets, idx: IntArray, n: FloatArray) -> BoolArray:
    """Whether n agents meet every target of intervals ``idx`` (the same measures we report)."""
    a, h, t = tg.load[idx], tg.aht[idx], tg.answer_within[idx]
    sl_t, asa_t, ab_t, occ_t = (
        tg.service_level[idx],
        tg.asa[idx],
        tg.max_abandon[idx],
        tg.max_occupancy[idx],
    )
    pat = tg.patience[idx]
    ok = np.ones(idx.size, dtype=np.bool_)
    erl_a = ~np.isnan(pat)
    erl_c = ~erl_a
    if np.any(erl_c):
        m = erlang_c_metrics(n[erl_c], a[erl_c], h[erl_c], t[erl_c])
        ok[erl_c] = _check(
            m.service_level, m.asa, None, m.occupancy, sl_t[erl_c], asa_t[erl_c], None, occ_t[erl_c]
        )
    if np.any(erl_a):
        need_asa = bool(np.any(~np.isnan(asa_t[erl_a])))
        ma = erlang_a_metrics(
            n[erl_a],
            a[erl_a],
            h[erl_a],
            pat[erl_a],
            t[erl_a],
            tg.short_abandon[idx][erl_a],
            with_asa=need_asa,
        )
        ok[erl_a] = _check(
            ma.service_level,
            ma.asa,
            ma.abandon_probability,
            ma.occupancy,
            sl_t[erl_a],
            asa_t[erl_a],
            ab_t[erl_a],
            occ_t[erl_a],
        )
    return ok


def _check(
    sl: FloatArray,
    asa: FloatArray,
    abandon: FloatArray | None,
    occ: FloatArray,
    sl_t: FloatArray,
    asa_t: FloatArray,
    ab_t: FloatArray | None,
    occ_t: FloatArray,
) -> BoolArray:
    ok = (np.isnan(sl_t) | (sl >= sl_t)) & (np.isnan(asa_t) | (asa <= asa_t))
    ok &= np.isnan(occ_t) | (occ <= occ_t)
    if abandon is not None and ab_t is not None:
        ok &= np.isnan(ab_t) | (abandon <= ab_t)
    return ok


def _bisect(
    tg: _Targets,
    idx: IntArray,
    start: FloatArray,
    meets: Callable[[_Targets, IntArray, FloatArray], BoolArray],
) -> FloatArray:
    """Smallest n >= 0 with meets(n), galloping from ``start`` then bisecting (meets monotone)."""
    lo = np.full(idx.size, -1.0)  # largest n known to fail (-1: none yet)
    hi = np.full(idx.size, np.inf)  # smallest n known to meet
    probe = start.copy()
    step_up = np.ones(idx.size)
    step_down = np.ones(idx.size)
    cap = tg.max_agents[idx]
    while True:
        todo = np.flatnonzero(hi - lo > 1.0)
        if todo.size == 0:
            return hi
        over = lo[todo] >= cap[todo]
        if np.any(over):
            first = todo[np.flatnonzero(over)[0]]
            raise ValueError(
                f"interval {int(idx[first])}: targets not reachable within "
                f"{int(cap[first])} agents (max_agents)"
            )
        ok = meets(tg, idx[todo], probe[todo])
        hi[todo[ok]] = np.minimum(hi[todo[ok]], probe[todo[ok]])
        lo[todo[~ok]] = np.maximum(lo[todo[~ok]], probe[todo[~ok]])
        # next probe: gallop up while nothing meets, down while nothing fails, else bisect
        up = np.isinf(hi)
        down = (lo < 0.0) & ~up
        mid = ~up & ~down
        probe = np.where(up, np.minimum(np.maximum(lo, 0.0) + step_up, cap), probe)
        step_up = np.where(up, step_up * 2.0, step_up)
        probe = np.where(down, np.maximum(hi - step_down, 0.0), probe)
        step_down = np.where(down, step_down * 2.0, step_down)
        probe = np.where(mid, np.floor((lo + hi) / 2.0), probe)


def _erlang_c_step(tg: _Targets, idx: IntArray) -> tuple[FloatArray, IntArray]:
    """Step n up from the smallest stable count for Erlang C rows; returns (n, unfinished idx)."""
    a = tg.load[idx]
    n = np.floor(a) + 1.0
    occ_t = tg.max_occupancy[idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(np.isnan(occ_t), n, np.fmax(n, np.ceil(a / occ_t) - 1.0))
    result = np.full(idx.size, np.nan)
    with np.errstate(over="ignore"):
        inv_b = np.exp(log_inverse_erlang_b(n, a))
    pos = np.arange(idx.size)
    sl_t, asa_t, h, t = tg.service_level[idx], tg.asa[idx], tg.aht[idx], tg.answer_within[idx]
    for _ in range(_STEP_LIMIT):
        aa = a[pos]
        rho = aa / n
        with np.errstate(over="ignore"):
            c = 1.0 / (rho + (1.0 - rho) * inv_b)
        sl = np.clip(1.0 - c * np.exp(-(n - aa) * t[pos] / h[pos]), 0.0, 1.0)
        ok = (np.isnan(sl_t[pos]) | (sl >= sl_t[pos])) & (
            np.isnan(asa_t[pos]) | (c * h[pos] / (n - aa) <= asa_t[pos])
        )
        ok &= np.isnan(occ_t[pos]) | (rho <= occ_t[pos])
        result[pos[ok]] = n[ok]
        keep = ~ok
        pos, n, inv_b = pos[keep], n[keep], inv_b[keep]
        if pos.size == 0:
            break
        with np.errstate(over="ignore"):
            inv_b = 1.0 + inv_b * (n + 1.0) / a[pos]
        n = n + 1.0
    return result, idx[pos]


def _solve(tg: _Targets, idx: IntArray) -> FloatArray:
    """Required agents for intervals ``idx`` (all with traffic and at least one target)."""
    out = np.full(idx.size, np.nan)
    where = {int(i): k for k, i in enumerate(idx)}
    erl_a = ~np.isnan(tg.patience[idx])
    c_idx = idx[~erl_a]
    if c_idx.size:
        n_c, left = _erlang_c_step(tg, c_idx)
        out[~erl_a] = n_c
        if left.size:
            start = np.floor(tg.load[left]) + 1.0 + _STEP_LIMIT
            found = _bisect(tg, left, start, _meets)
            out[[where[int(i)] for i in left]] = found
    a_idx = idx[erl_a]
    if a_idx.size:
        # Start from the Erlang C answer for the same SL/ASA/occupancy targets.
        c_tg = _Targets(
            tg.load,
            tg.aht,
            tg.answer_within,
            tg.service_level,
            tg.asa,
            np.full_like(tg.load, np.nan),
            tg.max_occupancy,
            np.full_like(tg.load, np.nan),
            tg.short_abandon,
            tg.max_agents,
            tg.shape,
        )
        start, left = _erlang_c_step(c_tg, a_idx)
        start = np.where(np.isnan(start), np.floor(tg.load[a_idx]) + 1.0, start)
        start = np.minimum(start, tg.max_agents[a_idx])
        out[erl_a] = _bisect(tg, a_idx, start, _meets)
    return out


def required_agents(
    load: ArrayLike,
    aht: ArrayLike,
    answer_within: ArrayLike = 0.0,
    *,
    service_level: ArrayLike | None = None,
    asa: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    patience: ArrayLike | None = None,
    short_abandon: ArrayLike = 0.0,
    max_agents: ArrayLike | None = None,
) -> IntArray:
    """Fewest agents meeting every given target per interval (Erlang A where patience is given)."""
    tg = _targets(
        load,
        aht,
        answer_within,
        service_level,
        asa,
        max_abandon,
        max_occupancy,
        patience,
        short_abandon,
        max_agents,
    )
    result = np.zeros(tg.load.size, dtype=np.float64)
    busy = tg.load > 0.0
    missing = busy & _no_target(tg)
    if np.any(missing):
        rows = ", ".join(str(i) for i in np.flatnonzero(missing)[:5])
        raise ValueError(
            "no target given (service_level, asa, max_abandon or max_occupancy) "
            f"for interval(s) {rows}"
        )
    idx = np.flatnonzero(busy)
    if idx.size:
        result[idx] = _solve(tg, idx)
    return result.astype(np.int64).reshape(tg.shape)


def staffing(
    load: ArrayLike,
    aht: ArrayLike,
    answer_within: ArrayLike,
    *,
    service_level: ArrayLike | None = None,
    asa: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    patience: ArrayLike | None = None,
    short_abandon: ArrayLike = 0.0,
    shrinkage: ArrayLike = 0.0,
    agents: ArrayLike | None = None,
    max_agents: ArrayLike | None = None,
) -> Staffing:
    """Find (or, where ``agents`` is given, evaluate) staffing per interval, with its metrics.

    ``agents`` may hold NaN for intervals to solve; all inputs broadcast to one 1-D batch.
    """
    tg = _targets(
        load,
        aht,
        answer_within,
        service_level,
        asa,
        max_abandon,
        max_occupancy,
        patience,
        short_abandon,
        max_agents,
    )
    size = tg.load.size
    if agents is None:
        given = np.full(size, np.nan)
    else:
        given = np.ravel(np.broadcast_to(np.asarray(agents, dtype=np.float64), (size,))).copy()
        present = given[~np.isnan(given)]
        as_agents("agents", present)
    find = np.isnan(given)
    busy_find = find & (tg.load > 0.0)
    missing = busy_find & _no_target(tg)
    if np.any(missing):
        rows = ", ".join(str(i) for i in np.flatnonzero(missing)[:5])
        raise ValueError(
            "no target given (service_level, asa, max_abandon or max_occupancy) "
            f"for interval(s) {rows}"
        )
    n = np.where(find, 0.0, given)
    idx = np.flatnonzero(busy_find)
    if idx.size:
        n[idx] = _solve(tg, idx)
    shrink = np.ravel(np.broadcast_to(as_floats("shrinkage", shrinkage), (size,)))
    sched = scheduled_agents(n, shrink)
    sl = np.empty(size)
    asa_out = np.empty(size)
    wait = np.empty(size)
    occ = np.empty(size)
    erl_a = ~np.isnan(tg.patience)
    abandon: FloatArray | None = None
    if np.any(~erl_a):
        c = ~erl_a
        m = erlang_c_metrics(n[c], tg.load[c], tg.aht[c], tg.answer_within[c])
        sl[c], asa_out[c], wait[c], occ[c] = m.service_level, m.asa, m.wait_probability, m.occupancy
    if np.any(erl_a):
        ma = erlang_a_metrics(
            n[erl_a],
            tg.load[erl_a],
            tg.aht[erl_a],
            tg.patience[erl_a],
            tg.answer_within[erl_a],
            tg.short_abandon[erl_a],
        )
        sl[erl_a], asa_out[erl_a] = ma.service_level, ma.asa
        wait[erl_a], occ[erl_a] = ma.wait_probability, ma.occupancy
        abandon = np.full(size, np.nan)
        abandon[erl_a] = ma.abandon_probability
    return Staffing(n.astype(np.int64), sched, sl, asa_out, wait, occ, abandon)
