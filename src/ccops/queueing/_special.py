"""Log-space special functions behind the Erlang formulas (private).

Everything here works on float64 numpy arrays and never forms a factorial or a power
that could overflow: Poisson terms are taken in log space with Loader's saddle-point
form (Stirling error plus the deviance ``bd0``), tails come from scipy's regularised
incomplete gamma functions, and where those underflow a short series finishes the job.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]

_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
# Below this a regularised incomplete gamma value is treated as "may have lost digits to
# underflow" and the quantity is rebuilt from its series instead.
_TINY = 1e-280
_SERIES_EPS = 1e-17
_SERIES_MAX_TERMS = 1_000_000


def stirling_error(k: FloatArray) -> FloatArray:
    """log Γ(k+1) − [(k+½)·log k − k + ½·log 2π] for k > 0 (Loader's stirlerr)."""
    k = np.asarray(k, dtype=np.float64)
    out = np.empty_like(k)
    big = k > 15.0
    kb = k[big]
    k2 = 1.0 / (kb * kb)
    out[big] = (
        1.0 / 12.0 - k2 * (1.0 / 360.0 - k2 * (1.0 / 1260.0 - k2 * (1.0 / 1680.0 - k2 / 1188.0)))
    ) / kb
    ks = k[~big]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[~big] = special.gammaln(ks + 1.0) - (ks + 0.5) * np.log(ks) + ks - _HALF_LOG_2PI
    return out


def deviance(k: FloatArray, mean: FloatArray) -> FloatArray:
    """k·log(k/mean) + mean − k, accurate when k is close to mean (Loader's bd0)."""
    k, mean = np.broadcast_arrays(np.asarray(k, np.float64), np.asarray(mean, np.float64))
    out = np.empty(k.shape, dtype=np.float64)
    close = np.abs(k - mean) < 0.1 * (k + mean)
    kc, mc = k[close], mean[close]
    v = (kc - mc) / (kc + mc)
    s = (kc - mc) * v
    ej = 2.0 * kc * v
    v2 = v * v
    for j in range(1, 40):
        ej = ej * v2
        step = ej / (2 * j + 1)
        s = s + step
        if not np.any(np.abs(step) > 1e-18 * np.abs(s)):
            break
    out[close] = s
    kf, mf = k[~close], mean[~close]
    with np.errstate(divide="ignore", invalid="ignore"):
        far = kf * (np.log(kf) - np.log(mf)) + mf - kf
    out[~close] = np.where(kf == 0.0, mf, far)
    return out


def log_poisson_term(k: FloatArray, mean: FloatArray) -> FloatArray:
    """log(mean^k · e^−mean / Γ(k+1)) for real k >= 0, mean >= 0 (the Poisson pmf in logs)."""
    k, mean = np.broadcast_arrays(np.asarray(k, np.float64), np.asarray(mean, np.float64))
    out = np.empty(k.shape, dtype=np.float64)
    zero_k = k == 0.0
    out[zero_k] = -mean[zero_k]
    pos = ~zero_k
    kp, mp = k[pos], mean[pos]
    with np.errstate(divide="ignore"):
        out[pos] = np.where(
            mp == 0.0,
            -np.inf,
            -stirling_error(kp) - deviance(kp, mp) - 0.5 * np.log(2.0 * np.pi * kp),
        )
    return out


def log_inverse_erlang_b(n: FloatArray, load: FloatArray) -> FloatArray:
    """log(1/B(n, A)) = log(Poisson cdf(n; A) / Poisson pmf(n; A)), for integer n >= 0, A > 0."""
    n, load = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(load, np.float64))
    cdf = special.pdtr(n, load)
    out = np.empty(n.shape, dtype=np.float64)
    # Well below the mean the direct tail loses digits (or underflows); the series is short there.
    ok = (cdf > _TINY) & (n > 0.5 * load)
    out[ok] = np.log(cdf[ok]) - log_poisson_term(n[ok], load[ok])
    bad = ~ok
    if np.any(bad):
        # cdf/pmf = sum_{m=0..n} n!/((n-m)! A^m): terms fall at least as fast as (n/A)^m here.
        out[bad] = np.log(_falling_series(n[bad], load[bad]))
    return out


def _falling_series(n: FloatArray, load: FloatArray) -> FloatArray:
    """Sum over m = 0..n of n(n-1)...(n-m+1) / A^m, summed until the terms are negligible."""
    total = np.ones_like(n)
    term = np.ones_like(n)
    active = np.arange(n.size)
    nn, aa = n.copy(), load.copy()
    m = 0
    while active.size and m < _SERIES_MAX_TERMS:
        term = term * (nn - m) / aa
        total[active] += term
        keep = (term > _SERIES_EPS * total[active]) & (nn - m - 1 > 0)
        active, term, nn, aa = active[keep], term[keep], nn[keep], aa[keep]
        m += 1
    return total


def log_kummer(b: FloatArray, y: FloatArray) -> FloatArray:
    """log S(b, y), S(b, y) = Σ_{j>=0} y^j / ((b+1)(b+2)...(b+j)) = ₁F₁(1; b+1; y), b, y >= 0."""
    b, y = np.broadcast_arrays(np.asarray(b, np.float64), np.asarray(y, np.float64))
    out = np.zeros(b.shape, dtype=np.float64)
    pos = y > 0.0
    bp, yp = b[pos], y[pos]
    # S(b, y) = P(b, y) / poisson_term(b, y); P(0, y) = 1 is the limit scipy already gives.
    lower = np.where(bp == 0.0, 1.0, special.gammainc(np.maximum(bp, 1e-300), yp))
    # Well below b the series converges geometrically (ratio < 1/2) and is more accurate.
    ok = (lower > _TINY) & (yp > 0.5 * (bp + 1.0))
    vals = np.empty(bp.shape, dtype=np.float64)
    vals[ok] = np.log(lower[ok]) - log_poisson_term(bp[ok], yp[ok])
    bad = ~ok
    if np.any(bad):
        vals[bad] = np.log(_rising_series(bp[bad], yp[bad]))
    out[pos] = vals
    return out


def _rising_series(b: FloatArray, y: FloatArray) -> FloatArray:
    """Σ_j y^j / (b+1)_j directly; used only where y is well below b (fast geometric decay)."""
    total = np.ones_like(b)
    term = np.ones_like(b)
    active = np.arange(b.size)
    bb, yy = b.copy(), y.copy()
    j = 1
    while active.size and j < _SERIES_MAX_TERMS:
        term = term * yy / (bb + j)
        total[active] += term
        keep = term > _SERIES_EPS * total[active]
        active, term, bb, yy = active[keep], term[keep], bb[keep], yy[keep]
        j += 1
    return total
