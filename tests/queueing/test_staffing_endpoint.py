"""POST /api/v1/staffing through a local FastAPI app that includes the router."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ccops.api.routes.staffing import router

app = FastAPI()
app.include_router(router, prefix="/api/v1")
client = TestClient(app)


def test_staffing_solves_and_evaluates_many_intervals_in_one_request() -> None:
    body = {
        "intervals": [
            {
                "interval_start": "2024-01-01T08:00",
                "queue": "voice",
                "calls": 100,
                "interval_minutes": 30,
                "aht_seconds": 180,
                "service_level": 0.8,
                "max_occupancy": 0.85,
                "shrinkage": 0.3,
            },
            {"calls": 100, "aht_seconds": 180, "agents": 9},
            {"calls": 300, "aht_seconds": 180, "service_level": 0.9, "patience_seconds": 300},
            {"calls": 0, "aht_seconds": 180},
        ]
    }
    response = client.post("/api/v1/staffing", json=body)
    assert response.status_code == 200, response.text
    results = response.json()["intervals"]
    assert [r["agents"] for r in results] == [14, 9, 35, 0]
    assert results[0]["scheduled_agents"] == 20
    assert results[0]["queue"] == "voice"
    assert results[1]["asa_seconds"] is None  # 9 agents on 10 Erlangs: unstable
    assert results[0]["abandon_probability"] is None
    assert 0 < results[2]["abandon_probability"] < 1


def test_staffing_rejects_bad_fields_with_422_naming_them() -> None:
    body = {"intervals": [{"calls": -1, "aht_seconds": 180, "service_level": 2}]}
    response = client.post("/api/v1/staffing", json=body)
    assert response.status_code == 422
    locations = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert ("body", "intervals", 0, "calls") in locations
    assert ("body", "intervals", 0, "service_level") in locations


def test_staffing_needs_a_target_or_agents_and_abandonment_needs_patience() -> None:
    no_target = client.post(
        "/api/v1/staffing", json={"intervals": [{"calls": 5, "aht_seconds": 9}]}
    )
    assert no_target.status_code == 422
    assert "target" in no_target.text
    body = {"intervals": [{"calls": 5, "aht_seconds": 9, "max_abandon": 0.05}]}
    assert client.post("/api/v1/staffing", json=body).status_code == 422


def test_staffing_reports_library_errors_as_422_on_the_interval() -> None:
    # a zero-abandonment target is met only once abandonment underflows to 0: still finite
    body = {
        "intervals": [
            {"calls": 10, "aht_seconds": 180, "service_level": 0.8},
            {"calls": 10, "aht_seconds": 180, "patience_seconds": 60, "max_abandon": 0.0},
        ]
    }
    response = client.post("/api/v1/staffing", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["intervals"][1]["abandon_probability"] == 0.0
