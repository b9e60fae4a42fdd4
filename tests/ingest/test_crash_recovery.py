"""A crash in the middle of a large ingest loses nothing: running again completes the data set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, text
from tests.factories import contact_events
from tests.store_snapshot import snapshot

from ccops.ingest.pipeline import ingest_jsonl
from ccops.store import make_engine, upgrade


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM events")).scalar() or 0)


@pytest.mark.parametrize("mode", ["--one-process", "--parallel"])
def test_killing_an_ingest_midway_and_rerunning_ends_with_exactly_the_full_data_set(
    store: Engine, store_url: str, tmp_path: Path, mode: str
) -> None:
    events = contact_events(6000, seed=21)
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\n")
    cmd = [
        sys.executable,
        "-m",
        "ccops",
        "ingest",
        str(path),
        "--db",
        store_url,
        "--batch-size",
        "500",
        mode,  # a large file is parsed in a second process; this one is small: force each way
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while _count(store) == 0:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the ingest ended before it could be interrupted")
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    partial = _count(store)
    assert 0 < partial < len(events), "the kill must land in the middle of the ingest"

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert _count(store) == len(events)

    clean = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    upgrade(clean)
    ingest_jsonl(clean, path)
    got, want = snapshot(store), snapshot(clean)
    for table in ("events", "contacts", "agent_states", "queues", "agents", "customers"):
        if table == "events":
            # Event bodies are the same JSON; only their order of keys is engine-independent.
            assert [r[:5] for r in got[table]] == [r[:5] for r in want[table]]
        else:
            assert got[table] == want[table], table
