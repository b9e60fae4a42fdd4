"""Fixtures for the web app: a store with a little floor, users of every role, signing in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api import create_app
from ccops.store.models import Agent, Team
from ccops.web import create_api_token, create_user
from tests.factories import contact_events

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Floor:
    """Who is who in the test store."""

    engine: Engine
    token: str
    agent_ids: dict[str, int]  # agent key -> id
    team_a: int
    team_b: int


def build_floor(engine: Engine) -> Floor:
    """Events for 12 agents, two teams (agents 1-6 and 7-12), a user of every role, a token."""
    from ccops.ingest.pipeline import Ingestor

    ingestor = Ingestor(engine, source="test")
    for position, event in enumerate(contact_events(120, seed=3)):
        ingestor.add_parsed(position, event)
    ingestor.close()
    with Session(engine) as db:
        team_a, team_b = Team(key="team-a", name="Team A"), Team(key="team-b", name="Team B")
        db.add_all([team_a, team_b])
        db.flush()
        agents = {a.key: a for a in db.scalars(select(Agent))}
        for key, agent in agents.items():
            agent.team_id = team_a.id if int(key.split("-")[1]) <= 6 else team_b.id
        ids = {k: a.id for k, a in agents.items()}
        create_user(db, "agent1", PASSWORD, "agent", agent_id=ids["agent-1"])
        create_user(db, "agent2", PASSWORD, "agent", agent_id=ids["agent-2"])
        create_user(db, "lead_a", PASSWORD, "team_lead", team_id=team_a.id)
        create_user(db, "qa", PASSWORD, "qa_analyst")
        create_user(db, "wfm", PASSWORD, "wfm_analyst")
        create_user(db, "manager", PASSWORD, "manager")
        create_user(db, "admin", PASSWORD, "admin")
        token = create_api_token(db, "tests")
        db.commit()
        return Floor(engine, token, ids, team_a.id, team_b.id)


@pytest.fixture
def floor(store: Engine) -> Floor:
    """The test floor on SQLite and on PostgreSQL."""
    return build_floor(store)


@pytest.fixture
def client(floor: Floor) -> Iterator[TestClient]:
    """A browser-like client of the app on the test floor (not signed in)."""
    url = floor.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), headers={"accept": "text/html"}) as c:
        yield c


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token in the form at `path`."""
    found = CSRF.search(client.get(path).text)
    assert found, f"no CSRF token in {path}"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Sign in through the form, as a browser would."""
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client
