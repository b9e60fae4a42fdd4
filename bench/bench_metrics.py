"""The metric catalog at scale: a year of 10,000,000 contacts by 30-minute interval × queue.

Run: `python -m bench metrics` (env BENCH_METRICS_CONTACTS, default 10,000,000;
BENCH_METRICS_DIR, default a folder under the system temp, reused between runs).

The history is generated straight to Parquet in the shape `ccops export --parquet` writes. The
same four KPIs (SL, ASA, abandonment, AHT with the queue's own T and S) are computed three ways
in one run — the catalog on DuckDB (`run_report` over the export), a hand-written pandas groupby
and polars (lazy scan) — each reading the Parquet files, and the three answers are compared.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ccops.metrics import Report, connect_parquet, run_report

METRICS = ["service_level", "asa_seconds", "abandon_rate", "aht_seconds"]
SUMS = ("sl_answered", "sl_offered", "wait_answered", "answered", "abandoned", "handle", "handled")
QUEUES = 24
START = np.datetime64("2025-01-01T00:00:00", "us")
YEAR_SECONDS = 365 * 86_400


def generate(folder: Path, n: int, seed: int = 11) -> None:
    """Write contacts (n rows over a year, 24 queues) and the other exported tables."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    queue_id = rng.integers(1, QUEUES + 1, n).astype(np.int64)
    # arrivals peak in the day: hour of day drawn from a day-shaped curve
    day = rng.integers(0, 365, n)
    hour = np.clip(rng.normal(13, 4, n), 0, 23.999)
    offered_s = day * 86_400 + (hour * 3600).astype(np.int64)
    order = np.argsort(offered_s, kind="stable")
    offered_s, queue_id = offered_s[order], queue_id[order]
    u = rng.random(n)
    ivr = u < 0.03
    abandoned = (u >= 0.03) & (u < 0.11)
    answered = ~(ivr | abandoned)
    wait = np.round(rng.exponential(25, n)).astype(np.float64)
    wait[ivr] = np.round(rng.exponential(60, int(ivr.sum())))
    talk = np.round(rng.gamma(2.0, 120, n))
    hold = np.where(rng.random(n) < 0.2, np.round(rng.exponential(30, n)), 0.0)
    acw = np.round(rng.exponential(30, n))
    transferred = answered & (rng.random(n) < 0.05)
    outcome = np.where(
        ivr,
        "contained_in_ivr",
        np.where(abandoned, "abandoned", np.where(transferred, "transferred", "handled")),
    )
    offered_at = START + offered_s.astype("timedelta64[s]")
    answered_at = np.where(
        answered, offered_at + wait.astype("timedelta64[s]"), np.datetime64("NaT")
    )
    ended_at = np.where(
        answered, answered_at + (talk + hold).astype("timedelta64[s]"), np.datetime64("NaT")
    )
    abandoned_at = np.where(
        abandoned, offered_at + wait.astype("timedelta64[s]"), np.datetime64("NaT")
    )
    ids = pa.array(np.arange(1, n + 1, dtype=np.int64))
    contacts = pa.table(
        {
            "id": ids,
            "key": pc.binary_join_element_wise("c", pc.cast(ids, pa.string()), ""),
            "channel": pa.array(np.where(queue_id % 4 == 0, "chat", "voice")),
            "direction": pa.array(np.full(n, "inbound")),
            "queue_id": queue_id,
            "customer_id": rng.integers(1, 1_000_000, n),
            "agent_id": pa.array(rng.integers(1, 600, n), mask=~answered),
            "segment": pa.nulls(n, pa.string()),
            "vip_tier": pa.nulls(n, pa.int64()),
            "priority": pa.nulls(n, pa.int64()),
            "offered_at": pa.array(offered_at),
            "answered_at": pa.array(answered_at),
            "abandoned_at": pa.array(abandoned_at),
            "ended_at": pa.array(ended_at),
            "wrap_end_at": pa.array(ended_at),
            "wait_seconds": wait,
            "talk_seconds": pa.array(talk, mask=~answered),
            "hold_seconds": pa.array(hold, mask=~answered),
            "acw_seconds": pa.array(acw, mask=~answered),
            "outcome": pa.array(outcome),
            "reason": pa.nulls(n, pa.string()),
            "disposition": pa.nulls(n, pa.string()),
            "resolved": pa.nulls(n, pa.bool_()),
            "transferred_to": pa.nulls(n, pa.string()),
        }
    )
    pq.write_table(contacts, folder / "contacts.parquet", row_group_size=1_000_000)
    qids = np.arange(1, QUEUES + 1)
    queues = pa.table(
        {
            "id": qids,
            "key": [f"q{i:02d}" for i in qids],
            "name": [f"Queue {i}" for i in qids],
            "channel": ["chat" if i % 4 == 0 else "voice" for i in qids],
            "sl_threshold_seconds": [60.0 if i % 4 == 0 else 20.0 for i in qids],
            "short_abandon_seconds": [5.0 if i % 3 else 10.0 for i in qids],
            "sl_target": [0.8] * QUEUES,
        }
    )
    pq.write_table(queues, folder / "queues.parquet")
    empty = {
        "agents": {"id": pa.int64(), "key": pa.string(), "team_id": pa.int64(),
                   "cost_rate_per_hour": pa.float64()},
        "teams": {"id": pa.int64(), "key": pa.string()},
        "customers": {"id": pa.int64(), "segment": pa.string(), "vip_tier": pa.int64()},
        "agent_states": {"id": pa.int64(), "agent_id": pa.int64(), "state": pa.string(),
                         "start_at": pa.timestamp("us"), "end_at": pa.timestamp("us")},
    }  # fmt: skip
    for name, schema in empty.items():
        pq.write_table(pa.schema(schema).empty_table(), folder / f"{name}.parquet")
    (folder / "READY").write_text(str(n))


