"""Adherence and conformance against a published schedule, worked out by hand.

Agent a1 is scheduled 08:00–09:00 work, 09:00–09:15 break, 09:15–10:00 work; they are available
08:00, talking 08:30, on break 09:00–09:20 (five minutes too long), available 09:20, offline 10:00.
Agent a2 is scheduled to work 08:00–10:00 and logs in at 08:15. Agent a3 has no schedule.

a1: in the scheduled activity 60 + 15 + 40 = 115 of 120 scheduled minutes; worked 100 of 105
minutes scheduled to work. a2: 105 of 120; worked 105 of 120. By hour: a1 60/60 and 55/60
(conformance 60/60, 40/45); a2 45/60 and 60/60 (conformance 45/60, 60/60).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ccops.metrics import export_parquet, run_report
from ccops.store.schedule_models import Activity, ScheduleError, publish_schedule
from tests.metrics.handmade import ingest


def _at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-02T{hhmm}:00+00:00")


STATES = [
    ("a1", "08:00", "available"), ("a1", "08:30", "talking"), ("a1", "09:00", "break"),
    ("a1", "09:20", "available"), ("a1", "10:00", "offline"),
    ("a2", "08:15", "available"), ("a2", "10:00", "offline"),
    ("a3", "08:00", "available"), ("a3", "09:00", "offline"),
]  # fmt: skip
SCHEDULE = [
    Activity("a1", "work", _at("08:00"), _at("09:00")),
    Activity("a1", "break", _at("09:00"), _at("09:15")),
    Activity("a1", "work", _at("09:15"), _at("10:00")),
    Activity("a2", "work", _at("08:00"), _at("10:00")),
]
AS_OF = datetime(2026, 11, 3)


@pytest.fixture(params=["store", "duckdb"])
def scheduled(request: pytest.FixtureRequest, store: Engine, tmp_path: Path) -> object:
    """A store with the agents' states and the schedule published over an older one."""
    ingest(store, [
        {"id": f"{a}-{t}", "type": "agent.state", "at": f"2026-11-02T{t}:00Z", "agent": a,
         "state": s}
        for a, t, s in STATES
    ])  # fmt: skip
    publish_schedule(store, "draft", [Activity("a1", "work", _at("08:00"), _at("12:00"))])
    publish_schedule(store, "week 45", SCHEDULE)  # supersedes the draft for a1
    if request.param == "store":
        return store
    folder = tmp_path / "parquet"
    export_parquet(store.url.render_as_string(hide_password=False), folder)
    return str(folder)


def test_adherence_and_conformance_per_agent_match_the_hand_figures(scheduled: object) -> None:
    rows = run_report(scheduled, "adherence,conformance", "agent", as_of=AS_OF).rows  # type: ignore[arg-type]
    got = {r["agent"]: (r["adherence"], r["conformance"]) for r in rows}
    assert got["a1"] == pytest.approx((115 / 120, 100 / 105))
    assert got["a2"] == pytest.approx((105 / 120, 105 / 120))
    assert got.get("a3", (None, None)) == (None, None)  # no schedule: nothing to adhere to


def test_adherence_by_hour_and_for_the_whole_center(scheduled: object) -> None:
    rows = run_report(scheduled, "adherence,conformance", "hour,agent", as_of=AS_OF).rows  # type: ignore[arg-type]
    got = {(r["hour"].hour, r["agent"]): (r["adherence"], r["conformance"]) for r in rows
           if r["adherence"] is not None}  # fmt: skip
    expected = {
        (8, "a1"): (1.0, 1.0), (9, "a1"): (55 / 60, 40 / 45),
        (8, "a2"): (45 / 60, 45 / 60), (9, "a2"): (1.0, 1.0),
    }  # fmt: skip
    assert set(got) == set(expected)
    for key, figures in expected.items():
        assert got[key] == pytest.approx(figures), key
    (whole,) = run_report(scheduled, "adherence,conformance", "", as_of=AS_OF).rows  # type: ignore[arg-type]
    assert (whole["adherence"], whole["conformance"]) == pytest.approx((220 / 240, 205 / 225))


