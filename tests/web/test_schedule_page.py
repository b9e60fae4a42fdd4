"""The schedule page: the day's published activities per agent, agents scheduled and staffed per
interval from the catalog, adherence per agent, CSV — each within the viewer's scope."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from fastapi.testclient import TestClient

from ccops.store.schedule_models import Activity, publish_schedule
from tests.web.conftest import Floor, sign_in

DAY = "2026-11-02"


def _at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{DAY}T{hhmm}:00")


def _publish(floor: Floor) -> None:
    activities = []
    for agent in ("agent-1", "agent-2", "agent-7"):
        activities += [
            Activity(agent, "work", _at("08:00"), _at("09:00")),
            Activity(agent, "break", _at("09:00"), _at("09:15")),
            Activity(agent, "work", _at("09:15"), _at("10:00")),
        ]
    publish_schedule(floor.engine, "week 45", activities)


def test_a_wfm_analyst_sees_every_agents_day_and_the_agents_scheduled_per_interval(
    client: TestClient, floor: Floor
) -> None:
    _publish(floor)
    sign_in(client, "wfm")
    data = client.get(f"/api/v1/schedule?day={DAY}").json()
    assert [a["key"] for a in data["agents"]] == ["agent-1", "agent-2", "agent-7"]
    first = data["agents"][0]
    assert [x["activity"] for x in first["activities"]] == ["work", "break", "work"]
    assert first["scheduled_hours"] == 105 / 60
    scheduled = {i["start"][11:16]: i["scheduled"] for i in data["intervals"]}
    # three agents working, then a 15-minute break in the 09:00 interval (half of it)
    assert scheduled["08:00"] == 3.0 and scheduled["08:30"] == 3.0
    assert scheduled["09:00"] == 1.5 and scheduled["09:30"] == 3.0
    page = client.get(f"/schedule?day={DAY}")
    assert page.status_code == 200 and 'id="chart-grid"' in page.text
    rows = list(csv.DictReader(io.StringIO(client.get(f"/schedule.csv?day={DAY}").text)))
    assert len(rows) == 9 and rows[1] == {
        "agent": "agent-1",
        "name": rows[1]["name"],
        "activity": "break",
        "start": f"{DAY}T09:00:00",
        "end": f"{DAY}T09:15:00",
    }
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/schedule.xlsx?day={DAY}").content))
    sheet = list(book["Activities"].iter_rows(values_only=True))
    assert len(sheet) == 1 + 9 and sheet[2][2:] == ("break", _at("09:00"), _at("09:15"))
    per = {
        r[0].strftime("%H:%M"): r[1]
        for r in book["Intervals"].iter_rows(min_row=2, values_only=True)
    }
    assert per["09:00"] == 1.5 and per["09:30"] == 3.0


def test_agents_and_team_leads_see_only_their_own_schedules(
    client: TestClient, floor: Floor
) -> None:
    _publish(floor)
    sign_in(client, "agent1")
    assert [a["key"] for a in client.get(f"/api/v1/schedule?day={DAY}").json()["agents"]] == [
        "agent-1"
    ]
    client.post("/logout", data={"csrf_token": ""})
    client.cookies.clear()
    sign_in(client, "lead_a")
    keys = [a["key"] for a in client.get(f"/api/v1/schedule?day={DAY}").json()["agents"]]
    assert keys == ["agent-1", "agent-2"]  # agent-7 is in team B


def test_a_qa_analyst_has_no_schedule_page_and_a_day_without_a_schedule_says_so(
    client: TestClient, floor: Floor
) -> None:
    sign_in(client, "qa")
    assert client.get("/schedule").status_code == 403
    client.cookies.clear()
    sign_in(client, "manager")
    page = client.get("/schedule?day=2026-01-01")
    assert page.status_code == 200 and "No published schedule for this day." in page.text
    assert client.get("/schedule?day=not-a-day").status_code == 400


def test_the_requirement_from_the_stored_forecasts_is_drawn_beside_the_schedule(
    client: TestClient, floor: Floor
) -> None:
    from datetime import date, timedelta

    from sqlalchemy.orm import Session

    from ccops.queueing import required_agents
    from ccops.store.forecast_models import save_forecast
    from ccops.store.models import Queue

    _publish(floor)
    first = datetime.fromisoformat(f"{DAY}T00:00:00")
    record = {
        "queue": "general", "channel": "voice", "model": "AutoETS", "interval_minutes": 15,
        "time_zone": "UTC", "history_start": date(2026, 10, 1), "history_end": date(2026, 11, 1),
        "horizon_start": first.date(), "horizon_end": first.date(), "backtest": {},
        "intervals": [(first + timedelta(minutes=15 * i), 5.0, 240.0) for i in range(96)],
    }  # fmt: skip
    with Session(floor.engine) as db:
        save_forecast(db, record)
        queue = db.query(Queue).filter_by(key="general").one()
        target, threshold = queue.sl_target, queue.sl_threshold_seconds
        db.commit()
    sign_in(client, "wfm")
    data = client.get(f"/api/v1/schedule?day={DAY}").json()
    assert data["required_queues"] == ["general"]
    # 5 contacts of 240 s per 15 minutes: 1.33 Erlangs in each quarter of the half hour
    agents = int(required_agents(5 * 240 / 900, 240, threshold, service_level=target,
                                 max_occupancy=0.85))  # fmt: skip
    noon = next(i for i in data["intervals"] if i["start"].endswith("T12:00:00"))
    assert noon["required"] == agents and noon["scheduled"] == 0
    assert sum(1 for i in data["intervals"] if i["required"] is not None) >= 40
    client.cookies.clear()
    sign_in(client, "lead_a")  # a team's view: the center's requirement is not its own
    data = client.get(f"/api/v1/schedule?day={DAY}").json()
    assert data["required_queues"] == []
    assert all(i["required"] is None for i in data["intervals"])
