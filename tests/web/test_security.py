"""Security: CSRF on every form, throttled sign-in, no session fixation, only hashes at rest."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ccops.store.auth_models import ApiToken, AuditEntry, User, WebSession
from ccops.web.auth import sha256
from ccops.web.security import SESSION_COOKIE
from tests.web.conftest import PASSWORD, Floor, csrf_of, sign_in


def test_a_sign_in_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_a_sign_in_post_with_another_browsers_csrf_token_is_refused(client: TestClient) -> None:
    token = csrf_of(client)
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_every_form_of_a_signed_in_user_needs_the_sessions_csrf_token(
    client: TestClient, floor: Floor
) -> None:
    sign_in(client, "admin")
    forms = [
        ("/settings", {"language": "zh_Hans"}),
        ("/logout", {}),
        ("/admin/teams", {"key": "t-x", "name": "X"}),
        ("/admin/users", {"username": "mallory", "password": "p" * 12, "role": "admin"}),
        ("/admin/tokens", {"name": "evil"}),
        (f"/admin/agents/{floor.agent_ids['agent-3']}", {"name": "renamed"}),
    ]
    for path, data in forms:
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    with Session(floor.engine) as db:
        assert db.scalar(select(User).where(User.username == "mallory")) is None
    good = client.post(
        "/settings", data={"language": "zh_Hans", "csrf_token": csrf_of(client, "/settings")}
    )
    assert good.status_code == 200  # redirected back to the settings page


def test_five_wrong_passwords_throttle_even_the_right_one(client: TestClient) -> None:
    for _ in range(5):
        token = csrf_of(client)
        response = client.post(
            "/login", data={"username": "qa", "password": "wrong", "csrf_token": token}
        )
        assert response.status_code == 401
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"username": "qa", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in client.cookies
    # another user is not locked out by someone else's failures
    sign_in(client, "wfm")


def test_signing_in_issues_a_new_session_id_and_never_adopts_a_planted_one(
    client: TestClient, floor: Floor
) -> None:
    planted = "attacker-chosen-session-id"
    client.get("/login")
    domain = next(c.domain for c in client.cookies.jar)  # where the app's own cookies live
    client.cookies.set(SESSION_COOKIE, planted, domain=domain)
    sign_in(client, "manager")
    first = client.cookies[SESSION_COOKIE]
    assert first != planted
    sign_in_again = client.post(
        "/login",
        data={"username": "manager", "password": PASSWORD, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert sign_in_again.status_code == 303
    second = client.cookies[SESSION_COOKIE]
    assert second != first
    with Session(floor.engine) as db:
        hashes = set(db.scalars(select(WebSession.id_hash)))
    assert sha256(first) not in hashes and sha256(second) in hashes
    assert sha256(planted) not in hashes


def test_the_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain HTTP here; behind TLS (x-forwarded-proto) it is set
    tls = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(client)},
        headers={"x-forwarded-proto": "https"},
        follow_redirects=False,
    )
    assert "secure" in tls.headers["set-cookie"].lower()


def test_signing_out_ends_the_session_on_the_server(client: TestClient) -> None:
    sign_in(client, "admin")
    cookie = client.cookies[SESSION_COOKIE]
    assert (
        client.post("/logout", data={"csrf_token": csrf_of(client, "/settings")}).status_code == 200
    )
    client.cookies.clear()
    assert (
        client.get("/", cookies={SESSION_COOKIE: cookie}, follow_redirects=False).status_code == 303
    )


def test_secrets_are_stored_only_as_hashes(client: TestClient, floor: Floor) -> None:
    sign_in(client, "admin")
    cookie = client.cookies[SESSION_COOKIE]
    with floor.engine.connect() as conn:
        dump = " ".join(
            str(v)
            for table in ("users", "web_sessions", "api_tokens", "audit_log")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
            for v in row
        )
    assert floor.token not in dump and floor.token.removeprefix("ccops_") not in dump
    assert cookie not in dump and PASSWORD not in dump
    with Session(floor.engine) as db:
        assert db.scalar(select(ApiToken.token_hash)) == sha256(floor.token)
        assert all(h.startswith("$argon2id$") for h in db.scalars(select(User.password_hash)))


def test_sign_ins_and_changes_to_people_and_configuration_are_audited(
    client: TestClient, floor: Floor
) -> None:
    sign_in(client, "admin")
    token = csrf_of(client, "/admin/users")
    client.post(
        "/admin/users",
        data={"username": "newbie", "password": "p" * 10, "role": "agent", "csrf_token": token},
    )
    client.post("/admin/teams", data={"key": "t-new", "name": "New", "csrf_token": token})
    with Session(floor.engine) as db:
        actions = [(e.action, e.actor, e.target) for e in db.scalars(select(AuditEntry))]
    assert ("sign_in", "admin", "user:admin") in actions
    assert ("user.create", "admin", "user:newbie") in actions
    assert ("team.create", "admin", "team:t-new") in actions


def test_the_events_api_refuses_calls_without_a_valid_token(client: TestClient) -> None:
    assert client.post("/api/v1/events", json=[]).status_code == 401
    bad = {"Authorization": "Bearer ccops_not-a-real-token"}
    assert client.post("/api/v1/events", json=[], headers=bad).status_code == 401
    sign_in(client, "admin")  # a browser session is not an API token
    assert client.post("/api/v1/events", json=[]).status_code == 401


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    policy = client.get("/login").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