def with_duckdb(folder: Path) -> Report:
    """The catalog: run_report over the Parquet export on DuckDB (a columnar Arrow report)."""
    return run_report(connect_parquet(folder), METRICS, "interval30,queue")


def _ratios(sums: Any) -> Any:
    """SL, ASA, abandonment and AHT from summed columns (pandas or polars frames alike)."""
    return {
        "service_level": sums["sl_answered"] / sums["sl_offered"],
        "asa_seconds": sums["wait_answered"] / sums["answered"],
        "abandon_rate": sums["abandoned"] / sums["sl_offered"],
        "aht_seconds": sums["handle"] / sums["handled"],
    }


def with_pandas(folder: Path) -> Any:
    """A hand-written pandas version of the same four KPIs."""
    import pandas as pd

    cols = ["queue_id", "offered_at", "answered_at", "ended_at", "wait_seconds", "talk_seconds",
            "hold_seconds", "acw_seconds", "outcome"]  # fmt: skip
    df = pd.read_parquet(folder / "contacts.parquet", columns=cols)
    q = pd.read_parquet(folder / "queues.parquet").set_index("id")
    t = df["queue_id"].map(q["sl_threshold_seconds"]).fillna(20.0)
    s = df["queue_id"].map(q["short_abandon_seconds"]).fillna(5.0)
    wait = df["wait_seconds"].fillna(0.0)
    offered = df["outcome"].ne("contained_in_ivr")
    answered = df["answered_at"].notna() & offered
    handled = df["answered_at"].notna() & df["ended_at"].notna()
    abandoned = df["answered_at"].isna() & df["outcome"].eq("abandoned")
    short = abandoned & (wait < s)
    frame = pd.DataFrame(
        {
            "interval30": df["offered_at"].dt.floor("30min"),
            "queue": df["queue_id"].map(q["key"]),
            "sl_answered": (answered & (wait <= t)).astype("int64"),
            "sl_offered": (offered & ~short).astype("int64"),
            "abandoned": (abandoned & ~short).astype("int64"),
            "answered": answered.astype("int64"),
            "wait_answered": wait.where(answered, 0.0),
            "handled": handled.astype("int64"),
            "handle": (
                df["talk_seconds"].fillna(0) + df["hold_seconds"].fillna(0)
                + df["acw_seconds"].fillna(0)
            ).where(handled, 0.0),
        }
    )  # fmt: skip
    sums = frame.groupby(["interval30", "queue"], sort=True).sum()
    return sums.assign(**_ratios(sums))[METRICS]


