"""Importer throughput: a generated Asterisk queue_log, parsed alone and imported into SQLite.

Run: `python -m bench import` (env BENCH_QUEUE_LOG_LINES, default 5,000,000 lines parsed;
BENCH_QUEUE_LOG_DB_LINES, default 1,000,000 of them imported all the way into SQLite).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from ccops.ingest.asterisk import (
    ParseStats,
    QueueLogOptions,
    Rejected,
    import_queue_log,
    parse_queue_log,
)
from ccops.store import make_engine, upgrade

START = 1_767_603_600  # 2026-01-05 09:00:00 UTC
QUEUES = ("support", "billing", "sales", "vip")


def generate(path: Path, n_lines: int, seed: int = 7, agents: int = 300) -> int:
    """Write a queue_log in time order as Asterisk 16+ does: calls (8% abandoned, 20% with a
    ring-no-answer first, 3% transferred), agents pausing with reasons now and then."""
    rng = random.Random(seed)
    free_at = [START] * agents
    names = [f"PJSIP/{1000 + i}" for i in range(agents)]
    pending: list[tuple[int, str]] = []
    written = 0
    t = START
    call = 0
    with path.open("w") as fh:
        for name in names:
            fh.write(f"{START}|NONE|support|{name}|ADDMEMBER|\n")
            written += 1
        while written < n_lines:
            t += rng.choice((0, 0, 1, 1, 2))
            call += 1
            callid = f"{t}.{call}"
            queue = rng.choice(QUEUES)
            lines = [(t, f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||+1555{call % 10_000_000:07d}|1|")]
            if rng.random() < 0.08:
                wait = rng.randint(1, 120)
                lines.append((t + wait, f"{t + wait}|{callid}|{queue}|NONE|ABANDON|1|1|{wait}"))
            else:
                n = rng.randrange(agents)
                start = max(t + rng.randint(0, 20), free_at[n])
                if rng.random() < 0.2:
                    other = names[(n + 1) % agents]
                    lines.append((start, f"{start}|{callid}|{queue}|{other}|RINGNOANSWER|15000"))
                    start += 15
                ring = rng.randint(1, 6)
                hold = start + ring - t
                answer = start + ring
                talk = int(rng.expovariate(1 / 180)) + 5
                end = answer + talk
                agent = names[n]
                lines.append(
                    (answer, f"{answer}|{callid}|{queue}|{agent}|CONNECT|{hold}|{callid}1|{ring}")
                )
                if rng.random() < 0.03:
                    lines.append(
                        (end, f"{end}|{callid}|{queue}|{agent}|BLINDTRANSFER|2000|from-internal"
                              f"|{hold}|{talk}|1")
                    )  # fmt: skip
                else:
                    kind = "COMPLETECALLER" if rng.random() < 0.6 else "COMPLETEAGENT"
                    lines.append((end, f"{end}|{callid}|{queue}|{agent}|{kind}|{hold}|{talk}|1"))
                free_at[n] = end + rng.randint(0, 30)
                if rng.random() < 0.01:
                    reason = rng.choice(("Lunch", "Break", "Training", "Meeting", "Toilet"))
                    back = free_at[n] + rng.randint(300, 1800)
                    lines.append((free_at[n], f"{free_at[n]}|NONE|{queue}|{agent}|PAUSE|{reason}"))
                    lines.append((back, f"{back}|NONE|{queue}|{agent}|UNPAUSE|"))
                    free_at[n] = back
            pending.extend(lines)
            # Flush what can no longer be preceded by a later call's lines (time order).
            if len(pending) > 20_000:
                pending.sort(key=lambda x: x[0])
                keep = [p for p in pending if p[0] > t]
                for _, line in (p for p in pending if p[0] <= t):
                    fh.write(line + "\n")
                    written += 1
                pending = keep
        pending.sort(key=lambda x: x[0])
        for _, line in pending:
            fh.write(line + "\n")
            written += 1
    return written


def _head(src: Path, dst: Path, n: int) -> None:
    with src.open("rb") as fh, dst.open("wb") as out:
        for i, line in enumerate(fh):
            if i >= n:
                break
            out.write(line)


def main() -> None:
    """Generate, parse (lines/s), then import into SQLite (lines/s and events/s)."""
    n_lines = int(os.environ.get("BENCH_QUEUE_LOG_LINES", 5_000_000))
    n_db = int(os.environ.get("BENCH_QUEUE_LOG_DB_LINES", 1_000_000))
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        started = time.perf_counter()
        written = generate(path, n_lines)
        size = path.stat().st_size
        print(f"generated {written:,} lines ({size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        for label, options in (
            ("parse only", None),
            ("parse only, no call-driven states", QueueLogOptions(call_states=False)),
        ):
            stats = ParseStats()
            events = rejects = 0
            cpu = time.process_time()
            started = time.perf_counter()
            with path.open("rb") as fh:
                for item in parse_queue_log(fh, stats, options):
                    if type(item) is Rejected:
                        rejects += 1
                    else:
                        events += 1
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            print(
                f"{label}: {stats.lines:,} lines -> {events:,} events ({rejects} rejects) in "
                f"{elapsed:.1f} s = {stats.lines / elapsed:,.0f} lines/s wall, "
                f"{stats.lines / cpu:,.0f} lines/s of CPU time; load {os.getloadavg()[0]:.2f}"
            )

        head = Path(tmp) / "queue_log.head"
        _head(path, head, n_db)
        for label, options in (
            ("into SQLite", None),
            ("into SQLite, no call-driven states", QueueLogOptions(call_states=False)),
        ):
            engine = make_engine(f"sqlite:///{Path(tmp) / (label.replace(' ', '_') + '.db')}")
            upgrade(engine)
            cpu = time.process_time()
            started = time.perf_counter()
            result = import_queue_log(engine, head, options=options)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            s = result.summary
            print(
                f"{label}: {s.read:,} lines -> {s.accepted:,} events, {s.contacts:,} contacts, "
                f"{s.state_intervals:,} state intervals in {elapsed:.1f} s = "
                f"{s.read / elapsed:,.0f} lines/s, {s.accepted / elapsed:,.0f} events/s wall "
                f"({s.read / cpu:,.0f} lines/s of CPU time); load {os.getloadavg()[0]:.2f}"
            )
            if options is None:
                started = time.perf_counter()
                again = import_queue_log(engine, head)
                elapsed = time.perf_counter() - started
                print(
                    f"re-import (all already stored): {again.summary.read / elapsed:,.0f} lines/s"
                )
            engine.dispose()
    print(f"load average after: {os.getloadavg()[0]:.2f}")
