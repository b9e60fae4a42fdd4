"""Simulator benchmark: the same M/M/c and M/M/c+M models in Ciw, SimPy and ccops, in one run.

Run: `python -m bench.bench_sim` (or `python -m bench`, which runs every bench_*.py main()).
Needs the `bench` extra (ciw, simpy). Prints contacts simulated per wall-second and the KPIs of
each tool with 95% batch-means intervals, and checks that the tools agree with each other and with
Erlang A/C from `ccops.queueing`.
"""

from __future__ import annotations

import heapq
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ccops.sim import Estimate, array_batch_means, simulate_mmc

LAM_PER_MIN = 100.0
AGENTS = 300
AHT = 170.0
PATIENCE = 120.0
ANSWER_WITHIN = 20.0
WARMUP = 900.0
KPIS = ("service_level", "asa_seconds", "abandon_rate", "p_wait")


@dataclass
class Run:
    """One tool's run: its speed and its KPI intervals."""

    tool: str
    model: str
    contacts: int
    wall: float
    kpis: dict[str, Estimate]

    @property
    def speed(self) -> float:
        """Contacts simulated per wall-clock second."""
        return self.contacts / self.wall


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def _estimates(arrays: Arrays, horizon: float) -> tuple[int, dict[str, Estimate]]:
    arrival, answered, abandoned = arrays
    order = np.argsort(arrival, kind="stable")
    arrival, answered, abandoned = arrival[order], answered[order], abandoned[order]
    keep = (arrival >= WARMUP) & (arrival < horizon)
    est = array_batch_means(
        arrival[keep], answered[keep], abandoned[keep], ANSWER_WITHIN, 0.0, batches=10
    )
    return int(np.count_nonzero(arrival < horizon)), est


def ciw_model(hours: float, patience: float | None, seed: int) -> Arrays:
    """M/M/c(+M) in Ciw, run a little past the horizon so that late arrivals finish."""
    import ciw

    lam, mu = LAM_PER_MIN / 60.0, 1.0 / AHT
    kwargs: dict[str, object] = {}
    if patience is not None:
        kwargs["reneging_time_distributions"] = [ciw.dists.Exponential(rate=1.0 / patience)]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[AGENTS],
        **kwargs,
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours * 3600.0 + 1800.0)
    recs = sim.get_all_records()
    arrival = np.array([r.arrival_date for r in recs])
    served = np.array([r.record_type == "service" for r in recs])
    start = np.array([r.service_start_date for r in recs], dtype=np.float64)
    exit_ = np.array([r.exit_date for r in recs], dtype=np.float64)
    answered = np.where(served, start, math.nan)
    abandoned = np.where(served, math.nan, exit_)
    return arrival, answered, abandoned


