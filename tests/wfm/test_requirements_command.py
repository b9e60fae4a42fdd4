"""`ccops requirements`: agents per interval from a stored forecast, in the queue's own terms,
written as the requirement `ccops schedule` reads."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ccops.cli import app
from ccops.cli.schedule import read_requirements
from ccops.queueing import required_agents
from ccops.store import make_engine, upgrade
from ccops.store.forecast_models import save_forecast
from ccops.store.models import Queue

runner = CliRunner()
HORIZON = date(2026, 12, 7)  # a Monday


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with queue 'care' (90 % in 30 s) and a two-day forecast in Shanghai time:
    20 contacts of 300 s per half hour from 09:00 to 18:00, nothing at night."""
    url = f"sqlite:///{tmp_path_factory.mktemp('requirements') / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    intervals = []
    for i in range(2 * 48):
        local = datetime(2026, 12, 7) + timedelta(minutes=30 * i)
        busy = 9 <= local.hour < 18
        intervals.append((local - timedelta(hours=8), 20.0 if busy else 0.0, 300.0))
    with Session(engine) as session:
        session.add(Queue(key="care", name="Care", sl_target=0.9, sl_threshold_seconds=30.0))
        session.flush()
        save_forecast(
            session,
            {
                "queue": "care", "channel": "voice", "model": "AutoETS", "interval_minutes": 30,
                "time_zone": "Asia/Shanghai", "history_start": date(2026, 11, 2),
                "history_end": date(2026, 12, 6), "horizon_start": HORIZON,
                "horizon_end": HORIZON + timedelta(days=1), "backtest": {},
                "intervals": intervals,
            },
        )  # fmt: skip
        session.commit()
    engine.dispose()
    return url


def test_requirements_follow_the_queues_target_in_its_time_zone(store: str, tmp_path: Path) -> None:
    out = tmp_path / "req.csv"
    result = runner.invoke(
        app, ["requirements", "--queue", "care", "--days", "2", "-o", str(out), "--db", store,
              "--unplanned-shrinkage", "0.1", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["service_level"], data["answer_within_seconds"]) == (0.9, 30.0)
    assert data["time_zone"] == "Asia/Shanghai" and data["from"] == "2026-12-07"
    rows = data["intervals"]
    assert len(rows) == 96 and rows[0]["interval_start"] == "2026-12-07T00:00"
    # 20 contacts × 300 s per 30 min = 3.33 Erlangs: Erlang C for 90 % in 30 s, capped at 85 %
    on_phones = int(required_agents(20 * 300 / 1800, 300, 30, service_level=0.9,
                                    max_occupancy=0.85))  # fmt: skip
    busy = [r for r in rows if "T09:00" <= r["interval_start"][10:] < "T18:00"]
    assert len(busy) == 36
    assert {r["agents"] for r in busy} == {on_phones}
    assert {r["required"] for r in busy} == {int(np.ceil(on_phones / 0.9 - 1e-9))}
    assert all(r["required"] == 0 for r in rows if r not in busy)
    assert all(r["service_level"] >= 0.9 and r["occupancy"] <= 0.85 for r in busy)
    requirement = read_requirements(out)  # the file `ccops schedule` reads
    assert requirement.interval_minutes == 30 and requirement.starts[0] == datetime(2026, 12, 7)
    assert requirement.required.tolist() == [r["required"] for r in rows]


def test_the_table_says_where_to_go_next(store: str, tmp_path: Path) -> None:
    out = tmp_path / "req.csv"
    result = runner.invoke(app, ["requirements", "--queue", "care", "--days", "1", "-o",
                                 str(out), "--db", store])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2026-12-07" in result.output and "ccops schedule" in result.output
    with out.open() as fh:
        assert next(csv.reader(fh))[:2] == ["interval_start", "required"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--queue", "sales"], "no queue 'sales' in the store (queues: care)"),
        (["--queue", "care", "--service-level", "1.5"], "--service-level must be between 0"),
        (["--queue", "care", "--from", "7 Dec"], "--from: '7 Dec' is not a date"),
        (["--queue", "care", "--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_options_say_what_to_do(store: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["requirements", *args, "--db", store])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
