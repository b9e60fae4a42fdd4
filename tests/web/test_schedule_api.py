"""POST /api/v1/schedule/cover and /roster: the quick mode and named rosters over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of, sign_in

MONDAY = datetime(2026, 12, 7)
STAFF = {
    "template": [{"name": "day8", "hours": 8, "earliest_start": "07:00", "latest_start": "11:00",
                  "lunch_minutes": 30, "lunch_window": ["03:00", "05:00"]}],
    "contract": {"full": {"hours_per_week": [32, 40], "days_per_week": [4, 5]}},
    "agent": [{"id": f"a{i}", "contract": "full"} for i in range(4)],
}  # fmt: skip


def _week(value: int = 2) -> list[dict[str, object]]:
    return [
        {"interval_start": (MONDAY + timedelta(minutes=30 * i)).isoformat(),
         "required": value if 18 <= i % 48 < 36 else 0}
        for i in range(7 * 48)
    ]  # fmt: skip


def _post(client: TestClient, path: str, body: dict[str, object]) -> object:
    token = csrf_of(client, "/settings")
    return client.post(path, json=body, headers={"x-csrf-token": token})


@pytest.mark.usefixtures("floor")
def test_the_quick_mode_answers_like_the_command(client: TestClient) -> None:
    sign_in(client, "wfm")
    response = _post(
        client, "/api/v1/schedule/cover", {"intervals": _week(), "shift_lengths": [4, 5]}
    )
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    data = response.json()  # type: ignore[attr-defined]
    assert data["difference"] == 0 and data["total_shifts"] == 7 * 2 * 2
    assert data["gap"] == 0


@pytest.mark.usefixtures("floor")
def test_a_named_roster_comes_back_as_publishable_activities(client: TestClient) -> None:
    sign_in(client, "lead_a")
    denied = _post(client, "/api/v1/schedule/roster", {"intervals": _week(), "staff": STAFF})
    assert denied.status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "wfm")
    response = _post(client, "/api/v1/schedule/roster", {"intervals": _week(), "staff": STAFF})
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    data = response.json()  # type: ignore[attr-defined]
    assert data["agents"] == 4 and data["days"] == 7
    assert 16 <= data["shifts"] <= 20  # four or five days each
    assert data["lower_bound"] <= data["objective"] + 1e-9
    kinds = {a["activity"] for a in data["activities"]}
    assert kinds == {"work", "lunch"}
    assert all(a["start"] < a["end"] for a in data["activities"])


@pytest.mark.usefixtures("floor")
def test_bad_staff_and_ragged_intervals_are_named(client: TestClient) -> None:
    sign_in(client, "wfm")
    staff = {**STAFF, "agent": [{"id": "x", "contract": "part"}]}
    bad = _post(client, "/api/v1/schedule/roster", {"intervals": _week(), "staff": staff})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "agent 1 (x): unknown contract 'part'" in bad.json()["detail"]  # type: ignore[attr-defined]
    ragged = _week()
    del ragged[5]
    bad = _post(client, "/api/v1/schedule/cover", {"intervals": ragged})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "intervals[5]" in bad.json()["detail"]  # type: ignore[attr-defined]
