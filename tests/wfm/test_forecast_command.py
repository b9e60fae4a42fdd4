"""`ccops forecast` end to end on a store built through the ingest path, storage of forecasts on
SQLite and PostgreSQL, and POST /api/v1/forecast."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ccops.cli import app
from ccops.events import parse_event
from ccops.ingest.pipeline import ingest_events
from ccops.store import make_engine, upgrade
from ccops.store.forecast_models import Forecast, ForecastInterval, latest_forecast, save_forecast
from ccops.wfm.forecast import FLOOR, ForecastOptions, History, forecast_queue
from tests.factories import iso

MONDAY = date(2026, 1, 5)
DAYS = 16
WEEKLY = (1.2, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0)  # closed at weekends
SHAPE = (2, 3, 4, 4, 3, 2, 3, 4, 3, 2)  # contacts per half hour from 09:00 on a normal day
runner = CliRunner()


def center_events(days: int = DAYS, queues: tuple[str, ...] = ("sales", "care")) -> Iterator[Any]:
    """A small office center: contacts 09:00-14:00 UTC on weekdays, AHT 200 + 40 s wrap."""
    rng = np.random.default_rng(7)
    for d in range(days):
        day = datetime(MONDAY.year, MONDAY.month, MONDAY.day, tzinfo=UTC) + timedelta(days=d)
        for q, queue in enumerate(queues):
            for slot, base in enumerate(SHAPE):
                n = int(rng.poisson(base * (1 + q) * WEEKLY[d % 7]))
                for i in range(n):
                    key = f"{queue}-{d}-{slot}-{i}"
                    offered = day + timedelta(hours=9, minutes=30 * slot, seconds=60 * i)
                    answered = offered + timedelta(seconds=10)
                    ended = answered + timedelta(seconds=200)
                    for event in (
                        {"id": f"{key}-o", "type": "contact.offered", "at": iso(offered),
                         "contact": key, "queue": queue, "channel": "voice"},
                        {"id": f"{key}-a", "type": "contact.answered", "at": iso(answered),
                         "contact": key, "agent": f"agent-{i % 4}"},
                        {"id": f"{key}-e", "type": "contact.ended", "at": iso(ended),
                         "contact": key},
                        {"id": f"{key}-w", "type": "contact.wrapped",
                         "at": iso(ended + timedelta(seconds=40)), "contact": key},
                    ):  # fmt: skip
                        yield parse_event(event)


@pytest.fixture(scope="module")
def center_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding 16 days of the small center (built once for the module)."""
    path = tmp_path_factory.mktemp("forecast") / "center.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ingest_events(engine, center_events(), "test:forecast")
    engine.dispose()
    return f"sqlite:///{path}"


def forecast_args(db: str, *extra: str) -> list[str]:
    last = MONDAY + timedelta(days=DAYS - 1)
    return ["forecast", "--from", str(MONDAY), "--to", str(last), "--horizon-days", "7",
            "--db", db, *extra]  # fmt: skip


def test_forecast_prints_the_chosen_model_and_every_models_backtest(center_db: str) -> None:
    result = runner.invoke(app, forecast_args(center_db, "--no-store"))
    assert result.exit_code == 0, result.output
    assert "sales (voice)" in result.output and "care (voice)" in result.output
    for model in ("SeasonalNaive", "MSTL", "AutoETS", "AutoARIMA"):
        assert model in result.output
    assert "✓" in result.output and "WAPE" in result.output and "MASE" in result.output


def test_forecast_stores_versions_writes_csv_and_applies_special_days(
    center_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "intervals.csv"
    specials = tmp_path / "special.csv"
    holiday = MONDAY + timedelta(days=DAYS + 1)  # the 2nd forecast day, a Wednesday
    specials.write_text(f"day,multiplier,label\n{holiday},0.3,holiday\n")
    args = ["--queue", "care", "--models", "SeasonalNaive,AutoETS", "--json"]
    first = runner.invoke(app, forecast_args(center_db, *args))
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app, forecast_args(center_db, *args, "--special-days", str(specials), "-o", str(out))
    )
    assert second.exit_code == 0, second.output
    (plain,) = orjson.loads(first.output)
    (special,) = orjson.loads(second.stdout.splitlines()[-1])
    assert (plain["queue"], plain["channel"]) == ("care", "voice")
    assert special["version"] == plain["version"] + 1
    assert set(plain["backtest"]) == {"SeasonalNaive", "AutoETS"}
    assert plain["model"] in plain["backtest"]
    assert plain["horizon_start"] == str(MONDAY + timedelta(days=DAYS))
    assert len(plain["intervals"]) == 7 * 48
    assert special["special_days"] == [{"day": str(holiday), "multiplier": 0.3, "label": "holiday"}]

    def day_total(item: dict[str, Any], day: date) -> float:
        return sum(i["contacts"] for i in item["intervals"] if i["start"].startswith(str(day)))

    assert day_total(special, holiday) == pytest.approx(0.3 * day_total(plain, holiday), rel=1e-3)
    other = holiday + timedelta(days=1)
    assert day_total(special, other) == pytest.approx(day_total(plain, other), rel=1e-3)
    # The store holds both versions; the CSV holds the intervals of the last run.
    engine = make_engine(center_db)
    with Session(engine) as session:
        found = latest_forecast(session, "care")
        assert found is not None
        stored, intervals = found
        assert (stored.id, stored.version, stored.model) == (
            special["forecast_id"],
            special["version"],
            special["model"],
        )
        assert len(intervals) == 7 * 48
        total = sum(i.contacts for i in intervals)
        assert total == pytest.approx(special["total_contacts"], abs=0.5)
    engine.dispose()
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7 * 48 and rows[0]["queue"] == "care"
    assert rows[20]["interval_start"] == f"{MONDAY + timedelta(days=DAYS)}T10:00:00"
    assert float(rows[20]["aht_seconds"]) == pytest.approx(240.0)


