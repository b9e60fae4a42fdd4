"""Erlang B, C and A against high-precision (mpmath, 40 digits) references, 1 to 50,000 agents.

Tolerance: 1e-9 relative (and 1e-14 absolute for Erlang A abandonment, which ccops takes as
P(wait) − P(served | wait)·P(wait) and so carries ~1e-16 absolute rounding).  Where B itself
underflows double precision (50,000 agents at half load: B ~ e^-8000) the logs are compared.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from ccops.queueing import (
    erlang_a_metrics,
    erlang_b,
    erlang_c_metrics,
    log_erlang_b,
)

mp.mp.dps = 40
RTOL = 1e-9
AGENTS = sorted({int(round(v)) for v in np.logspace(0, math.log10(50_000), 40)})


def mp_erlang_b(n: int, load: float) -> mp.mpf:
    """B = pmf(n) / cdf(n) of Poisson(load), cdf as the regularised upper incomplete gamma."""
    a = mp.mpf(load)
    log_pmf = n * mp.log(a) - a - mp.loggamma(n + 1)
    cdf = mp.gammainc(n + 1, a, mp.inf, regularized=True)
    return mp.exp(log_pmf) / cdf


def mp_erlang_b_by_sum(n: int, load: float) -> mp.mpf:
    """Textbook: B = (A^n / n!) / Σ_{k<=n} A^k / k!."""
    a = mp.mpf(load)
    terms = [a**k / mp.factorial(k) for k in range(n + 1)]
    return terms[-1] / mp.fsum(terms)


def mp_erlang_c(n: int, load: float, aht: float, t: float) -> tuple[mp.mpf, ...]:
    """(C, SL, ASA) from B: C = B / (1 − ρ(1 − B))."""
    b = mp_erlang_b(n, load)
    rho = mp.mpf(load) / n
    c = b / (1 - rho * (1 - b))
    sl = 1 - c * mp.exp(-(n - mp.mpf(load)) * t / aht)
    asa = c * aht / (n - mp.mpf(load))
    return c, sl, asa


def mp_erlang_a(n: int, load: float, ratio: float) -> tuple[mp.mpf, mp.mpf]:
    """(P(wait), P(abandon)) from the M/M/n+M birth-death chain; μ = 1, θ = 1 / ratio.

    ratio = patience / aht.  P(abandon) = θ·Lq / λ (Little's law on the abandoning stream).
    """
    lam = mp.mpf(load)
    theta = 1 / mp.mpf(ratio)
    # Σ_{k<=n} π_k / π_n = 1 / B(n, A)
    below = 1 / mp_erlang_b(n, load)  # includes k = n
    term = mp.mpf(1)
    wait = mp.mpf(0)
    queue = mp.mpf(0)
    j = 0
    while True:
        wait += term
        queue += j * term
        j += 1
        term = term * lam / (n + j * theta)
        if term < mp.mpf(10) ** -45 * wait and lam < n + j * theta:
            break
    total = below - 1 + wait  # π_n counted once
    return wait / total, theta * (queue / total) / lam


@pytest.mark.parametrize("n", AGENTS)
def test_erlang_b_matches_mpmath_from_1_to_50000_agents(n: int) -> None:
    for rho in (0.5, 0.9, 0.99, 1.2):
        load = rho * n
        ref = mp_erlang_b(n, load)
        if ref > mp.mpf("1e-300"):
            assert float(erlang_b(n, load)) == pytest.approx(float(ref), rel=RTOL)
        ref_log = float(mp.log(ref))
        assert float(log_erlang_b(n, load)) == pytest.approx(ref_log, rel=RTOL, abs=RTOL)


def test_the_gamma_function_reference_agrees_with_the_textbook_sum() -> None:
    for n, load in ((1, 0.3), (7, 5.5), (40, 41.0), (120, 100.0)):
        assert mp.almosteq(mp_erlang_b(n, load), mp_erlang_b_by_sum(n, load), rel_eps=1e-30)


@pytest.mark.parametrize("n", AGENTS)
def test_erlang_c_wait_service_level_and_asa_match_mpmath(n: int) -> None:
    for rho in (0.3, 0.8, 0.95, 0.995):
        load = rho * n
        c, sl, asa = mp_erlang_c(n, load, 300.0, 20.0)
        m = erlang_c_metrics(n, load, 300.0, 20.0)
        assert float(m.wait_probability) == pytest.approx(float(c), rel=RTOL, abs=1e-300)
        assert float(m.service_level) == pytest.approx(float(sl), rel=RTOL)
        assert float(m.asa) == pytest.approx(float(asa), rel=RTOL, abs=1e-300)
        assert float(m.occupancy) == pytest.approx(rho, rel=1e-15)


@pytest.mark.parametrize("n", AGENTS[::2])
def test_erlang_a_wait_and_abandon_probabilities_match_the_birth_death_chain(n: int) -> None:
    for rho, ratio in ((0.8, 2.0), (1.1, 0.5), (0.97, 5.0)):
        load = rho * n
        wait, abandon = mp_erlang_a(n, load, ratio)
        m = erlang_a_metrics(n, load, 300.0, 300.0 * ratio, 20.0, with_asa=False)
        assert float(m.wait_probability) == pytest.approx(float(wait), rel=RTOL, abs=1e-300)
        assert float(m.abandon_probability) == pytest.approx(float(abandon), rel=RTOL, abs=1e-14)
        assert float(m.occupancy) == pytest.approx(float(load * (1 - abandon) / n), rel=RTOL)


def mp_erlang_a_answered(n: int, load: float, ratio: float, t: float) -> tuple[mp.mpf, mp.mpf]:
    """(P(answered within t), mean wait of answered callers); time in AHT units, μ = 1.

    A caller who finds j others waiting moves up at rates nμ + iθ (i = j..0), so with
    a = n/θ the virtual wait V has e^(−θV) ~ Beta(a, j+1); it is answered iff V < patience,
    i.e. with weight e^(−θV).  So P(answered, V <= t | j) = a/(a+j+1) · I_[u0,1](a+1, j+1).
    """
    lam = mp.mpf(load)
    theta = 1 / mp.mpf(ratio)
    a = n / theta
    u0 = mp.exp(-theta * t)
    below = 1 / mp_erlang_b(n, load)
    term = mp.mpf(1)
    weights = []
    j = 0
    while True:
        weights.append(term)
        j += 1
        term = term * lam / (n + j * theta)
        if term < mp.mpf(10) ** -30 * sum(weights) and lam < n + j * theta:
            break
    total = below - 1 + mp.fsum(weights)
    within = (below - 1) / total  # not delayed
    answered_wait = mp.mpf(0)
    abandon = mp.mpf(0)
    for j, w in enumerate(weights):
        p = w / total
        share = a / (a + j + 1)
        within += p * share * mp.betainc(a + 1, j + 1, u0, 1, regularized=True)
        answered_wait += p * share * mp.fsum(1 / (a + i) for i in range(1, j + 2)) / theta
        abandon += p * (1 - share)
    return within, answered_wait / (1 - abandon)


@pytest.mark.parametrize("n", [1, 2, 5, 13, 40, 100])
def test_erlang_a_service_level_and_answered_asa_match_an_mpmath_sum_over_queue_positions(
    n: int,
) -> None:
    for rho, ratio in ((0.8, 2.0), (1.2, 0.5), (0.95, 10.0)):
        load = rho * n
        within, asa = mp_erlang_a_answered(n, load, ratio, 20.0 / 300.0)
        m = erlang_a_metrics(n, load, 300.0, 300.0 * ratio, 20.0)
        assert float(m.service_level) == pytest.approx(float(within), rel=RTOL)
        assert float(m.asa) == pytest.approx(float(asa) * 300.0, rel=1e-8)
