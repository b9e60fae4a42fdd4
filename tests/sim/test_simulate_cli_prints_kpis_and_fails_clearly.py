"""`ccops simulate` prints KPIs as JSON and reports bad input with exit code 2."""

from __future__ import annotations

from typing import Any

import orjson
import typer
from typer.testing import CliRunner

from ccops.cli.simulate import simulate_app

app = typer.Typer()
app.add_typer(simulate_app, name="simulate")
runner = CliRunner()


def test_mmc_prints_the_kpis_as_json() -> None:
    args = "simulate mmc --arrival-rate 2 --aht 240 --agents 10 --patience 120 --hours 50 --seed 1"
    result = runner.invoke(app, [*args.split(), "--json"])
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    for key in (
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_seconds",
        "abandon_rate",
        "contacts_per_wall_second",
    ):
        assert key in data
    assert data["offered"] == data["answered"] + data["abandoned"]
    assert 0 < data["service_level"] <= 1


def test_mmc_rejects_zero_agents_with_exit_code_2() -> None:
    args = "simulate mmc --arrival-rate 2 --aht 240 --agents 0 --hours 1 --seed 1"
    result = runner.invoke(app, args.split())
    assert result.exit_code == 2
    assert "agents" in result.output


SMALL = "examples/small-center.toml"


def test_run_writes_jsonl_and_prints_kpis_with_intervals(tmp_path: Any) -> None:
    out = tmp_path / "events.jsonl"
    args = ["simulate", "run", SMALL, "--days", "2", "--seed", "3", "--replications", "2"]
    result = runner.invoke(app, [*args, "--output", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    assert data["events_written"] == len(out.read_bytes().splitlines()) > 1000
    sl = data["queues"]["general"]["service_level"]
    assert sl["ci95"][0] <= sl["mean"] <= sl["ci95"][1]
    assert data["intervals"]


def test_run_names_the_file_and_key_of_a_bad_scenario(tmp_path: Any) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[queues]]\nname = "q"\nchannel = "fax"\n')
    result = runner.invoke(app, ["simulate", "run", str(bad)])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "queues[0].channel" in result.output