def test_too_little_history_says_how_much_is_needed_and_held(center_db: str) -> None:
    args = ["forecast", "--from", str(MONDAY), "--to", str(MONDAY + timedelta(days=2)),
            "--db", center_db]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "needs at least 15 days of history" in text and "holds 3 days" in text


def test_no_contacts_and_bad_inputs_are_refused_with_what_to_do(
    center_db: str, tmp_path: Path
) -> None:
    empty = runner.invoke(app, ["forecast", "--from", "2020-01-01", "--to", "2020-02-01",
                                "--db", center_db])  # fmt: skip
    assert empty.exit_code == 2 and "no contacts in the store" in empty.output
    bad = tmp_path / "bad.csv"
    bad.write_text("day,multiplier\n2026-12-25,lots\n")
    result = runner.invoke(app, forecast_args(center_db, "--special-days", str(bad)))
    assert result.exit_code == 2
    assert "line 2, column multiplier" in " ".join(result.output.split())
    result = runner.invoke(app, forecast_args(center_db, "--models", "Prophet"))
    assert result.exit_code == 2 and "unknown model(s) Prophet" in result.output
    result = runner.invoke(app, forecast_args(center_db, "--interval-minutes", "20"))
    assert result.exit_code == 2 and "interval must be one of" in result.output


def test_a_forecast_round_trips_through_the_store(store: Engine) -> None:
    ingest_events(store, list(center_events(days=1, queues=("sales",))), "test")
    days = 15
    y = np.tile(np.r_[np.zeros(8), np.full(10, 5.0), np.zeros(6)], days)
    history = History("sales", "voice", 60, MONDAY, y, y, np.where(y > 0, 250.0, np.nan))
    result = forecast_queue(history, ForecastOptions(2, 1, (FLOOR,)))
    record = result.record("Europe/Paris")
    with Session(store) as session:
        first = save_forecast(session, record)
        second = save_forecast(session, record)
        session.commit()
        assert (first.version, second.version) == (1, 2)
    with Session(store) as session:
        found = latest_forecast(session, "sales", "voice")
        assert found is not None
        row, intervals = found
        assert row.version == 2 and row.model == FLOOR and row.time_zone == "Europe/Paris"
        assert row.horizon_start == MONDAY + timedelta(days=days)
        assert row.backtest[FLOOR]["wape"] == pytest.approx(0.0)
        assert intervals[0].interval_start == datetime(2026, 1, 19, 23)  # Paris midnight
        assert [(i.interval_start, i.contacts, i.aht_seconds) for i in intervals[7:10]] == [
            (datetime(2026, 1, 20, 6), 0.0, 250.0),
            (datetime(2026, 1, 20, 7), 5.0, 250.0),  # 08:00 in Paris is 07:00 UTC
            (datetime(2026, 1, 20, 8), 5.0, 250.0),
        ]
        assert intervals[0].aht_seconds == 250.0  # nothing handled at night: the queue's mean
        assert len(intervals) == 48
        assert session.scalar(select(func.count()).select_from(ForecastInterval)) == 96
        session.delete(session.get(Forecast, row.id))
        session.commit()
        assert session.scalar(select(func.count()).select_from(ForecastInterval)) == 48


def test_post_forecast_needs_a_user_who_may_read_reports(center_db: str) -> None:
    from ccops.api import create_app
    from ccops.web import create_user
    from tests.web.conftest import PASSWORD, csrf_of, sign_in

    engine = make_engine(center_db)
    with Session(engine) as session:
        create_user(session, "wfm", PASSWORD, "wfm_analyst")
        create_user(session, "agent", PASSWORD, "agent")
        session.commit()
    engine.dispose()
    params = {"from": str(MONDAY), "to": str(MONDAY + timedelta(days=DAYS - 1)),
              "horizon_days": 2, "queue": "sales", "models": "SeasonalNaive",
              "special": [f"{MONDAY + timedelta(days=DAYS)}:1.5:campaign"]}  # fmt: skip
    with TestClient(create_app(center_db)) as client:
        assert client.post("/api/v1/forecast", params=params).status_code == 401
        sign_in(client, "agent")
        token = csrf_of(client, "/settings")
        denied = client.post("/api/v1/forecast", params=params, headers={"x-csrf-token": token})
        assert denied.status_code == 403
        client.cookies.clear()
        sign_in(client, "wfm")
        token = csrf_of(client, "/settings")
        assert client.post("/api/v1/forecast", params=params).status_code == 403  # no CSRF token
        response = client.post("/api/v1/forecast", params=params, headers={"x-csrf-token": token})
        assert response.status_code == 200, response.text
        (item,) = response.json()
        assert item["queue"] == "sales" and item["model"] == "SeasonalNaive"
        assert item["version"] >= 1 and len(item["intervals"]) == 2 * 48
        assert item["special_days"][0]["multiplier"] == 1.5
        short = dict(params, to=str(MONDAY + timedelta(days=3)))
        refused = client.post("/api/v1/forecast", params=short, headers={"x-csrf-token": token})
        assert refused.status_code == 422 and "needs at least 15 days" in refused.json()["detail"]
