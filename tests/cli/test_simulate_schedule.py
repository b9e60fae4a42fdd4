"""`ccops simulate schedule`: a schedule tried on the twin before it is published — enough agents
meet the target in every open interval, too few miss it, and bad input names the line."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer
from typer.testing import CliRunner

from ccops.cli.simulate import simulate_app

app = typer.Typer()
app.add_typer(simulate_app, name="simulate")
runner = CliRunner()

SCENARIO = """
[center]
start = 2026-01-05
interval_minutes = 30

[profiles.day]
hourly = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]

[[queues]]
name = "sales"
daily_volume = 800
profile = "day"
aht = 240
patience = { kind = "exponential", mean = 180 }

[[teams]]
name = "Phones"
agents = 1
skills = ["sales"]
[[teams.shifts]]
start = "09:00"
hours = 8
"""


def _files(tmp_path: Path, agents: int, team: str = "Phones") -> tuple[Path, Path]:
    scenario = tmp_path / "center.toml"
    scenario.write_text(SCENARIO)
    lines = ["agent,team,activity,start,end"]
    for n in range(agents):
        lines.append(f"a{n},{team},work,2026-01-05T08:55,2026-01-05T17:05")
    schedule = tmp_path / "day.csv"
    schedule.write_text("\n".join(lines) + "\n")
    return scenario, schedule


def _share(tmp_path: Path, agents: int) -> dict[str, object]:
    scenario, schedule = _files(tmp_path, agents)
    result = runner.invoke(
        app, ["simulate", "schedule", str(scenario), str(schedule), "--replications", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, object] = orjson.loads(result.stdout)
    return data


def test_a_well_staffed_schedule_meets_the_target_in_every_open_interval(tmp_path: Path) -> None:
    # 100 contacts an hour × 240 s = 6.7 Erlangs: 12 agents answer nearly everyone at once
    data = _share(tmp_path, 12)
    assert data["share_met"] == {"sales": 1.0}
    intervals = data["intervals"]
    assert isinstance(intervals, list) and len(intervals) == 16  # 09:00-17:00, the open hours
    assert all(row["met"] and row["ci95"][0] <= row["service_level"] for row in intervals)


def test_an_understaffed_schedule_misses_the_target(tmp_path: Path) -> None:
    data = _share(tmp_path, 6)  # fewer agents than Erlangs of work
    share = data["share_met"]
    assert isinstance(share, dict) and share["sales"] < 0.2


def test_an_unknown_team_is_named_with_its_line(tmp_path: Path) -> None:
    scenario, schedule = _files(tmp_path, 2, team="Nowhere")
    result = runner.invoke(app, ["simulate", "schedule", str(scenario), str(schedule)])
    assert result.exit_code == 2
    assert "day.csv:2" in result.output and "no team 'Nowhere'" in result.output
