"""In a real browser (Debian's headless chromium driven by Playwright): every role signs in, an
agent cannot reach another agent's page, the wallboard follows posted events within a second,
and the Chinese UI shows no untranslated strings. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from ccops.store import make_engine, upgrade
from ccops.store.auth_models import User
from ccops.store.schedule_models import Activity, publish_schedule
from tests.web.conftest import PASSWORD, Floor, build_floor

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

playwright_api = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install playwright)",
)
if not Path(CHROMIUM).exists():
    pytest.skip(
        "browser tests need Debian's chromium (apt-get install -y chromium)",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Floor]]:
    """The app under uvicorn on a free port, on a SQLite store with the test floor."""
    import uvicorn

    from ccops.api import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    floor = build_floor(engine)
    with Session(engine) as db:
        db.query(User).filter(User.username == "manager").update({"language": "zh_Hans"})
        db.commit()
    port = _free_port()
    config = uvicorn.Config(
        create_app(url),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", floor
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser: object, base: str, username: str, locale: str = "en-US"):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=base,
        locale=locale,  # type: ignore[attr-defined]
        viewport={"width": 1366, "height": 800},
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("username", ["agent1", "lead_a", "qa", "wfm", "manager", "admin"])
def test_every_role_signs_in_and_sees_the_overview(server, browser, username: str) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    page = _page(browser, base, username)
    assert page.locator("#whoami").count() == 1
    assert page.locator("table.kpi").count() == 1
    _shot(page, f"overview-{username}")
    page.context.close()


def test_an_agent_in_the_browser_cannot_open_another_agents_page(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, floor = server
    page = _page(browser, base, "agent1")
    own = page.goto(f"/agents/{floor.agent_ids['agent-1']}")
    assert own is not None and own.status == 200
    _shot(page, "agent-own-page")
    for key in ("agent-2", "agent-7", "agent-12"):
        response = page.goto(f"/agents/{floor.agent_ids[key]}")
        assert response is not None and response.status == 404
        api = page.goto(f"/api/v1/agents/{key}/summary")
        assert api is not None and api.status == 404
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    _shot(page, "agent-refused")
    page.context.close()


def test_the_wallboard_changes_within_one_second_after_an_event_is_posted(
    server,
    browser,  # type: ignore[no-untyped-def]
) -> None:
    base, floor = server
    page = _page(browser, base, "admin")
    page.goto("/wallboard")
    page.wait_for_selector("#live.on", timeout=5000)
    _shot(page, "wallboard-before")
    lags = []
    for n, state in enumerate(("break", "training", "available")):
        at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        event = {
            "id": f"browser-{state}-{time.time_ns()}",
            "type": "agent.state",
            "at": at,
            "agent": "agent-5",
            "state": state,
        }
        started = time.monotonic()
        response = httpx.post(
            f"{base}/api/v1/events",
            json=[event],
            headers={"Authorization": f"Bearer {floor.token}"},
        )
        assert response.status_code == 200 and response.json()["accepted"] == 1
        page.wait_for_selector(f'[data-agent="agent-5"][data-state="{state}"]', timeout=3000)
        lags.append(time.monotonic() - started)
        if n == 0:
            _shot(page, "wallboard-after")
    assert max(lags) < 1.0, f"wallboard lags {lags}"
    page.context.close()


ALLOWED = {
    # data and names, not UI strings
    "agent",
    "cust",
    "general",
    "vip",
    "backoffice",
    "Team",
    "ccops",
    "English",
    "CSV",
    "Excel",
    "API",
    "UTC",
    "VIP",
    "AHT",
    "ASA",
    "SL",
    "lead_a",
    "admin",
    "manager",
    "qa",
    "wfm",
    "agent1",
    "agent2",
    "Manager",
    "Admin",
}


def test_the_chinese_ui_shows_no_untranslated_strings_on_the_main_pages(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, floor = server
    day = datetime(2026, 11, 2)
    publish_schedule(floor.engine, "zh check", [
        Activity(f"agent-{n}", kind, day + timedelta(minutes=a), day + timedelta(minutes=b))
        for n in (3, 4)
        for kind, a, b in (("work", 480, 540), ("break", 540, 555), ("work", 555, 600))
    ])  # fmt: skip
    page = _page(browser, base, "manager", locale="en-US")  # the user's setting wins
    pages = {
        "schedule": "/schedule?day=2026-11-02",
        "overview": "/?day=2026-11-02",
        "wallboard": "/wallboard",
        "report": "/report?day=2026-11-02",
        "agent": f"/agents/{floor.agent_ids['agent-3']}",
        "team": f"/teams/{floor.team_a}",
        "teams": "/teams",
        "definitions": "/definitions",
        "settings": "/settings",
    }
    found: dict[str, set[str]] = {}
    for name, path in pages.items():
        page.goto(path)
        page.wait_for_load_state("networkidle") if name != "wallboard" else page.wait_for_selector(
            "#live.on", timeout=5000
        )
        text = page.inner_text("body")
        assert re.search(r"[\u4e00-\u9fff]", text), f"{name} has no Chinese at all"
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in ALLOWED}
        if words:
            found[name] = words
        _shot(page, f"zh-{name}")
    assert found == {}
    page.context.close()


def test_a_browser_asking_for_chinese_gets_the_chinese_sign_in_page(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    context = browser.new_context(base_url=base, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    assert "登录" in page.inner_text("body")
    _shot(page, "zh-login")
    context.close()