def test_a_schedule_that_cannot_be_published_says_why(store: Engine) -> None:
    ingest(store, [{"id": "s", "type": "agent.state", "at": "2026-11-02T08:00:00Z",
                    "agent": "a1", "state": "available"}])  # fmt: skip
    with pytest.raises(ScheduleError, match="unknown agent 'zz'.*|.*overlap"):
        publish_schedule(store, "bad", [
            Activity("a1", "work", _at("08:00"), _at("09:00")),
            Activity("a1", "break", _at("08:30"), _at("08:45")),
            Activity("zz", "work", _at("08:00"), _at("09:00")),
        ])  # fmt: skip


def test_scheduled_and_staffed_hours_are_the_plan_and_the_floor(scheduled: object) -> None:
    rows = run_report(scheduled, "scheduled_hours", "hour", as_of=AS_OF).rows  # type: ignore[arg-type]
    got = {r["hour"].hour: r["scheduled_hours"] for r in rows if r["scheduled_hours"]}
    # 08:00 hour: a1 60 + a2 60 minutes of work; 09:00 hour: a1 45 (a 15-minute break) + a2 60
    assert got == pytest.approx({8: 2.0, 9: 1.75})
    rows = run_report(scheduled, "scheduled_hours,staffed_hours", "agent", as_of=AS_OF).rows  # type: ignore[arg-type]
    a1 = next(r for r in rows if r["agent"] == "a1")
    # a1: available or handling 08:00-09:00 and 09:20-10:00
    assert (a1["scheduled_hours"], a1["staffed_hours"]) == pytest.approx((105 / 60, 100 / 60))


def test_a_report_window_inside_the_schedule_gives_that_windows_figures(scheduled: object) -> None:
    # the 09:00-10:00 hour asked on its own equals the 09:00 row of the hourly report
    rows = run_report(
        scheduled,  # type: ignore[arg-type]
        "adherence,conformance,scheduled_hours",
        "agent",
        datetime(2026, 11, 2, 9, 0),
        datetime(2026, 11, 2, 10, 0),
        as_of=AS_OF,
    ).rows
    got = {r["agent"]: (r["adherence"], r["conformance"], r["scheduled_hours"]) for r in rows}
    assert got["a1"] == pytest.approx((55 / 60, 40 / 45, 45 / 60))
    assert got["a2"] == pytest.approx((60 / 60, 60 / 60, 1.0))


def test_shrinkage_planned_and_unplanned_match_the_hand_figures(scheduled: object) -> None:
    # a1: 120 paid minutes, a 15-minute break planned, 5 minutes of scheduled work missed (the
    # long break); a2: 120 paid, nothing planned, 15 minutes missed (logged in at 08:15)
    metrics = "shrinkage,planned_shrinkage,unplanned_shrinkage"
    rows = run_report(scheduled, metrics, "agent", as_of=AS_OF).rows  # type: ignore[arg-type]
    got = {r["agent"]: (r["shrinkage"], r["planned_shrinkage"], r["unplanned_shrinkage"])
           for r in rows}  # fmt: skip
    assert got["a1"] == pytest.approx((20 / 120, 15 / 120, 5 / 120))
    assert got["a2"] == pytest.approx((15 / 120, 0.0, 15 / 120))
    assert got.get("a3", (None, None, None)) == (None, None, None)
    rows = run_report(scheduled, metrics, "hour,agent", as_of=AS_OF).rows  # type: ignore[arg-type]
    hourly = {(r["hour"].hour, r["agent"]): r["shrinkage"] for r in rows
              if r["shrinkage"] is not None}  # fmt: skip
    assert hourly == pytest.approx({(8, "a1"): 0.0, (9, "a1"): 20 / 60, (8, "a2"): 15 / 60,
                                    (9, "a2"): 0.0})  # fmt: skip
    (whole,) = run_report(scheduled, metrics, "", as_of=AS_OF).rows  # type: ignore[arg-type]
    assert (whole["shrinkage"], whole["planned_shrinkage"], whole["unplanned_shrinkage"]) == (
        pytest.approx((35 / 240, 15 / 240, 20 / 240))
    )
