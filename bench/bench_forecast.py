"""Forecasting: rolling-origin backtests of every candidate model against seasonal naive.

Run: ``python -m bench forecast``.

Three series:

1. A real call center, daily volumes (``bench/data/bank_calls_daily.csv``: a North American bank,
   March-October 2003, see ``bench/data/SOURCES.md``). Weekends are closed (zero); the six
   weekdays without data are special days (multiplier 0), neutralised before fitting. Backtest:
   ``REAL_WINDOWS`` weekly cutoffs, each forecasting the next 7 days.
2. The same center per 30-minute interval over its last ``REAL_INTRADAY_WEEKS`` weeks (MSTL on
   the interval series; AutoETS/AutoARIMA on daily totals spread by weekday profile): 3 cutoffs.
3. The demo center (``examples/demo-center.toml``) simulated for ``DEMO_DAYS`` days by
   ``ccops.sim``, ingested into a temporary SQLite store through the ingest path and read back
   through the metric catalog (offered by 30-minute interval × queue × channel), exactly as
   ``ccops forecast`` reads it: 3 cutoffs, each forecasting 7 days, per queue.

WAPE = Σ|actual − forecast| ÷ Σ actual over every backtest window; MASE = window MAE ÷ in-sample
MAE of the weekly seasonal naive forecast, averaged over windows. "vs naive" is the change in
WAPE against seasonal naive (negative: better).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ccops.wfm.forecast import (
    FLOOR,
    MODELS,
    Backtest,
    History,
    SpecialDay,
    backtest,
    history_from_daily,
    neutralise,
    plan_backtest,
)

DATA = Path(__file__).resolve().parent / "data"
REAL_WINDOWS = int(os.environ.get("BENCH_FORECAST_REAL_WINDOWS", "8"))
REAL_INTRADAY_WEEKS = int(os.environ.get("BENCH_FORECAST_INTRADAY_WEEKS", "12"))
DEMO_DAYS = int(os.environ.get("BENCH_FORECAST_DEMO_DAYS", "35"))


def _print(title: str, result: Backtest, seconds: float, extra: str = "") -> None:
    floor = result.scores[FLOOR].wape
    print(f"\n{title}: chosen {result.chosen}; {len(result.cutoffs)} cutoffs × "
          f"{result.horizon} periods; {seconds:.1f} s {extra}")  # fmt: skip
    print(f"  {'model':<14} {'WAPE':>7} {'MASE':>6} {'vs naive':>9} {'seconds':>8}")
    for name, s in result.scores.items():
        if not s.ok:
            print(f"  {name:<14} failed: {s.error}")
            continue
        gain = "" if name == FLOOR else f"{(s.wape - floor) / floor:+.1%}"
        print(f"  {name:<14} {s.wape:>7.1%} {s.mase:>6.3f} {gain:>9} {s.seconds:>8.1f}")


def real_daily() -> tuple[History, tuple[SpecialDay, ...]]:
    """The bank's daily calls on a calendar grid: weekends zero, missing weekdays special."""
    frame = pd.read_csv(DATA / "bank_calls_daily.csv", parse_dates=["day"])
    calls = frame.set_index(frame.day.dt.date)["calls"]
    first, last = min(calls.index), max(calls.index)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    volumes = [float(calls.get(d, 0.0)) for d in days]
    closed = [d for d in days if d.weekday() < 5 and d not in calls]
    missing = tuple(SpecialDay(d, 0.0, "no data") for d in closed)
    return history_from_daily("bank", first, volumes), missing


def real_intraday(weeks: int) -> tuple[np.ndarray[Any, np.dtype[np.float64]], date, list[date]]:
    """The bank's calls per 30-minute interval over its last `weeks` whole weeks (from Monday)."""
    frame = pd.read_csv(DATA / "bank_calls_30min.csv", parse_dates=["interval_start"])
    last = frame.interval_start.max().date()
    first = last - timedelta(days=7 * weeks - 1)
    first -= timedelta(days=first.weekday())  # start on a Monday
    grid = pd.date_range(pd.Timestamp(first), pd.Timestamp(last) + pd.Timedelta(days=1),
                         freq="30min", inclusive="left")  # fmt: skip
    y = frame.set_index("interval_start")["calls"].reindex(grid, fill_value=0).to_numpy(float)
    seen = set(frame.interval_start.dt.date)
    n_days = len(grid) // 48
    missing = [first + timedelta(days=i) for i in range(n_days)
               if (first + timedelta(days=i)).weekday() < 5
               and first + timedelta(days=i) not in seen]  # fmt: skip
    return y, first, missing


def bench_real() -> None:
    """Backtests on the real center: daily volumes, then 30-minute intervals."""
    history, missing = real_daily()
    y, replaced = neutralise(history.contacts, history.first_day, 1, (s.day for s in missing))
    plan = plan_backtest(history.days, 7, REAL_WINDOWS)
    started = time.perf_counter()
    result = backtest(y, 1, plan, MODELS)
    _print(
        f"real center, daily ({history.first_day} … {history.last_day}, {history.days} days, "
        f"{len(replaced)} special days neutralised)",
        result,
        time.perf_counter() - started,
    )
    yi, first, missing_days = real_intraday(REAL_INTRADAY_WEEKS)
    yi, _ = neutralise(yi, first, 48, missing_days)
    plan = plan_backtest(len(yi) // 48, 7, 3)
    started = time.perf_counter()
    result = backtest(yi, 48, plan, MODELS)
    _print(
        f"real center, 30-minute intervals (last {REAL_INTRADAY_WEEKS} weeks from {first})",
        result,
        time.perf_counter() - started,
    )


def bench_demo(days: int) -> None:
    """Simulate the demo center, ingest it, read it through the catalog, backtest each queue."""
    from ccops.cli.forecast import read_histories
    from ccops.ingest.pipeline import Ingestor
    from ccops.sim import DEMO_SCENARIO, demo_run, load_scenario
    from ccops.store import make_engine, upgrade

    scenario = load_scenario(DEMO_SCENARIO)
    start = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    scenario = replace(scenario, start=start)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        upgrade(engine)
        started = time.perf_counter()
        run = demo_run(scenario, days=days, seed=1)
        ingestor = Ingestor(engine, source="bench:forecast")
        for event in run.events():
            ingestor.add_event(event)
        summary = ingestor.close()
        stored = time.perf_counter() - started
        print(f"\ndemo center: {days} days simulated and stored ({summary.accepted:,} events, "
              f"{summary.contacts:,} contacts) in {stored:.0f} s")  # fmt: skip
        started = time.perf_counter()
        last = start.date() + timedelta(days=days - 1)
        histories = read_histories(engine, start.date(), last, 30, "UTC")
        print(f"history read through the metric catalog in {time.perf_counter() - started:.1f} s")
        engine.dispose()
    for history in histories:
        plan = plan_backtest(history.days, 7, 3)
        started = time.perf_counter()
        result = backtest(history.contacts, history.periods_per_day, plan, MODELS)
        _print(
            f"demo center, {history.queue} ({history.channel}), 30-minute intervals, "
            f"{history.days} days, {int(history.contacts.sum()):,} contacts",
            result,
            time.perf_counter() - started,
        )


def main() -> None:
    """Backtest on the real center and on the simulated demo center."""
    started = time.perf_counter()
    bench_real()
    bench_demo(DEMO_DAYS)
    print(f"\nforecast benchmarks: {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
