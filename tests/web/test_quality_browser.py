"""Issue 9, acceptance 5, in a real browser (Debian's chromium driven by Playwright): a QA analyst
scores a contact; the agent signs in, sees the evaluation and disputes it; the team lead overturns
it; the agent's accuracy figure (from the metric catalog) changes accordingly. Then the quality
pages in Chinese show no untranslated strings. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccops.quality.forms import DEFAULT_FORM, ItemKind
from ccops.store.models import Contact
from tests.web.test_browser import ALLOWED, _page, _shot, browser, server

__all__ = ["browser", "server"]  # the module-scoped fixtures of test_browser.py, reused


def _answer_everything(page, **overrides: str) -> None:  # type: ignore[no-untyped-def]
    """Tick every item of the default form: yes / the top of the scale, unless overridden."""
    for item in DEFAULT_FORM.items():
        value = overrides.get(item.key) or (
            str(item.scale_max) if item.kind is ItemKind.SCALE else "yes"
        )
        page.check(f'#evaluation-form input[name="item_{item.key}"][value="{value}"]')


def _contact_of(engine, agent_id: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        row = db.execute(
            select(Contact.id, Contact.key)
            .where(Contact.agent_id == agent_id, Contact.ended_at.is_not(None))
            .order_by(Contact.offered_at.desc())
            .limit(1)
        ).one()
    return row[0], row[1]


def test_an_evaluation_disputed_and_overturned_changes_the_agents_accuracy(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, floor = server
    contact_id, contact_key = _contact_of(floor.engine, floor.agent_ids["agent-1"])

    # the QA analyst finds the contact in their queue and scores it with an accuracy defect
    qa = _page(browser, base, "qa")
    qa.click("nav >> text=Quality")
    qa.wait_for_url(re.compile(r".*/quality/queue$"))
    qa.click(f'#recent tr[data-contact="{contact_key}"] >> text=Evaluate')
    qa.wait_for_url(re.compile(rf".*/quality/contacts/{contact_id}/evaluate$"))
    _answer_everything(qa, acc_correct_record="no")
    qa.fill('input[name="comment_acc_correct_record"]', "address not updated")
    _shot(qa, "quality-evaluation-form")
    qa.click("#evaluation-form button[type=submit]")
    qa.wait_for_url(re.compile(r".*/quality/evaluations/\d+$"))
    evaluation_url = qa.url
    assert qa.inner_text("#defect") == "yes"
    _shot(qa, "quality-evaluation-saved")
    qa.context.close()

    # the agent sees it, with accuracy 0%, and disputes
    agent = _page(browser, base, "agent1")
    agent.goto("/quality/mine")
    assert agent.inner_text("#accuracy") == "0.0%"
    assert contact_key in agent.inner_text("#my-evaluations")
    _shot(agent, "quality-agent-before")
    agent.click(f"#my-evaluations >> text={contact_key}")
    agent.wait_for_url(evaluation_url)
    assert "address not updated" in agent.inner_text("#answers")
    agent.fill("#dispute-form textarea[name=reason]", "I updated the address during the call")
    agent.click("#dispute-form button[type=submit]")
    agent.wait_for_selector('#status[data-status="disputed"]')
    _shot(agent, "quality-agent-disputed")

    # the team lead sees the open dispute and overturns it with the corrected answer
    lead = _page(browser, base, "lead_a")
    lead.goto("/quality/team")
    assert "I updated the address during the call" in lead.inner_text("#disputes")
    lead.click("#disputes >> text=Review and decide")
    lead.wait_for_url(evaluation_url)
    lead.check('#decide-form input[name="decision"][value="amended"]')
    lead.fill("#decide-form textarea[name=note]", "The recording confirms the update")
    lead.click("#decide-form summary")
    lead.check('#decide-form input[name="item_acc_correct_record"][value="yes"]')
    _shot(lead, "quality-lead-deciding")
    lead.click("#decide-form button[type=submit]")
    lead.wait_for_selector('#status[data-status="final"]')
    assert lead.inner_text("#defect") == "no"
    _shot(lead, "quality-lead-decided")
    lead.context.close()

    # the agent's accuracy figure, from the catalog, now counts the evaluation as accurate
    agent.goto("/quality/mine")
    assert agent.inner_text("#accuracy") == "100.0%"
    assert "1 of 1" in agent.inner_text("#accuracy-counts")
    _shot(agent, "quality-agent-after")
    agent.context.close()


def test_the_chinese_quality_pages_show_no_untranslated_strings(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, floor = server
    contact_id, _ = _contact_of(floor.engine, floor.agent_ids["agent-2"])
    page = _page(browser, base, "manager")  # the manager's own setting is Chinese
    pages = {
        "team": "/quality/team",
        "scorecard": "/quality/scorecard",
    }
    found: dict[str, set[str]] = {}
    for name, path in pages.items():
        page.goto(path)
        text = page.inner_text("body")
        assert re.search(r"[\u4e00-\u9fff]", text), f"{name} has no Chinese at all"
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in ALLOWED}
        if words:
            found[name] = words
        _shot(page, f"zh-quality-{name}")
    assert found == {}
    page.context.close()
    assert contact_id


@pytest.mark.parametrize("username", ["agent2"])
def test_an_agent_in_the_browser_cannot_open_another_agents_evaluation(  # type: ignore[no-untyped-def]
    server, browser, username: str
) -> None:
    base, _ = server
    page = _page(browser, base, username)
    for evaluation in range(1, 4):
        response = page.goto(f"/quality/evaluations/{evaluation}")
        assert response is not None and response.status in (404,)
    page.context.close()
