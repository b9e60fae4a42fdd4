"""POST /api/v1/events: a batch lands except its invalid events, which are listed with reasons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.factories import contact_events

from ccops.api import create_app
from ccops.store import make_engine, upgrade


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    upgrade(make_engine(store_url))
    with TestClient(create_app(store_url)) as c:
        yield c


def test_health_reports_ok_and_the_schema_revision(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["schema"] == "0001"


def test_a_batch_with_bad_events_lands_its_good_ones_and_lists_the_bad_by_position(
    client: TestClient,
) -> None:
    batch = contact_events(10, seed=1)
    batch.insert(3, {"id": "broken", "type": "contact.offered", "at": "2026-01-01T00:00:00Z"})
    batch.insert(7, "not an object")
    response = client.post("/api/v1/events", json=batch)
    assert response.status_code == 200
    body = response.json()
    assert body["received"] == len(batch)
    assert body["accepted"] == len(batch) - 2
    assert [r["position"] for r in body["rejected"]] == [3, 7]
    assert body["rejected"][0]["reason"].startswith("contact: Field required")

    again = client.post("/api/v1/events", json=batch).json()
    assert again["accepted"] == 0 and again["duplicates"] == len(batch) - 2
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == len(batch) - 2


def test_a_body_that_is_not_a_list_is_refused_with_422(client: TestClient) -> None:
    response = client.post("/api/v1/events", json={"events": "nope"})
    assert response.status_code == 422


def test_the_openapi_document_describes_the_events_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/events" in spec["paths"]
