"""Forecast against actuals: the latest stored forecast beside the catalog's offered contacts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ccops.metrics import run_report
from ccops.store.forecast_models import save_forecast
from tests.factories import START
from tests.web.conftest import Floor, sign_in


def _store_forecast(floor: Floor, per_interval: float, day: datetime | None = None) -> None:
    day = day or START.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    record = {
        "queue": "general",
        "channel": "voice",
        "model": "AutoETS",
        "interval_minutes": 30,
        "time_zone": "UTC",
        "history_start": date(2026, 10, 1),
        "history_end": day.date() - timedelta(days=1),
        "horizon_start": day.date(),
        "horizon_end": day.date(),
        "backtest": {"AutoETS": {"wape": 0.12}},
        "intervals": [(day + timedelta(minutes=30 * i), per_interval, 240.0) for i in range(48)],
    }
    with Session(floor.engine) as db:
        save_forecast(db, record)
        db.commit()


def test_the_forecast_is_shown_beside_the_catalogs_offered_contacts_with_its_wape(
    client: TestClient, floor: Floor
) -> None:
    _store_forecast(floor, 2.0)
    sign_in(client, "wfm")
    data = client.get("/api/v1/forecast/accuracy?days=1").json()
    assert data["queue"] == "general" and data["model"] == "AutoETS"
    assert data["backtest_wape"] == 0.12
    rows = data["intervals"]
    assert len(rows) == 48
    day = START.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    report = run_report(
        floor.engine,
        "offered",
        "interval30,queue",
        day,
        day + timedelta(days=1),
        as_of=day + timedelta(days=2),
    )
    offered = {
        r["interval30"].isoformat(): r["offered"] for r in report.rows if r["queue"] == "general"
    }
    assert sum(offered.values()) > 0
    for row in rows:
        assert row["actual"] == offered.get(row["start"], 0), row["start"]
    actual = [r["actual"] for r in rows]
    expected = sum(abs(a - 2.0) for a in actual) / sum(actual)
    assert data["wape"] == pytest.approx(expected)
    page = client.get("/forecast?days=1")
    assert page.status_code == 200 and 'id="chart-volume"' in page.text


def test_team_leads_have_no_forecast_page_and_no_forecast_says_how_to_make_one(
    client: TestClient, floor: Floor
) -> None:
    sign_in(client, "lead_a")
    assert client.get("/forecast").status_code == 403
    client.cookies.clear()
    sign_in(client, "manager")
    page = client.get("/forecast")
    assert page.status_code == 200 and "ccops forecast" in page.text
    _store_forecast(floor, 1.0)
    assert client.get("/forecast?queue=nowhere").status_code == 404
    assert client.get("/forecast?days=0").status_code == 400
    assert client.get("/forecast?day=soon").status_code == 400


def test_intervals_yet_to_come_have_no_actuals_and_no_wape(
    client: TestClient, floor: Floor
) -> None:
    tomorrow = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    tomorrow += timedelta(days=1)
    _store_forecast(floor, 1.0, tomorrow)
    sign_in(client, "wfm")
    data = client.get("/api/v1/forecast/accuracy?days=1").json()
    assert data["day"] == tomorrow.date().isoformat() and len(data["intervals"]) == 48
    assert all(r["actual"] is None for r in data["intervals"])
    assert data["wape"] is None and data["actual_total"] == 0


def test_requirements_come_from_the_stored_forecast_in_the_queues_terms(
    client: TestClient, floor: Floor
) -> None:
    from ccops.queueing import required_agents
    from ccops.store.models import Queue

    _store_forecast(floor, 10.0)
    with Session(floor.engine) as db:
        queue = db.query(Queue).filter_by(key="general").one()
        target, threshold = queue.sl_target, queue.sl_threshold_seconds
    sign_in(client, "lead_a")
    assert client.get("/api/v1/requirements?queue=general").status_code == 403
    sign_in(client, "wfm")
    url = "/api/v1/requirements?queue=general&days=1&unplanned_shrinkage=0.2"
    data = client.get(url).json()
    assert (data["service_level"], data["answer_within_seconds"]) == (target, threshold)
    rows = data["intervals"]
    assert len(rows) == 48
    # 10 contacts of 240 s per 30 minutes: 1.33 Erlangs
    agents = int(required_agents(10 * 240 / 1800, 240, threshold, service_level=target,
                                 max_occupancy=0.85))  # fmt: skip
    assert {r["agents"] for r in rows} == {agents}
    assert {r["required"] for r in rows} == {int(np.ceil(agents / 0.8 - 1e-9))}
    assert client.get("/api/v1/requirements?queue=nowhere").status_code == 404
    assert client.get("/api/v1/requirements?queue=general&days=99").status_code == 400
