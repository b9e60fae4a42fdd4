"""Staff plans: requirements shared among teams, rosters as a rota on the twin, and the demo's
published schedule meeting its service level when simulated."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.ingest.simulated import publish_plan
from ccops.sim import DEMO_SCENARIO, load_scenario, parse_scenario, simulate
from ccops.sim.emit import STATE_CODE
from ccops.sim.rota import (
    Rota,
    RotaActivity,
    RotaAgent,
    RotaShift,
    rota_activities,
    rota_from_activities,
)
from ccops.sim.scenario import Scenario, ScenarioError
from ccops.store.models import Agent
from ccops.store.schedule_models import published_activities
from ccops.wfm.demo import plan_demo
from ccops.wfm.plan import QueueDemand, check_rota, open_cells, team_requirements
from ccops.wfm.requirements import requirements

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


def _scenario(teams: str) -> Scenario:
    text: dict[str, Any] = {
        "center": {"start": START.date(), "interval_minutes": 30},
        "queues": [
            {"name": "sales", "channel": "voice", "daily_volume": 480, "aht": 240},
            {"name": "web", "channel": "chat", "daily_volume": 240, "aht": 600},
        ],
    }
    import tomllib

    text["teams"] = tomllib.loads(teams)["teams"]
    return parse_scenario(text)


TWO_TEAMS = """
[[teams]]
name = "Phones"
agents = 30
skills = ["sales"]
[[teams.shifts]]
start = "08:00"
hours = 8
[[teams]]
name = "Web"
agents = 10
skills = ["web", "sales"]
concurrency = 2
[[teams.shifts]]
start = "08:00"
hours = 8
"""


def _demand(contacts: float, aht: float, n: int = 48) -> QueueDemand:
    c = np.zeros(n)
    c[18:34] = contacts  # 09:00-17:00
    return QueueDemand(c, np.full(n, aht))


def test_a_queue_one_team_serves_needs_exactly_what_erlang_c_says_shared_by_concurrency() -> None:
    sc = _scenario(TWO_TEAMS)
    demand = {"web": _demand(40, 600)}
    req = team_requirements(sc, demand, max_occupancy=0.85)
    servers = requirements(
        np.full(16, 40.0), 600.0, 30, answer_within=60.0, service_level=0.8, max_occupancy=0.85
    ).staffing.agents
    assert req.shares["web"] == {"Web": 1.0}
    np.testing.assert_allclose(req.teams["Web"][18:34], servers / 2)  # two chats at once
    assert req.teams["Phones"].sum() == 0
    assert req.teams["Web"][:18].sum() == 0


def test_a_queue_two_teams_serve_is_shared_and_its_parts_add_up_to_the_whole() -> None:
    sc = _scenario(TWO_TEAMS)
    demand = {"sales": _demand(60, 240), "web": _demand(20, 600)}
    req = team_requirements(sc, demand, capacity_hours={"Phones": 300.0, "Web": 100.0})
    sales = requirements(
        np.full(16, 60.0), 240.0, 30, answer_within=20.0, service_level=0.8, max_occupancy=0.85
    ).staffing.agents
    web = requirements(
        np.full(16, 20.0), 600.0, 30, answer_within=60.0, service_level=0.8, max_occupancy=0.85
    ).staffing.agents
    share = req.shares["sales"]
    assert sum(share.values()) == pytest.approx(1.0)
    # the web team's own queue took its hours first, so it takes less of the common work
    web_hours_left = 100.0 - web.sum() / 2 * 0.5
    assert share["Web"] == pytest.approx(web_hours_left / (300.0 + web_hours_left))
    np.testing.assert_allclose(req.teams["Phones"][18:34], share["Phones"] * sales)
    np.testing.assert_allclose(req.teams["Web"][18:34], share["Web"] * sales + web / 2)


def test_agents_on_a_rota_answer_only_inside_their_shifts_and_take_their_breaks() -> None:
    sc = _scenario(TWO_TEAMS)
    nine, five = 9 * 3600.0, 17 * 3600.0
    rota = Rota(
        (
            RotaAgent(
                "ann",
                "Phones",
                (RotaShift(nine, five, (RotaActivity("lunch", 12 * 3600.0, 30.0),)),),
            ),
            RotaAgent("bo", "Web", ()),
        )
    )
    records = simulate(sc, 1, seed=3, rota=rota)
    assert records.agent_names == ("ann", "bo")
    answered = records.answered[~np.isnan(records.answered)]
    assert answered.size > 0
    assert answered.min() >= nine and answered.max() < five
    # ann is on lunch from 12:00 for 30 minutes, once a call in progress has ended
    lunch = [t for t, a, state, _ in records.agent_log if a == 0 and state == STATE_CODE["lunch"]]
    assert lunch and 12 * 3600.0 <= lunch[0] < 12.5 * 3600.0
    assert (records.agent == 1).sum() == 0  # bo had no shift


def test_a_rota_naming_an_unknown_team_or_activity_is_refused_by_agent() -> None:
    sc = _scenario(TWO_TEAMS)
    bad = Rota(
        (
            RotaAgent("ann", "Nowhere", ()),
            RotaAgent("bo", "Web", (RotaShift(0.0, 3600.0, (RotaActivity("nap", 60.0, 5.0),)),)),
        )
    )
    with pytest.raises(ScenarioError, match=r"agent 'ann': no team 'Nowhere'.*'bo'.*'nap'"):
        simulate(sc, 1, seed=1, rota=bad)


@pytest.fixture(scope="module")
def demo_plan():  # type: ignore[no-untyped-def]
    scenario = replace(load_scenario(DEMO_SCENARIO), start=START)
    return scenario, plan_demo(scenario, 7, rounds=4, replications=3)


def test_a_plans_activities_read_back_as_a_rota_give_the_same_shifts(demo_plan) -> None:  # type: ignore[no-untyped-def]
    _, plan = demo_plan
    teams = {a.name: a.team for a in plan.rota.agents}
    back = rota_from_activities(rota_activities(plan.rota), teams)
    assert back == plan.rota


def test_a_published_demo_schedule_simulated_meets_its_target_in_90_percent_of_intervals(
    store: Engine, demo_plan
) -> None:  # type: ignore[no-untyped-def]
    scenario, plan = demo_plan
    teams = {a.name: a.team for a in plan.rota.agents}
    with Session(store) as db, db.begin():
        db.add_all(Agent(key=name, name=name) for name in teams)
    published = publish_plan(store, plan, START, name="demo week")
    assert published > 0
    rows = published_activities(store, START, START + timedelta(days=7))
    assert len(rows) == published
    spans = [
        (a, kind, (s - START).total_seconds(), (e - START).total_seconds())
        for a, kind, s, e in rows
    ]
    rota = rota_from_activities(spans, teams)
    # other seeds than the ones the plan was checked and corrected on
    check = check_rota(
        scenario, rota, 7, replications=5, seed=1, expected=open_cells(scenario, plan.demand)
    )
    shares = check.share_met_by_queue()
    assert set(shares) == {"general", "vip", "chat", "email"}
    for queue, share in shares.items():
        assert share >= 0.9, (queue, share, shares)
        judged = int(check.judged[check.queues.index(queue)].sum())
        assert judged >= 80, (queue, judged)  # a week of open intervals, not a handful
