"""The quality pages over HTTP, on SQLite and PostgreSQL: who may see and do what (URL guessing
gets 404), CSRF on every form, audit entries, and the evaluate → dispute → decide flow moving the
agent's accuracy figure (from the catalog)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api import create_app
from ccops.quality.forms import DEFAULT_FORM, ItemKind
from ccops.store.auth_models import AuditEntry
from ccops.store.models import Contact
from ccops.store.quality_models import QaCoachingTask, QaEvaluation
from tests.web.conftest import Floor, build_floor, csrf_of, sign_in

CLEAN = {
    f"item_{i.key}": (str(i.scale_max) if i.kind is ItemKind.SCALE else "yes")
    for i in DEFAULT_FORM.items()
}


@pytest.fixture
def floor(store: Engine) -> Floor:
    """The web tests' floor (12 agents, teams A and B, a user of every role) on both engines."""
    return build_floor(store)


def _client(floor: Floor) -> TestClient:
    url = floor.engine.url.render_as_string(hide_password=False)
    return TestClient(create_app(url), headers={"accept": "text/html"})


@pytest.fixture
def as_user(floor: Floor) -> Iterator[object]:
    """Signed-in clients by user name, closed at the end."""
    opened: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = _client(floor)
        client.__enter__()
        opened.append(client)
        return sign_in(client, username)

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _contact_of(floor: Floor, agent_key: str) -> int:
    with Session(floor.engine) as db:
        found = db.scalar(
            select(Contact.id)
            .where(Contact.agent_id == floor.agent_ids[agent_key], Contact.ended_at.is_not(None))
            .order_by(Contact.id)
            .limit(1)
        )
    assert found is not None
    return found


