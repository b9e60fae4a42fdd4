"""The demo center's plan, made the way a planning team would make it.

Four weeks of the twin's history before the plan (a pilot run on the scenario's own shift
templates) → a forecast per queue (statsforecast, model chosen by backtest) → requirements per
team → named rosters for every agent (full- and part-time contracts, 15-minute breaks) →
checked and corrected on the twin (:func:`ccops.wfm.plan.plan_staff`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from ccops.sim.engine import agent_name, simulate
from ccops.sim.scenario import Scenario
from ccops.wfm.forecast import ForecastOptions, QueueForecast, forecast_queue
from ccops.wfm.plan import (
    Plan,
    PlanCheck,
    QueueDemand,
    TeamStaff,
    histories_from_records,
    plan_staff,
)
from ccops.wfm.schedule import Agent, Contract, ShiftTemplate

HISTORY_DAYS = 28
FULL_TIME = Contract(
    min_hours_per_week=34.0,
    max_hours_per_week=42.5,
    min_days_per_week=4,
    max_days_per_week=5,
    max_consecutive_days=6,
    min_rest_hours=11.0,
)
PART_TIME = Contract(
    min_hours_per_week=15.0,
    max_hours_per_week=30.0,
    min_days_per_week=3,
    max_days_per_week=5,
    max_consecutive_days=6,
    min_rest_hours=11.0,
)
TEMPLATES = (
    # 8.5 hours with an unpaid 30-minute lunch and two 15-minute breaks
    ShiftTemplate(
        "full", 510, 8 * 60, 11 * 60 + 30, 15,
        lunch_minutes=30, lunch_window=(150, 300), break_minutes=15, breaks=2,
    ),
    # 5 hours with one 15-minute break, for the peaks
    ShiftTemplate("part", 300, 8 * 60, 15 * 60, 15, break_minutes=15, breaks=1),
)  # fmt: skip
PART_TIME_SHARE = 0.25


def demo_calendar(today: date, days: int) -> tuple[date, int, int]:
    """The demo's history and plan around `today`: (first day, days of history, days planned).

    The history starts on the Monday on or before `days` days ago (the scenario's weekly profile
    starts on Monday) and ends yesterday, so "today" on the pages looks live. The plan covers
    the history and at least this week's remaining days, in whole weeks, because weekly contract
    hours cannot always be split pro rata over a short week of 8.5-hour shifts.
    """
    first = today - timedelta(days=days)
    monday = first - timedelta(days=first.weekday())
    history = (today - monday).days
    weeks = -(-(history + 7) // 7)
    return monday, history, 7 * weeks


def demo_staff(scenario: Scenario, part_time_share: float = PART_TIME_SHARE) -> list[TeamStaff]:
    """Every agent of the scenario as the simulator names them; the last quarter part-time."""
    staff: list[TeamStaff] = []
    for team in scenario.teams:
        part = round(team.agents * part_time_share)
        agents = tuple(
            Agent(agent_name(team, k), FULL_TIME, templates=("full",))
            if k < team.agents - part
            else Agent(agent_name(team, k), PART_TIME, templates=("part",))
            for k in range(team.agents)
        )
        staff.append(TeamStaff(team.name, agents, TEMPLATES))
    return staff


def demo_forecasts(
    scenario: Scenario, days: int, seed: int = 1, history_days: int = HISTORY_DAYS
) -> list[QueueForecast]:
    """Forecast every queue for `days` days from the scenario's start, from a pilot history."""
    pilot = replace(scenario, start=scenario.start - timedelta(days=history_days))
    records = simulate(pilot, history_days, seed + 7919)
    options = ForecastOptions(horizon_days=days, models=("SeasonalNaive", "AutoETS"))
    return [
        forecast_queue(h, options) for h in histories_from_records(records, pilot, history_days)
    ]


def demo_demand(forecasts: Sequence[QueueForecast]) -> dict[str, QueueDemand]:
    """The forecasts as the plan's demand per queue."""
    return {f.queue: QueueDemand(f.contacts, f.aht_seconds) for f in forecasts}


def plan_demo(
    scenario: Scenario,
    days: int,
    *,
    seed: int = 1,
    rounds: int = 4,
    replications: int = 5,
    on_round: Callable[[int, PlanCheck], None] | None = None,
    forecasts: Sequence[QueueForecast] | None = None,
) -> Plan:
    """The demo center's plan for `days` days from its start (forecast, rosters, twin check).

    `forecasts` (from :func:`demo_forecasts`, `days` long) are made here when not given.
    """
    return plan_staff(
        scenario,
        demo_demand(forecasts if forecasts is not None else demo_forecasts(scenario, days, seed)),
        demo_staff(scenario),
        rounds=rounds,
        replications=replications,
        seed=seed + 104729,  # the plan is checked on other seeds than the history and the test
        roster_minutes=15,
        on_round=on_round,
    )