def simpy_model(hours: float, patience: float | None, seed: int) -> Arrays:
    """M/M/c(+M) as a plain SimPy model: a Resource with c slots and a process per customer."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    horizon = hours * 3600.0
    arrival: list[float] = []
    answered: list[float] = []
    abandoned: list[float] = []

    def customer(i: int):  # type: ignore[no-untyped-def]
        with agents.request() as req:
            if patience is None:
                yield req
                got = True
            else:
                result = yield req | env.timeout(rng.expovariate(1.0 / patience))
                got = req in result
            if got:
                answered[i] = env.now
                yield env.timeout(rng.expovariate(1.0 / AHT))
            else:
                abandoned[i] = env.now

    def source():  # type: ignore[no-untyped-def]
        i = 0
        while True:
            yield env.timeout(rng.expovariate(LAM_PER_MIN / 60.0))
            if env.now >= horizon:
                return
            arrival.append(env.now)
            answered.append(math.nan)
            abandoned.append(math.nan)
            env.process(customer(i))
            i += 1

    env.process(source())
    env.run()
    return np.array(arrival), np.array(answered), np.array(abandoned)


def ccops_model(hours: float, patience: float | None, seed: int) -> Arrays:
    """M/M/c(+M) in the ccops kernel."""
    rec = simulate_mmc(LAM_PER_MIN / 60.0, AHT, AGENTS, hours, seed, patience)
    return rec.arrival, rec.answered, rec.abandoned


def bare_heap_loop(hours: float, patience: float | None, seed: int) -> Arrays:
    """The practical limit: FCFS on a heap of free times, plain Python, nothing recorded twice."""
    del patience
    rng = random.Random(seed)
    horizon = hours * 3600.0
    lam, aht = LAM_PER_MIN / 60.0, AHT
    free = [0.0] * AGENTS
    t = 0.0
    arrival: list[float] = []
    answered: list[float] = []
    expo = rng.expovariate
    replace = heapq.heapreplace
    while True:
        t += expo(lam)
        if t >= horizon:
            break
        f = free[0]
        if f < t:
            f = t
        replace(free, f + expo(1.0 / aht))
        arrival.append(t)
        answered.append(f)
    n = len(arrival)
    return np.array(arrival), np.array(answered), np.full(n, math.nan)


def _timed(
    tool: str, model: str, fn: Callable[[float, float | None, int], Arrays], hours: float, seed: int
) -> Run:
    patience = PATIENCE if model.endswith("+M") else None
    started = time.perf_counter()
    arrays = fn(hours, patience, seed)
    wall = time.perf_counter() - started
    contacts, est = _estimates(arrays, hours * 3600.0)
    return Run(tool, model, contacts, wall, est)


def _theory(model: str) -> dict[str, float]:
    try:
        from ccops.queueing import erlang_a_metrics, erlang_c_metrics
    except ImportError:  # the queueing core is optional for this benchmark
        return {}
    load = LAM_PER_MIN / 60.0 * AHT
    if model == "M/M/c":
        c = erlang_c_metrics(AGENTS, load, AHT, ANSWER_WITHIN)
        return {
            "service_level": float(c.service_level),
            "asa_seconds": float(c.asa),
            "p_wait": float(c.wait_probability),
        }
    m = erlang_a_metrics(AGENTS, load, AHT, PATIENCE, ANSWER_WITHIN)
    return {
        "service_level": float(m.service_level),
        "asa_seconds": float(m.asa),
        "abandon_rate": float(m.abandon_probability),
        "p_wait": float(m.wait_probability),
    }


def _agree(a: Estimate, b: Estimate) -> bool:
    return abs(a.mean - b.mean) <= math.hypot(a.half_width, b.half_width) + 1e-12


def _print_table(runs: list[Run]) -> None:
    head = f"{'model':<8} {'tool':<16} {'contacts':>9} {'wall s':>7} {'contacts/s':>11}"
    print(head + "".join(f" {k:>22}" for k in KPIS))
    for r in runs:
        cells = "".join(f" {r.kpis[k].mean:>12.4f} ±{r.kpis[k].half_width:<8.4f}" for k in KPIS)
        print(f"{r.model:<8} {r.tool:<16} {r.contacts:>9} {r.wall:>7.2f} {r.speed:>11,.0f}{cells}")


def mmc_case(quick: bool = False) -> tuple[list[Run], list[str]]:
    """Run the single-queue case in every tool; return the runs and any disagreement found."""
    scale = 0.25 if quick else 1.0
    runs: list[Run] = []
    for model in ("M/M/c", "M/M/c+M"):
        runs.append(_timed("ciw", model, ciw_model, 12.0 * scale, 1))
        runs.append(_timed("simpy", model, simpy_model, 36.0 * scale, 2))
        runs.append(_timed("ccops.sim mmc", model, ccops_model, 200.0 * scale, 3))
        if model == "M/M/c":
            runs.append(_timed("bare heap loop", model, bare_heap_loop, 200.0 * scale, 4))
    problems: list[str] = []
    for model in ("M/M/c", "M/M/c+M"):
        ours = next(r for r in runs if r.model == model and r.tool == "ccops.sim mmc")
        theory = _theory(model)
        for r in runs:
            if r.model != model or r.tool in ("ccops.sim mmc", "bare heap loop"):
                continue
            for k in KPIS:
                if not _agree(r.kpis[k], ours.kpis[k]):
                    problems.append(f"{model} {k}: {r.tool} {r.kpis[k]} vs ccops {ours.kpis[k]}")
        for k, value in theory.items():
            if not ours.kpis[k].covers(value):
                problems.append(f"{model} {k}: ccops {ours.kpis[k]} misses Erlang {value:.5f}")
    return runs, problems


def multiskill_scenario(pooled: bool) -> Any:
    """3 queues, 2 skills, 300 agents, same total load as the M/M/c+M case.

    Pooled: every agent has both skills and routing is FIFO, so it *is* M/M/300+M (a check of the
    general engine against the kernel and Erlang A). Split: 110 sales-only, 110 service-only and
    80 blended agents; VIP (on the sales skill) has priority and overflows to service after 30 s.
    """
    from ccops.sim import parse_scenario

    per_day = LAM_PER_MIN * 1440
    patience = {"kind": "exponential", "mean": PATIENCE}
    queues: list[dict[str, Any]] = [
        {"name": "sales", "skill": "sales", "priority": 1, "daily_volume": 0.40 * per_day},
        {"name": "service", "skill": "service", "priority": 1, "daily_volume": 0.45 * per_day},
        {"name": "vip", "skill": "sales", "priority": 10, "daily_volume": 0.15 * per_day},
    ]
    for q in queues:
        q |= {"aht": AHT, "patience": patience, "answer_within": ANSWER_WITHIN, "short_abandon": 0}
    shift = {
        "start": "00:00",
        "hours": 24,
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    }
    if pooled:
        teams = [
            {"name": "all", "agents": AGENTS, "skills": ["sales", "service"], "shifts": [shift]}
        ]
    else:
        queues[2] |= {"overflow_after": 30, "overflow_skill": "service"}
        teams = [
            {"name": "sales", "agents": 110, "skills": ["sales"], "shifts": [shift]},
            {"name": "service", "agents": 110, "skills": ["service"], "shifts": [shift]},
            {"name": "blended", "agents": 80, "skills": ["sales", "service"], "shifts": [shift]},
        ]
    return parse_scenario({"center": {"start": "2026-01-05"}, "queues": queues, "teams": teams})


def multiskill_case(mmc_run: Run, quick: bool) -> list[str]:
    """Run the general engine on the 3-queue, 2-skill case; check the pooled variant; print."""
    from ccops.sim import batch_means, records_kpis, simulate

    days = 1 if quick else 4
    problems: list[str] = []
    print()
    print(f"# general engine, 3 queues / 2 skills / {AGENTS} agents, {days} days")
    for pooled in (True, False):
        sc = multiskill_scenario(pooled)
        started = time.perf_counter()
        rec = simulate(sc, days, 5, priorities=not pooled)
        wall = time.perf_counter() - started
        est = batch_means(rec, ANSWER_WITHIN, 0.0, batches=10, warmup=WARMUP)
        label = "pooled (= M/M/c+M)" if pooled else "split + VIP priority + overflow"
        run = Run("ccops.sim engine", label, len(rec), wall, est)
        cells = "".join(f" {k}={est[k].mean:.4f}±{est[k].half_width:.4f}" for k in KPIS)
        print(f"{label:<32} {run.contacts:>9} contacts {wall:6.2f} s {run.speed:>10,.0f}/s{cells}")
        print(
            f"{'':<32} {mmc_run.speed / run.speed:.1f}x slower than the mmc kernel, "
            f"{run.speed / 260_000:.2f}x the 260,000/s single-queue goal"
        )
        if pooled:
            theory = _theory("M/M/c+M")
            for k in KPIS:
                if not _agree(est[k], mmc_run.kpis[k]):
                    problems.append(f"pooled engine {k}: {est[k]} vs mmc {mmc_run.kpis[k]}")
                if k in theory and not est[k].covers(theory[k]):
                    problems.append(f"pooled engine {k}: {est[k]} misses Erlang {theory[k]:.5f}")
        else:
            for q in sc.queues:
                k = records_kpis(rec, ANSWER_WITHIN, 0.0, queue=q.name, warmup=WARMUP)
                print(
                    f"{'':<32} {q.name:<8} SL={k.service_level:.4f} ASA={k.asa_seconds:6.2f} s "
                    f"abandon={k.abandon_rate:.4f}"
                )
    return problems


def main() -> None:
    """Run the benchmark and print the table; exit 1 if results disagree beyond their CIs."""
    quick = os.environ.get("CCOPS_BENCH_QUICK") == "1"
    print(
        f"# ccops.sim benchmark: c={AGENTS}, lambda={LAM_PER_MIN:g}/min, AHT={AHT:g} s, "
        f"patience={PATIENCE:g} s (+M), SL threshold {ANSWER_WITHIN:g} s"
    )
    runs, problems = mmc_case(quick)
    _print_table(runs)
    for model in ("M/M/c", "M/M/c+M"):
        theory = _theory(model)
        if theory:
            print(f"{model} Erlang: " + ", ".join(f"{k}={v:.4f}" for k, v in theory.items()))
    by = {(r.model, r.tool): r.speed for r in runs}
    for model in ("M/M/c", "M/M/c+M"):
        ours = by[(model, "ccops.sim mmc")]
        print(
            f"{model}: ccops is {ours / by[(model, 'ciw')]:.0f}x Ciw, "
            f"{ours / by[(model, 'simpy')]:.1f}x SimPy"
        )
    ours = next(r for r in runs if r.model == "M/M/c+M" and r.tool == "ccops.sim mmc")
    problems += multiskill_case(ours, quick)
    for p in problems:
        print("MISMATCH:", p)
    if problems:
        sys.exit(1)
    print("all results agree within their 95% confidence intervals")


if __name__ == "__main__":
    main()
