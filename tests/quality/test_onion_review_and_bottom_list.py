"""The onion review: layers in order, the bottom 20% with ties; who entered, stayed, improved."""

from __future__ import annotations

import pytest

from ccops.quality.onion import (
    ADHERENCE,
    BOTTOM,
    ENTERED,
    IMPROVED,
    LEFT,
    OCCUPANCY,
    STAYED,
    UTILIZATION,
    AgentFigures,
    Targets,
    bottom,
    history,
    review,
    track,
)
from ccops.quality.scorecard import scorecard


def _team(values: dict[str, float], team: str = "t1") -> list[AgentFigures]:
    return [AgentFigures(a, team, 0.95, 0.85, 0.9, {"voice": 60}, v) for a, v in values.items()]


def test_the_bottom_twenty_percent_of_ten_agents_is_two() -> None:
    figures = _team({f"a{i}": float(i) for i in range(10)})
    assert [(r.agent, r.rank) for r in bottom(figures)] == [("a0", 1), ("a1", 2)]
    # lower is better (e.g. handle time): the weakest are the highest
    assert [r.agent for r in bottom(figures, higher_is_better=False)] == ["a9", "a8"]


def test_ties_at_the_cut_are_all_listed_and_agents_without_a_figure_are_left_out() -> None:
    figures = _team({"a": 1.0, "b": 2.0, "c": 2.0, "d": 5.0, "e": 6.0, "f": 7.0})
    figures.append(AgentFigures("new", "t1"))
    # ceil(0.2 * 6) = 2, and c ties with b
    assert [r.agent for r in bottom(figures)] == ["a", "b", "c"]
    assert bottom([], 0.2) == ()


def test_review_peels_the_layers_outermost_first() -> None:
    figures = [
        AgentFigures(
            "late",
            "t1",
            adherence=0.80,
            occupancy=0.60,
            utilization=0.9,
            productivity={"voice": 70},
            performance=0.9,
        ),
        AgentFigures(
            "idle",
            "t1",
            adherence=0.95,
            occupancy=0.60,
            utilization=0.9,
            productivity={"voice": 70},
            performance=0.95,
        ),
        AgentFigures(
            "slow",
            "t2",
            adherence=0.95,
            occupancy=0.85,
            utilization=0.7,
            productivity={"voice": 30},
            performance=0.96,
        ),
        AgentFigures(
            "weak",
            "t2",
            adherence=0.95,
            occupancy=0.85,
            utilization=0.9,
            productivity={"voice": 70},
            performance=0.50,
        ),
        AgentFigures(
            "fine",
            "t2",
            adherence=0.95,
            occupancy=0.85,
            utilization=0.9,
            productivity={"voice": 70},
            performance=0.99,
        ),
    ]
    result = review(figures, Targets(productivity={"voice": 50}))
    first = {a.agent: a.first_layer for a in result.agents}
    assert first == {
        "late": ADHERENCE,
        "idle": OCCUPANCY,
        "slow": UTILIZATION,
        "weak": BOTTOM,
        "fine": None,
    }
    assert result.layer(OCCUPANCY) == ["idle", "late"]
    assert result.first(OCCUPANCY, team="t1") == ["idle"]
    assert result.layer(BOTTOM, team="t2") == ["weak"]
    slow = next(a for a in result.agents if a.agent == "slow")
    assert "voice 30/day < 50" in slow.details[UTILIZATION]
    assert result.teams() == ["t1", "t2"]


def test_tracking_says_who_entered_who_stayed_and_who_improved() -> None:
    week1 = _team(
        {"a": 1, "b": 2, "c": 5, "d": 6, "e": 7, "f": 8, "g": 9, "h": 10, "i": 11, "j": 12}
    )
    week2 = _team(
        {"a": 1.5, "b": 9, "c": 1, "d": 6, "e": 7, "f": 8, "g": 9, "h": 10, "i": 11, "j": 12}
    )
    rows = {t.agent: t for t in track(bottom(week1), bottom(week2), week2)}
    assert rows["a"].status == STAYED and rows["a"].getting_better is True
    assert rows["a"].change == pytest.approx(0.5)
    assert rows["c"].status == ENTERED
    assert rows["b"].status == IMPROVED and rows["b"].current == 9
    gone = [f for f in week2 if f.agent != "b"]
    assert {t.agent: t.status for t in track(bottom(week1), bottom(week2), gone)}["b"] == LEFT


def test_history_counts_how_many_periods_an_agent_has_stayed() -> None:
    base = {"a": 1.0, "b": 2.0, "c": 3.0} | {f"x{i}": 6.0 + i for i in range(7)}
    periods = [("W1", _team(base)), ("W2", _team(base)), ("W3", _team({**base, "b": 9.0}))]
    out = history(periods)
    assert [label for label, _ in out] == ["W1", "W2", "W3"]
    w3 = {t.agent: t for t in out[2][1]}
    assert w3["a"].periods_on_list == 3 and w3["a"].status == STAYED
    assert w3["c"].status == ENTERED
    assert w3["b"].status == IMPROVED


def test_the_balanced_scorecard_checks_each_figure_in_its_direction() -> None:
    lines = scorecard(
        {
            "service_level": 0.82,
            "accuracy": 0.9,
            "fcr_rate": None,
            "cost_per_contact": 4.2,
            "utilization": 0.85,
        }
    )
    met = {line.metric: line.met for line in lines}
    assert met == {
        "service_level": True,
        "accuracy": False,
        "fcr_rate": None,
        "cost_per_contact": True,
        "utilization": True,
    }
    assert [line.perspective for line in lines] == ["service", "quality", "quality", "cost", "cost"]
