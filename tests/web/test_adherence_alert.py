"""The wallboard raises an agent out of their scheduled activity after the grace period, live."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.store.schedule_models import Activity, publish_schedule
from ccops.web import floor
from ccops.web.scope import Scope
from tests.metrics.handmade import ingest

MANAGER = Scope(user_id=1, role="manager", agent_id=None, team_id=None)


def _at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-02T{hhmm}:00")


def test_an_agent_on_break_during_scheduled_work_is_raised_after_five_minutes(
    store: Engine,
) -> None:
    ingest(store, [
        {"id": "a1-0", "type": "agent.state", "at": "2026-11-02T08:00:00Z", "agent": "a1",
         "state": "available"},
        {"id": "a1-1", "type": "agent.state", "at": "2026-11-02T09:00:00Z", "agent": "a1",
         "state": "break"},
        {"id": "a2-0", "type": "agent.state", "at": "2026-11-02T08:00:00Z", "agent": "a2",
         "state": "talking"},
    ])  # fmt: skip
    publish_schedule(store, "today", [
        Activity("a1", "work", _at("08:00"), _at("10:00")),
        Activity("a2", "work", _at("08:00"), _at("10:00")),
    ])  # fmt: skip
    with Session(store) as session:
        early = floor.snapshot(session, MANAGER, _at("09:04"))
        late = floor.snapshot(session, MANAGER, _at("09:06"))
    board = {a["key"]: a for a in late["agents"]}
    assert board["a1"]["scheduled"] == "work"
    assert board["a1"]["out_of_adherence_seconds"] == 360
    assert board["a2"]["out_of_adherence_seconds"] is None  # talking is working
    assert not [a for a in early["alerts"] if a["kind"] == "out_of_adherence"]
    (alert,) = [a for a in late["alerts"] if a["kind"] == "out_of_adherence"]
    assert (alert["state"], alert["activity"], alert["value"]) == ("break", "work", 360)
