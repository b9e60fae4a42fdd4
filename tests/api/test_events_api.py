"""POST /api/v1/events: a batch lands except its invalid events, which are listed with reasons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from tests.factories import contact_events

from ccops.api import create_app
from ccops.store import make_engine, upgrade
from ccops.store.db import alembic_config
from ccops.web import create_api_token


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    engine = make_engine(store_url)
    upgrade(engine)
    with Session(engine) as db:
        token = create_api_token(db, "tests")
        db.commit()
    engine.dispose()
    with TestClient(create_app(store_url), headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def test_health_reports_ok_and_the_schema_revision(client: TestClient) -> None:
    body = client.get("/health").json()
    head = ScriptDirectory.from_config(alembic_config(client.app.state.engine)).get_current_head()  # type: ignore[attr-defined]
    assert body["status"] == "ok" and body["schema"] == head


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


def test_a_batch_without_a_valid_api_token_is_refused_with_401(client: TestClient) -> None:
    batch = contact_events(2, seed=2)
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer ccops_wrong"}):
        assert client.post("/api/v1/events", json=batch, headers=headers).status_code == 401


def test_a_stored_batch_is_announced_to_live_subscribers(client: TestClient) -> None:
    live = client.app.state.live  # type: ignore[attr-defined]
    subscription = client.portal.call(live.subscribe)  # type: ignore[union-attr]
    client.post("/api/v1/events", json=contact_events(3, seed=4))
    message = client.portal.call(subscription.get, 1.0)  # type: ignore[union-attr]
    assert message is not None and message["type"] == "events" and message["accepted"] > 0
