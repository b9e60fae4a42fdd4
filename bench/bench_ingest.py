"""Ingest throughput: N canonical events from JSONL into SQLite and PostgreSQL.

Run: `python -m bench ingest` (env BENCH_INGEST_EVENTS, default 1,000,000;
BENCH_POSTGRES_URL or CCOPS_TEST_POSTGRES_URL for the PostgreSQL leg).
"""

from __future__ import annotations

import heapq
import itertools
import os
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from sqlalchemy import create_engine, text

from ccops.ingest.pipeline import ingest_jsonl
from ccops.store import make_engine, upgrade

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def generate(path: Path, n_events: int, seed: int = 7) -> int:
    """Write a realistic stream in time order, as an ACD emits it: contacts of 2-5 events
    (8% abandoned) handled by 300 agents, each agent's talking/available states."""
    rng = random.Random(seed)
    pending: list[tuple[datetime, int, dict[str, object]]] = []
    free_at = [START] * 300
    order = itertools.count()
    written = 0
    i = 0
    with path.open("wb") as fh:
        while written < n_events:
            key = f"c{i}"
            offered = START + timedelta(seconds=i * 1.2)
            i += 1
            seq = [
                (
                    offered,
                    {
                        "id": f"{key}-o",
                        "type": "contact.offered",
                        "contact": key,
                        "queue": rng.choice(("general", "vip", "sales", "chat")),
                        "channel": "voice",
                        "customer": f"cust-{rng.randint(1, 200_000)}",
                    },
                )
            ]
            n = rng.randrange(300)
            answered = max(offered + timedelta(seconds=rng.expovariate(1 / 5)), free_at[n])
            if rng.random() < 0.08:
                seq.append(
                    (
                        offered + timedelta(seconds=rng.expovariate(1 / 40)),
                        {"id": f"{key}-x", "type": "contact.abandoned", "contact": key},
                    )
                )
            else:
                agent = f"agent-{n}"
                ended = answered + timedelta(seconds=rng.expovariate(1 / 240))
                wrapped = ended + timedelta(seconds=30)
                free_at[n] = wrapped + timedelta(seconds=1)
                seq += [
                    (
                        answered,
                        {
                            "id": f"{key}-a",
                            "type": "contact.answered",
                            "contact": key,
                            "agent": agent,
                        },
                    ),
                    (
                        answered,
                        {
                            "id": f"{key}-s1",
                            "type": "agent.state",
                            "agent": agent,
                            "state": "talking",
                        },
                    ),
                    (
                        ended,
                        {
                            "id": f"{key}-e",
                            "type": "contact.ended",
                            "contact": key,
                            "hold_seconds": rng.choice((0, 0, 20)),
                        },
                    ),
                    (wrapped, {"id": f"{key}-w", "type": "contact.wrapped", "contact": key}),
                    (
                        wrapped,
                        {
                            "id": f"{key}-s2",
                            "type": "agent.state",
                            "agent": agent,
                            "state": "available",
                        },
                    ),
                ]
            for at, event in seq:
                heapq.heappush(pending, (at, next(order), {**event, "at": _iso(at)}))
            # Emit everything that happened before this arrival, in time order.
            while pending and pending[0][0] <= offered and written < n_events:
                fh.write(orjson.dumps(heapq.heappop(pending)[2]) + b"\n")
                written += 1
        return written


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(label: str, url: str, path: Path, n: int) -> dict[str, float | str]:
    engine = make_engine(url)
    upgrade(engine)
    load = os.getloadavg()[0]
    cpu, children = time.process_time(), _children_cpu()
    started = time.perf_counter()
    summary = ingest_jsonl(engine, path)
    elapsed = time.perf_counter() - started
    cpu, children = time.process_time() - cpu, _children_cpu() - children
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM events")).scalar()
    assert stored == n == summary.accepted, (stored, n, summary.accepted)
    again = time.perf_counter()
    second = ingest_jsonl(engine, path)
    rerun = time.perf_counter() - again
    assert second.accepted == 0
    return {
        "store": label,
        "events": n,
        "seconds": elapsed,
        "events_per_s": n / elapsed,
        "writer_cpu": cpu,
        "parser_cpu": children,
        "load": f"{load:.1f}-{os.getloadavg()[0]:.1f}",
        "contacts": summary.contacts,
        "rerun_seconds": rerun,
    }


def main() -> None:
    """Generate the file once, ingest it into each store, print a table."""
    n = int(os.environ.get("BENCH_INGEST_EVENTS", "1000000"))
    pg = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("CCOPS_TEST_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        generate(path, n)
        print(f"{n:,} events, {path.stat().st_size / 1e6:.0f} MB of JSONL")
        results = [_run("SQLite (file, WAL)", f"sqlite:///{tmp}/bench.db", path, n)]
        if pg:
            schema = "ccops_bench_ingest"
            admin = create_engine(pg)
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            sep = "&" if "?" in pg else "?"
            results.append(
                _run("PostgreSQL", f"{pg}{sep}options=-csearch_path%3D{schema}", path, n)
            )
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        else:
            print("PostgreSQL leg skipped: set BENCH_POSTGRES_URL or CCOPS_TEST_POSTGRES_URL")
    # CPU: seconds on a core of the writing process and of the parsing process (the two run at
    # once); events/s of CPU is events over the busier one's CPU seconds, the rate two free
    # cores would give.
    print(
        f"{'store':<20} {'events':>10} {'seconds':>8} {'events/s':>10} {'re-run s':>9} "
        f"{'writer CPU s':>12} {'parser CPU s':>12} {'events/s of CPU':>15} {'load':>9}"
    )
    for r in results:
        busiest = max(float(r["writer_cpu"]), float(r["parser_cpu"]))
        print(
            f"{r['store']:<20} {r['events']:>10,} {r['seconds']:>8.1f} "
            f"{r['events_per_s']:>10,.0f} {r['rerun_seconds']:>9.1f} {r['writer_cpu']:>12.1f} "
            f"{r['parser_cpu']:>12.1f} {int(r['events']) / busiest:>15,.0f} {r['load']:>9}"
        )


if __name__ == "__main__":
    main()
