"""Permissions live in the queries: agents see themselves, team leads their team; guessing fails."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccops.store.models import Agent
from ccops.web.scope import Scope, mask
from ccops.web.templating import pct
from tests.web.conftest import Floor, sign_in


def _other_agents(floor: Floor, own: str) -> list[tuple[str, int]]:
    return [(k, i) for k, i in sorted(floor.agent_ids.items()) if k != own]


def test_an_agent_reaches_their_own_page_and_no_one_elses_by_guessing(
    client: TestClient, floor: Floor
) -> None:
    sign_in(client, "agent1")
    own = floor.agent_ids["agent-1"]
    assert client.get(f"/agents/{own}").status_code == 200
    assert client.get("/api/v1/agents/agent-1/summary").status_code == 200
    for key, ident in _other_agents(floor, "agent-1"):
        assert client.get(f"/agents/{ident}").status_code == 404, key
        assert client.get(f"/api/v1/agents/{key}/summary").status_code == 404, key
    for guess in (0, -1, max(floor.agent_ids.values()) + 1, 10**9):
        assert client.get(f"/agents/{guess}").status_code in (404, 422)
    for path in (
        f"/teams/{floor.team_a}",
        f"/teams/{floor.team_b}",
        "/teams",
        "/api/v1/teams/team-a/summary",
        "/report",
        "/report/export.csv",
        "/admin/users",
        "/admin/audit",
        "/admin/tokens",
    ):
        assert client.get(path).status_code in (403, 404), path


def test_an_agents_wallboard_shows_only_their_own_state(client: TestClient, floor: Floor) -> None:
    sign_in(client, "agent1")
    agents = client.get("/api/v1/wallboard").json()["agents"]
    assert {a["key"] for a in agents} <= {"agent-1"}
    assert client.get("/api/v1/wallboard").json()["queues"]  # queue figures are centre-wide


def test_a_team_lead_sees_their_team_and_not_the_other(client: TestClient, floor: Floor) -> None:
    sign_in(client, "lead_a")
    assert client.get(f"/teams/{floor.team_a}").status_code == 200
    assert client.get(f"/teams/{floor.team_b}").status_code == 404
    assert client.get("/api/v1/teams/team-b/summary").status_code == 404
    assert client.get(f"/agents/{floor.agent_ids['agent-2']}").status_code == 200
    assert client.get(f"/agents/{floor.agent_ids['agent-9']}").status_code == 404
    keys = {a["key"] for a in client.get("/api/v1/wallboard").json()["agents"]}
    assert keys and all(int(k.split("-")[1]) <= 6 for k in keys)
    team = client.get("/api/v1/teams/team-a/summary").json()
    assert {a["key"] for a in team["agents"]} == {f"agent-{i}" for i in range(1, 7)}


@pytest.mark.parametrize("username", ["qa", "wfm", "manager", "admin"])
def test_analysts_managers_and_admins_see_every_agent(
    client: TestClient, floor: Floor, username: str
) -> None:
    sign_in(client, username)
    for _, ident in list(floor.agent_ids.items())[:3]:
        assert client.get(f"/agents/{ident}").status_code == 200


def test_customer_numbers_are_masked_except_for_roles_that_need_them(
    client: TestClient, floor: Floor
) -> None:
    sign_in(client, "agent1")
    recent = client.get("/api/v1/agents/agent-1/summary").json()["recent"]
    assert recent and all(r["customer"].startswith("•") for r in recent)
    client.cookies.clear()
    sign_in(client, "qa")
    recent = client.get("/api/v1/agents/agent-1/summary").json()["recent"]
    assert all(r["customer"].startswith("cust-") for r in recent)


def test_the_scope_condition_is_what_limits_the_query(floor: Floor) -> None:
    with Session(floor.engine) as db:
        agent = Scope(user_id=1, role="agent", agent_id=floor.agent_ids["agent-4"], team_id=None)
        assert [a.key for a in db.scalars(select(Agent).where(agent.agents()))] == ["agent-4"]
        orphan = Scope(user_id=1, role="agent", agent_id=None, team_id=None)
        assert db.scalars(select(Agent).where(orphan.agents())).all() == []
        lead = Scope(user_id=1, role="team_lead", agent_id=None, team_id=floor.team_b)
        assert len(db.scalars(select(Agent).where(lead.agents())).all()) == 6


def test_masking_keeps_only_the_last_four_characters() -> None:
    assert mask("+8613800138000") == "••••••••••8000"
    assert mask("12") == "•2"


def test_a_queue_with_no_contacts_today_has_nobody_waiting(client: TestClient) -> None:
    sign_in(client, "manager")
    queues = client.get("/api/v1/wallboard").json()["queues"]
    assert queues and all(q["waiting"] == 0 and q["oldest_wait"] is None for q in queues)


def test_the_overview_shows_the_catalogs_figures(client: TestClient) -> None:
    """The page and GET /api/v1/report give the same service level and abandonment per queue."""
    sign_in(client, "manager")
    html = client.get("/?day=2026-11-02").text
    params = {"metrics": "offered,service_level,abandon_rate", "by": "queue",
              "from": "2026-11-02", "to": "2026-11-02"}  # fmt: skip
    rows = client.get("/api/v1/report", params=params).json()
    assert rows and sum(r["offered"] for r in rows) > 0
    for row in rows:
        cells = re.search(rf'data-queue="{row["queue"]}">(.*?)</tr>', html, re.S)
        assert cells, row["queue"]
        numbers = re.findall(r'class="num[^"]*">\s*([^<]+?)\s*<', cells.group(1))
        assert numbers[0] == str(row["offered"])
        assert numbers[1] == pct(row["service_level"])
        assert numbers[3] == pct(row["abandon_rate"])
