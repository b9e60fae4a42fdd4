"""The M/M/c(+M) kernel reproduces Erlang C and Erlang A within its 95% confidence interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from ccops.sim import batch_means, records_kpis, simulate_mmc

# --- a small, independent reference (not ccops.queueing: this test checks the simulator alone) ---


def erlang_c(lam: float, mu: float, c: int, t: float) -> dict[str, float]:
    """P(wait), ASA and SL(t) of M/M/c (Erlang C), via the Erlang B recursion."""
    a = lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    p_wait = c * b / (c - a * (1 - b))
    return {
        "p_wait": p_wait,
        "asa_seconds": p_wait / (c * mu - lam),
        "service_level": 1.0 - p_wait * math.exp(-(c * mu - lam) * t),
        "abandon_rate": 0.0,
    }


def erlang_a(lam: float, mu: float, c: int, theta: float, t: float) -> dict[str, float]:
    """P(wait), P(abandon), mean wait, ASA and SL(t) of M/M/c+M from its birth-death chain."""
    logs = [0.0]
    n = 0
    while n <= c or logs[-1] > max(logs) - 40.0:  # stop once the tail is below e^-40
        n += 1
        death = min(n, c) * mu + max(n - c, 0) * theta
        logs.append(logs[-1] + math.log(lam / death))
    n_max = n
    logp = np.asarray(logs)
    p = np.exp(logp - logp.max())
    p /= p.sum()
    queue = np.maximum(np.arange(n_max + 1) - c, 0)
    p_wait = float(p[c:].sum())
    p_ab = theta * float((queue * p).sum()) / lam
    # The tagged arrival finding j ahead moves forward at rate c*mu + j*theta, abandons at theta.
    jm = n_max - c
    gen = np.zeros((jm + 3, jm + 3))
    served, gone = jm + 1, jm + 2
    for j in range(jm + 1):
        forward = c * mu + j * theta
        gen[j, j] = -(forward + theta)
        gen[j, j - 1 if j > 0 else served] += forward
        gen[j, gone] = theta
    start = p[c:] / p[c:].sum()
    absorbed = expm(gen * t)[: jm + 1]
    served_in_t = float(start @ absorbed[:, served])
    # E[wait | served] from first-step analysis: expected time to service, by linear equations.
    sub = gen[: jm + 1, : jm + 1]
    to_served = gen[: jm + 1, served]
    p_serv = np.linalg.solve(-sub, to_served)  # P(served | j)
    w_serv = np.linalg.solve(-sub, p_serv)  # E[wait * 1{served} | j]
    answered = (1 - p_wait) + p_wait * float(start @ p_serv)
    return {
        "p_wait": p_wait,
        "abandon_rate": p_ab,
        "mean_wait_seconds": float((queue * p).sum()) / lam,
        "asa_seconds": p_wait * float(start @ w_serv) / answered,
        "service_level": (1 - p_wait) + p_wait * served_in_t,
    }


# --------------------------------------------------------------------------------------------


def test_the_reference_erlang_a_tends_to_erlang_c_when_nobody_abandons() -> None:
    a = erlang_a(2.0 / 60, 1 / 240, 10, 1e-9, 20.0)
    c = erlang_c(2.0 / 60, 1 / 240, 10, 20.0)
    for name in ("p_wait", "asa_seconds", "service_level"):
        assert a[name] == pytest.approx(c[name], rel=1e-4)


def _check(records_ci: dict[str, object], theory: dict[str, float], names: tuple[str, ...]) -> None:
    for name in names:
        est = records_ci[name]
        assert est.covers(theory[name]), f"{name}: theory {theory[name]:.5f} not in {est}"  # type: ignore[attr-defined]


def test_small_mmc_matches_erlang_c_for_service_level_asa_and_p_wait() -> None:
    lam, aht, c = 2.2 / 60, 240.0, 10
    rec = simulate_mmc(lam, aht, c, hours=3000, seed=11)
    ci = batch_means(rec, answer_within=20.0, batches=30, warmup=3600)
    _check(ci, erlang_c(lam, 1 / aht, c, 20.0), ("service_level", "asa_seconds", "p_wait"))
    assert records_kpis(rec).abandoned == 0


def test_small_mmc_with_patience_matches_erlang_a_for_abandonment_and_waiting() -> None:
    lam, aht, c, patience = 2.6 / 60, 240.0, 10, 120.0
    rec = simulate_mmc(lam, aht, c, hours=3000, seed=12, patience=patience)
    ci = batch_means(rec, answer_within=20.0, batches=30, warmup=3600)
    theory = erlang_a(lam, 1 / aht, c, 1 / patience, 20.0)
    _check(
        ci,
        theory,
        ("abandon_rate", "p_wait", "mean_wait_seconds", "asa_seconds", "service_level"),
    )


def test_mid_size_mmc_with_patience_matches_erlang_a_in_heavy_traffic() -> None:
    lam, aht, c, patience = 24.0 / 60, 300.0, 120, 90.0  # offered load 120 erlangs = c
    rec = simulate_mmc(lam, aht, c, hours=400, seed=13, patience=patience)
    ci = batch_means(rec, answer_within=20.0, batches=30, warmup=3600)
    theory = erlang_a(lam, 1 / aht, c, 1 / patience, 20.0)
    _check(ci, theory, ("abandon_rate", "p_wait", "asa_seconds", "service_level"))


def test_same_seed_gives_the_same_records_and_another_seed_does_not() -> None:
    a = simulate_mmc(1.0, 200.0, 250, hours=2, seed=5, patience=60.0)
    b = simulate_mmc(1.0, 200.0, 250, hours=2, seed=5, patience=60.0)
    c = simulate_mmc(1.0, 200.0, 250, hours=2, seed=6, patience=60.0)
    assert np.array_equal(a.answered, b.answered, equal_nan=True)
    assert np.array_equal(a.agent, b.agent)
    assert len(a) != len(c) or not np.array_equal(a.arrival, c.arrival)


def test_the_longest_idle_agent_takes_the_next_contact() -> None:
    rec = simulate_mmc(0.001, 10.0, 3, hours=100, seed=1)  # almost never two busy at once
    first = rec.agent[:6].tolist()
    assert first[:3] == [0, 1, 2]
    assert first[3:6] == [0, 1, 2]