def with_polars(folder: Path) -> Any:
    """The same four KPIs in polars (lazy scan of the Parquet files)."""
    import polars as pl

    q = pl.scan_parquet(folder / "queues.parquet").select(
        pl.col("id").alias("queue_id"), pl.col("key").alias("queue"),
        pl.col("sl_threshold_seconds").alias("t"), pl.col("short_abandon_seconds").alias("s"),
    )  # fmt: skip
    c = pl.scan_parquet(folder / "contacts.parquet").join(q, on="queue_id", how="left")
    wait = pl.col("wait_seconds").fill_null(0.0)
    offered = pl.col("outcome") != "contained_in_ivr"
    answered = pl.col("answered_at").is_not_null() & offered
    handled = pl.col("answered_at").is_not_null() & pl.col("ended_at").is_not_null()
    abandoned = pl.col("answered_at").is_null() & (pl.col("outcome") == "abandoned")
    short = abandoned & (wait < pl.col("s").fill_null(5.0))
    handle = (
        pl.col("talk_seconds").fill_null(0) + pl.col("hold_seconds").fill_null(0)
        + pl.col("acw_seconds").fill_null(0)
    )  # fmt: skip
    sums = (
        c.group_by(pl.col("offered_at").dt.truncate("30m").alias("interval30"), "queue")
        .agg(
            (answered & (wait <= pl.col("t").fill_null(20.0))).sum().alias("sl_answered"),
            (offered & ~short).sum().alias("sl_offered"),
            (abandoned & ~short).sum().alias("abandoned"),
            answered.sum().alias("answered"),
            pl.when(answered).then(wait).otherwise(0.0).sum().alias("wait_answered"),
            handled.sum().alias("handled"),
            pl.when(handled).then(handle).otherwise(0.0).sum().alias("handle"),
        )
        .with_columns(**_ratios({n: pl.col(n) for n in SUMS}))
        .sort("interval30", "queue")
        .collect()
    )
    return sums


def _best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def _agree(report: Report, pandas_frame: Any, polars_frame: Any) -> int:
    """Every group's four KPIs agree across the three (to 1e-9); returns the number of groups."""
    duck = {(r["interval30"], r["queue"]): r for r in report.rows}
    pd_rows = {
        (ts.to_pydatetime(), queue): row
        for (ts, queue), row in pandas_frame.to_dict(orient="index").items()
    }
    pl_rows = {(r["interval30"], r["queue"]): r for r in polars_frame.iter_rows(named=True)}
    assert set(duck) == set(pd_rows) == set(pl_rows), "the three disagree on the groups"
    for key, row in duck.items():
        for m in METRICS:
            values = [row[m], pd_rows[key][m], pl_rows[key][m]]
            values = [None if v is None or v != v else float(v) for v in values]
            if None in values:
                assert values == [None, None, None], (key, m, values)
            else:
                assert max(values) - min(values) <= 1e-9 * max(1.0, abs(values[0])), (key, m)
    return len(duck)


def main() -> None:
    """Generate (or reuse) the history, time the three ways, check they agree, print figures."""
    n = int(os.environ.get("BENCH_METRICS_CONTACTS", "10000000"))
    folder = Path(
        os.environ.get(
            "BENCH_METRICS_DIR", Path(tempfile.gettempdir()) / f"ccops-bench-metrics-{n}"
        )
    )
    if not (folder / "READY").is_file():
        started = time.perf_counter()
        generate(folder, n)
        print(f"generated {n:,} contacts in {time.perf_counter() - started:.1f} s → {folder}")
    size = (folder / "contacts.parquet").stat().st_size
    print(f"history: {n:,} contacts, {size / 1e6:,.0f} MB of Parquet, {QUEUES} queues, 1 year")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    t_duck, duck = _best(lambda: with_duckdb(folder))
    t_rows, _ = _best(lambda: with_duckdb(folder).rows, repeat=1)
    t_pd, pandas_frame = _best(lambda: with_pandas(folder), repeat=2)
    t_pl, polars_frame = _best(lambda: with_polars(folder))
    groups = _agree(duck, pandas_frame, polars_frame)
    print(f"{groups:,} interval × queue rows; the three agree on every KPI of every row")
    print("| engine | seconds (best) | vs pandas | vs polars |")
    print("|---|---|---|---|")
    for name, t in (("ccops catalog on DuckDB (run_report)", t_duck),
                    ("  … and the rows as Python dicts", t_rows),
                    ("pandas groupby (hand-written)", t_pd), ("polars lazy", t_pl)):  # fmt: skip
        print(f"| {name} | {t:.2f} | {t / t_pd:.2f}x | {t / t_pl:.2f}x |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
