"""POST /api/v1/events at a steady rate against a running server with two workers.

For each store (SQLite; PostgreSQL when BENCH_POSTGRES_URL is set) it starts
`uvicorn ccops.api.app:create_app --factory --workers 2` with the Redis fan-out
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/0), posts BENCH_API_RATE events/s
(default 2,000, in batches of BENCH_API_BATCH = 100) for BENCH_API_SECONDS (default 60),
and records accepted events/s, request latency p50/p99, and wallboard lag: the time from posting
an agent's state change to the wallboard's Server-Sent Events stream showing it (probed every 2 s
through a signed-in session). At the end the store's event count must equal what was sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ccops.store import make_engine, upgrade
from ccops.web.auth import create_api_token, create_user, open_session
from ccops.web.security import SESSION_COOKIE


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _batch(run: str, start: int, size: int) -> list[dict[str, Any]]:
    """`size` events of contacts in flight: offers, answers, ends and agents' states."""
    now = time.time()
    out: list[dict[str, Any]] = []
    i = start
    while len(out) < size:
        c = f"{run}-c{i}"
        agent = f"bench-agent-{i % 300}"
        kind = i % 4
        if kind == 0:
            out.append(
                {
                    "id": f"{c}-o",
                    "type": "contact.offered",
                    "at": _iso(now),
                    "contact": c,
                    "queue": f"bench-q{i % 4}",
                    "customer": f"+86138{i:08d}",
                }
            )
        elif kind == 1:
            out.append(
                {
                    "id": f"{c}-a",
                    "type": "contact.answered",
                    "at": _iso(now),
                    "contact": f"{run}-c{i - 1}",
                    "agent": agent,
                }
            )
        elif kind == 2:
            out.append(
                {
                    "id": f"{c}-e",
                    "type": "contact.ended",
                    "at": _iso(now),
                    "contact": f"{run}-c{i - 2}",
                }
            )
        else:
            out.append(
                {
                    "id": f"{c}-s",
                    "type": "agent.state",
                    "at": _iso(now),
                    "agent": agent,
                    "state": ("talking", "after_call_work", "available")[i % 3],
                }
            )
        i += 1
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(url: str) -> tuple[str, str]:
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as db:
        user = create_user(db, f"bench-{uuid.uuid4().hex[:6]}", "bench-password", "admin")
        token = create_api_token(db, "bench")
        cookie = open_session(db, user).cookie
        db.commit()
    engine.dispose()
    return token, cookie


async def _watch(
    base: str, cookie: str, expect: dict[str, Any], lags: list[float], stop: asyncio.Event
) -> None:
    async with httpx.AsyncClient(
        base_url=base, cookies={SESSION_COOKIE: cookie}, timeout=None
    ) as client:
        async with client.stream("GET", "/live/wallboard") as stream:
            async for line in stream.aiter_lines():
                if stop.is_set():
                    return
                if not line.startswith("data: ") or not expect:
                    continue
                snap = json.loads(line[6:])
                for agent in snap["agents"]:
                    if agent["key"] == "bench-probe" and agent["state"] == expect.get("state"):
                        lags.append(time.perf_counter() - expect["sent"])
                        expect.clear()


async def _load(
    base: str, token: str, cookie: str, rate: int, batch: int, seconds: float
) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    interval = batch / rate
    latencies: list[float] = []
    accepted = 0
    sent = 0
    errors = 0
    lags: list[float] = []
    expect: dict[str, Any] = {}
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(
        base_url=base, timeout=30, limits=limits, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        watcher = asyncio.create_task(_watch(base, cookie, expect, lags, stop))
        await asyncio.sleep(1.0)

        async def post(events: list[dict[str, Any]]) -> None:
            nonlocal accepted, errors
            t0 = time.perf_counter()
            try:
                r = await client.post("/api/v1/events", json=events)
                r.raise_for_status()
                accepted += r.json()["accepted"]
            except Exception:  # noqa: BLE001 — counted, the store count tells what landed
                errors += 1
            latencies.append(time.perf_counter() - t0)

        tasks = []
        started = time.perf_counter()
        n = 0
        probe = 0
        while (elapsed := time.perf_counter() - started) < seconds:
            events = _batch(run, n * batch, batch)
            tasks.append(asyncio.create_task(post(events)))
            sent += len(events)
            n += 1
            if elapsed >= 2 * (probe + 1) and not expect:
                probe += 1
                state = ("break", "available")[probe % 2]
                expect.update(state=state, sent=time.perf_counter())
                tasks.append(
                    asyncio.create_task(
                        post(
                            [
                                {
                                    "id": f"{run}-probe-{probe}",
                                    "type": "agent.state",
                                    "at": _iso(time.time()),
                                    "agent": "bench-probe",
                                    "state": state,
                                }
                            ]
                        )
                    )
                )
                sent += 1
            await asyncio.sleep(max(0.0, started + n * interval - time.perf_counter()))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - started
        await asyncio.sleep(1.5)
        stop.set()
        watcher.cancel()
    latencies.sort()
    return {
        "sent": sent,
        "accepted": accepted,
        "errors": errors,
        "seconds": wall,
        "events_per_s": accepted / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "lag_p50_ms": 1000 * statistics.median(lags) if lags else None,
        "lag_max_ms": 1000 * max(lags) if lags else None,
        "probes": len(lags),
    }


def run_one(label: str, url: str) -> dict[str, Any]:
    """Start two workers on `url`, load them, check nothing was lost."""
    token, cookie = _prepare(url)
    port = _free_port()
    env = {
        **os.environ,
        "CCOPS_DATABASE_URL": url,
        "CCOPS_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "ccops.api.app:create_app",
            "--factory",
            "--workers",
            "2",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "2",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        result = asyncio.run(
            _load(
                base,
                token,
                cookie,
                rate=int(os.environ.get("BENCH_API_RATE", 2000)),
                batch=int(os.environ.get("BENCH_API_BATCH", 100)),
                seconds=float(os.environ.get("BENCH_API_SECONDS", 60)),
            )
        )
    finally:
        server.terminate()
        server.wait(30)
    engine = create_engine(make_engine(url).url)
    with engine.connect() as conn:
        result["stored"] = conn.execute(text("SELECT count(*) FROM events")).scalar()
    engine.dispose()
    result["store"] = label
    result["lost"] = result["sent"] - result["stored"]
    return result


def main() -> None:
    """Run the API benchmark on SQLite and (if configured) PostgreSQL; print a table row each."""
    print(f"load before: {os.getloadavg()}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_one("SQLite (file, WAL)", f"sqlite:///{Path(tmp) / 'bench.db'}"))
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if pg:
        schema = f"bench_api_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_engine(pg).url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in pg else "?"
        try:
            results.append(run_one("PostgreSQL 15", f"{pg}{sep}options=-csearch_path%3D{schema}"))
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print(f"load after: {os.getloadavg()}")
    print(
        "| store | sent | stored | lost | accepted events/s | p50 ms | p99 ms "
        "| wallboard lag p50 / max ms (probes) |"
    )
    for r in results:
        lag = (
            f"{r['lag_p50_ms']:.0f} / {r['lag_max_ms']:.0f} ({r['probes']})"
            if r["probes"]
            else "none seen"
        )
        print(
            f"| {r['store']} | {r['sent']:,} | {r['stored']:,} | {r['lost']} | "
            f"{r['events_per_s']:,.0f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {lag} |"
        )


if __name__ == "__main__":
    main()
