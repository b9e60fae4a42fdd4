"""Queueing: ccops vs pyworkforce on a year of 15-minute intervals (35,040), side by side.

Run: ``python -m bench.bench_queueing`` (or ``python -m bench`` for every benchmark).
Two queues, one peaking at 300 contacts per interval and one at 3,000 (about 1,000 agents);
AHT 300 s, 80 % answered within 20 s, maximum occupancy 0.85, shrinkage 0.3.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ccops.queueing import required_agents, scheduled_agents

INTERVALS = 35_040  # 365 days × 96
INTERVAL_MINUTES = 15
AHT_SECONDS = 300.0
ANSWER_WITHIN = 20.0
SERVICE_LEVEL = 0.8
MAX_OCCUPANCY = 0.85
SHRINKAGE = 0.3
PATIENCE_SECONDS = 180.0


def year_of_calls(peak: int, seed: int = 7) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Whole calls per 15-minute interval: a day curve, quieter weekends, ±10 % noise."""
    t = np.arange(INTERVALS)
    day = 0.5 - 0.5 * np.cos(2 * np.pi * (t % 96) / 96)
    week = np.where((t // 96) % 7 >= 5, 0.6, 1.0)
    noise = np.random.default_rng(seed).uniform(0.9, 1.0, INTERVALS)
    calls = np.round(peak * (0.02 + 0.98 * day**1.5) * week * noise)
    return np.maximum(calls, 1.0)


def ccops_staffing(
    calls: np.ndarray[Any, np.dtype[np.float64]],
) -> tuple[np.ndarray[Any, Any], float]:
    start = time.perf_counter()
    load = calls * AHT_SECONDS / (INTERVAL_MINUTES * 60.0)
    raw = required_agents(
        load, AHT_SECONDS, ANSWER_WITHIN, service_level=SERVICE_LEVEL, max_occupancy=MAX_OCCUPANCY
    )
    scheduled_agents(raw, SHRINKAGE)
    return raw, time.perf_counter() - start


def ccops_erlang_a(
    calls: np.ndarray[Any, np.dtype[np.float64]],
) -> tuple[np.ndarray[Any, Any], float]:
    start = time.perf_counter()
    load = calls * AHT_SECONDS / (INTERVAL_MINUTES * 60.0)
    raw = required_agents(
        load,
        AHT_SECONDS,
        ANSWER_WITHIN,
        service_level=SERVICE_LEVEL,
        max_occupancy=MAX_OCCUPANCY,
        patience=PATIENCE_SECONDS,
    )
    return raw, time.perf_counter() - start


def pyworkforce_staffing(
    calls: np.ndarray[Any, np.dtype[np.float64]],
) -> tuple[np.ndarray[Any, Any], float]:
    from pyworkforce.queuing import ErlangC

    start = time.perf_counter()
    out = np.empty(calls.size, dtype=np.int64)
    for i, c in enumerate(calls.tolist()):
        erlang = ErlangC(
            transactions=c,
            aht=AHT_SECONDS / 60.0,
            asa=ANSWER_WITHIN / 60.0,
            interval=INTERVAL_MINUTES,
            shrinkage=SHRINKAGE,
        )
        out[i] = erlang.required_positions(
            service_level=SERVICE_LEVEL, max_occupancy=MAX_OCCUPANCY
        )["raw_positions"]
    return out, time.perf_counter() - start


def main() -> None:
    """Print the side-by-side table and report any staffing mismatch."""
    try:
        import pyworkforce.queuing as pwq
    except ImportError:
        pwq = None
        print("pyworkforce not installed (pip install -e '.[bench]'): ccops figures only")
    has_erlang_a = pwq is not None and hasattr(pwq, "ErlangA")
    print(f"Queueing (Erlang): {INTERVALS:,} intervals of {INTERVAL_MINUTES} min,")
    print(f"  AHT {AHT_SECONDS:g} s, {SERVICE_LEVEL:.0%} within {ANSWER_WITHIN:g} s,")
    print(f"  max occupancy {MAX_OCCUPANCY}, shrinkage {SHRINKAGE},")
    print(f"  Erlang A patience {PATIENCE_SECONDS:g} s")
    names = ("queue peak", "max agents", "ccops C s", "pyworkforce C s", "speed-up")
    names += ("mismatches", "ccops A s")
    widths = (10, 10, 10, 16, 9, 10, 10)
    header = " ".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True))
    print(header)
    print("-" * len(header))
    for peak in (300, 3000):
        calls = year_of_calls(peak)
        ours, t_ours = ccops_staffing(calls)
        _, t_a = ccops_erlang_a(calls)
        if pwq is not None:
            theirs, t_theirs = pyworkforce_staffing(calls)
            mismatch = np.flatnonzero(ours != theirs)
            speed = f"{t_theirs / t_ours:8.0f}x"
            pw_time = f"{t_theirs:16.2f}"
            n_bad = str(mismatch.size)
        else:
            mismatch, speed, pw_time, n_bad = np.array([], dtype=np.int64), "", "", "n/a"
        cells = (peak, int(ours.max()), f"{t_ours:.3f}", pw_time, speed, n_bad, f"{t_a:.3f}")
        print(" ".join(f"{str(c).strip():>{w}}" for c, w in zip(cells, widths, strict=True)))
        for i in mismatch[:10]:
            load = calls[i] * AHT_SECONDS / (INTERVAL_MINUTES * 60.0)
            print(
                f"  interval {i}: calls {calls[i]:g} (A = {load:.3f}): ccops {ours[i]}, "
                f"pyworkforce {theirs[i]} (pyworkforce starts its search at round(A + 1))"
            )
    if not has_erlang_a:
        print("pyworkforce ErlangA: not in this pyworkforce release; ccops Erlang A shown alone")


if __name__ == "__main__":
    main()
