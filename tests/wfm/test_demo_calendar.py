"""The demo's calendar: history from a Monday to yesterday, a plan of whole weeks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from ccops.sim import DEMO_SCENARIO, load_scenario
from ccops.wfm.demo import TEMPLATES, demo_calendar, demo_staff
from ccops.wfm.schedule import checked_inputs


@pytest.mark.parametrize("offset", range(7))
def test_the_demo_plans_whole_weeks_from_a_monday_whatever_the_weekday(offset: int) -> None:
    today = date(2026, 11, 23) + timedelta(days=offset)  # a Monday, then each day after it
    monday, history, planned = demo_calendar(today, 21)
    assert monday.weekday() == 0
    assert monday <= today - timedelta(days=21) < monday + timedelta(days=7)
    assert monday + timedelta(days=history) == today
    assert planned % 7 == 0
    assert history + 7 <= planned < history + 14  # the history, then at least a week ahead
    # every agent's weeks can be filled by its shifts (a short week of 8.5-hour shifts may not)
    for team in demo_staff(load_scenario(DEMO_SCENARIO)):
        checked_inputs(np.zeros(planned * 96), 15, team.agents, TEMPLATES)