def _evaluate(qa: TestClient, contact_id: int, **answers: str) -> int:
    path = f"/quality/contacts/{contact_id}/evaluate"
    data = {**CLEAN, **{f"item_{k}": v for k, v in answers.items()}}
    response = qa.post(path, data={**data, "csrf_token": csrf_of(qa, path)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.search(r"/quality/evaluations/(\d+)$", response.headers["location"])
    assert found
    return int(found.group(1))


def _accuracy(agent: TestClient) -> str:
    found = re.search(r'id="accuracy">([^<]*)<', agent.get("/quality/mine").text)
    assert found
    return found.group(1)


def test_evaluate_dispute_overturn_moves_the_agents_accuracy(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    qa = as_user("qa")
    evaluation = _evaluate(qa, _contact_of(floor, "agent-1"), acc_correct_record="no")
    agent = as_user("agent1")
    assert _accuracy(agent) == "0.0%"
    page = f"/quality/evaluations/{evaluation}"
    assert "dispute-form" in agent.get(page).text
    response = agent.post(
        f"{page}/dispute",
        data={"reason": "The record was updated", "csrf_token": csrf_of(agent, page)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    lead = as_user("lead_a")
    assert "The record was updated" in lead.get("/quality/team").text
    decide = re.search(r'action="(/quality/disputes/\d+/decide)"', lead.get(page).text)
    assert decide
    response = lead.post(
        decide.group(1),
        data={
            **CLEAN,
            "decision": "amended",
            "note": "the recording shows the update",
            "csrf_token": csrf_of(lead, page),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert _accuracy(agent) == "100.0%"
    with Session(floor.engine) as db:
        row = db.get(QaEvaluation, evaluation)
        assert row is not None and (row.status, row.accuracy_defect) == ("final", False)
        actions = set(db.scalars(select(AuditEntry.action)))
    assert {"qa.evaluation.create", "qa.dispute.open", "qa.dispute.decide"} <= actions


def test_an_agent_guessing_another_agents_evaluation_gets_404(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    qa = as_user("qa")
    other = _evaluate(qa, _contact_of(floor, "agent-2"))
    far = _evaluate(qa, _contact_of(floor, "agent-7"))
    agent = as_user("agent1")
    for evaluation in (other, far, 999_999):
        assert agent.get(f"/quality/evaluations/{evaluation}").status_code == 404
    token = csrf_of(agent, "/quality/mine")
    for action in ("acknowledge", "dispute"):
        response = agent.post(
            f"/quality/evaluations/{other}/{action}",
            data={"reason": "x", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 404
    lead = as_user("lead_a")  # team A: agents 1-6
    assert lead.get(f"/quality/evaluations/{other}").status_code == 200
    assert lead.get(f"/quality/evaluations/{far}").status_code == 404
    assert as_user("manager").get(f"/quality/evaluations/{far}").status_code == 200
    assert as_user("agent2").get(f"/quality/evaluations/{other}").status_code == 200


def test_roles_reach_only_their_quality_pages(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    allowed = {
        "agent1": {"/quality/mine"},
        "lead_a": {"/quality/team"},
        "qa": {"/quality/queue", "/quality/scorecard"},
        "manager": {"/quality/team", "/quality/scorecard"},
        "wfm": set(),
    }
    contact = _contact_of(floor, "agent-1")
    pages = ["/quality/queue", "/quality/team", "/quality/scorecard"]
    for username, ok in allowed.items():
        client = as_user(username)
        for path in pages:
            expected = 200 if path in ok else 403
            assert client.get(path).status_code == expected, (username, path)
        evaluate = client.get(f"/quality/contacts/{contact}/evaluate").status_code
        assert evaluate == (200 if username == "qa" else 403), username


def test_every_quality_form_needs_the_csrf_token(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    qa = as_user("qa")
    contact = _contact_of(floor, "agent-1")
    response = qa.post(f"/quality/contacts/{contact}/evaluate", data=CLEAN)
    assert response.status_code == 403
    evaluation = _evaluate(qa, contact)
    agent = as_user("agent1")
    assert agent.post(f"/quality/evaluations/{evaluation}/acknowledge").status_code == 403
    lead = as_user("lead_a")
    data = {"agent_id": str(floor.agent_ids["agent-1"]), "topic": "Fees", "due": "2026-12-01"}
    assert lead.post("/quality/coaching", data=data).status_code == 403
    assert as_user("manager").post("/quality/calibration", data={"name": "x"}).status_code == 403


def test_an_incomplete_evaluation_is_refused_naming_the_item(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    qa = as_user("qa")
    path = f"/quality/contacts/{_contact_of(floor, 'agent-1')}/evaluate"
    data = {k: v for k, v in CLEAN.items() if k != "item_acc_correct_answer"}
    response = qa.post(path, data={**data, "csrf_token": csrf_of(qa, path)})
    assert response.status_code == 400
    assert "acc_correct_answer" in response.text
    with Session(floor.engine) as db:
        assert db.scalar(select(QaEvaluation.id)) is None


def test_a_team_lead_coaches_only_their_own_team(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    lead = as_user("lead_a")
    token = csrf_of(lead, "/quality/team")
    mine = {"agent_id": str(floor.agent_ids["agent-2"]), "topic": "Fees", "due": "2026-12-01"}
    assert lead.post("/quality/coaching", data={**mine, "csrf_token": token}).status_code == 200
    other = {**mine, "agent_id": str(floor.agent_ids["agent-8"])}
    assert lead.post("/quality/coaching", data={**other, "csrf_token": token}).status_code == 404
    with Session(floor.engine) as db:
        task = db.scalars(select(QaCoachingTask)).one()
        assert task.agent_id == floor.agent_ids["agent-2"]
    response = lead.post(
        f"/quality/coaching/{task.id}/complete",
        data={"follow_up": "2026-12-15", "follow_up_note": "listen again", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "listen again" in as_user("agent2").get("/quality/mine").text


def test_the_onion_review_page_says_adherence_is_unavailable(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("lead_a").get("/quality/team?measure=aht_seconds&days=60").text
    assert 'data-unavailable="adherence"' in page
    agents = set(re.findall(r'<tr data-agent="([^"]+)"', page))
    assert agents and agents <= {f"agent-{n}" for n in range(1, 7)}  # only team A


def test_the_scorecard_and_calibration_page_shows_agreement(floor: Floor, as_user) -> None:  # type: ignore[no-untyped-def]
    manager = as_user("manager")
    response = manager.post(
        "/quality/calibration",
        data={"name": "week 45", "csrf_token": csrf_of(manager, "/quality/scorecard")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session_id = response.headers["location"].rsplit("=", 1)[1]
    qa = as_user("qa")
    contacts = [_contact_of(floor, k) for k in ("agent-1", "agent-2", "agent-3")]
    for n, contact in enumerate(contacts):
        path = f"/quality/contacts/{contact}/evaluate"
        answers = {**CLEAN, "item_att_courtesy": str(3 + n)}
        data = {**answers, "calibration_session_id": session_id, "csrf_token": csrf_of(qa, path)}
        assert qa.post(path, data=data, follow_redirects=False).status_code == 303
    page = manager.get(f"/quality/scorecard?session={session_id}").text
    assert 'id="form-alpha"' in page and 'id="bias"' in page
    assert 'data-metric="accuracy"' in page
    with Session(floor.engine) as db:  # calibration scores never count towards accuracy
        rows = db.scalars(select(QaEvaluation)).all()
        assert len(rows) == 3 and all(r.calibration_session_id is not None for r in rows)
