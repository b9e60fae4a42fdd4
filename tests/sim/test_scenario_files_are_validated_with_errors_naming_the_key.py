"""Scenario TOML is read into typed dataclasses; bad input names the file and the TOML key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccops.sim import Exponential, LogNormal, ScenarioError, load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

GOOD = """
[center]
name = "t"
start = 2026-01-05

[[queues]]
name = "general"
talk = { kind = "lognormal", mean = 200, sd = 100 }
patience = 90

[[teams]]
name = "A"
agents = 3
skills = ["general"]
  [[teams.shifts]]
  start = "08:00"
  hours = 8
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "center.toml"
    p.write_text(text)
    return p


def test_the_example_centers_load() -> None:
    demo = load_scenario(EXAMPLES / "demo-center.toml")
    assert {q.name for q in demo.queues} == {"general", "vip", "chat", "email"}
    assert demo.agent_count == 178
    assert [t.name for t in demo.teams] == ["North", "South", "Premier", "Back office"]
    assert load_scenario(EXAMPLES / "small-center.toml").queues


def test_a_minimal_scenario_gets_sensible_defaults(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, GOOD))
    q = sc.queues[0]
    assert q.skill == "general" and q.channel == "voice" and q.answer_within == 20
    assert isinstance(q.talk, LogNormal) and q.patience == Exponential(90.0)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('channel = "voice"', 'channel = "fax"'), "queues[0].channel"),
        (("patience = 90", 'patience = { kind = "weibull" }'), "queues[0].patience.kind"),
        (("agents = 3", "agents = 0"), "teams[0].agents"),
        (('start = "08:00"', 'start = "8h"'), "teams[0].shifts[0].start"),
        (("patience = 90", "patience = 90\npatiense = 3"), "queues[0].patiense"),
        (('skills = ["general"]', 'skills = ["billing"]'), "queues[0].skill"),
    ],
)
def test_bad_values_raise_an_error_naming_the_key(
    tmp_path: Path, change: tuple[str, str], key: str
) -> None:
    text = GOOD.replace('name = "general"', 'name = "general"\nchannel = "voice"')
    text = text.replace(*change)
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, text))
    assert key in str(err.value)
    assert "center.toml" in str(err.value)


def test_a_missing_file_and_broken_toml_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(write(tmp_path, "[center\n"))
