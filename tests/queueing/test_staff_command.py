"""`ccops staff` through Typer's CliRunner on a local app that registers the command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from ccops.cli.staff import staff

app = typer.Typer()
app.command("staff")(staff)


@app.callback()
def _root() -> None:
    """Keep `staff` a subcommand."""


runner = CliRunner()
BASE = ["staff", "--calls", "100", "--interval-minutes", "30", "--aht", "180"]


def test_staff_finds_the_erlang_c_staffing_and_prints_the_documented_json_keys() -> None:
    args = [*BASE, "--answer-within", "20", "--service-level", "0.8", "--max-occupancy", "0.85"]
    result = runner.invoke(app, [*args, "--shrinkage", "0.3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "agents",
        "scheduled_agents",
        "service_level",
        "asa_seconds",
        "wait_probability",
        "occupancy",
    }
    assert (data["agents"], data["scheduled_agents"]) == (14, 20)
    assert abs(data["service_level"] - 0.88835002) < 1e-8


def test_staff_with_patience_uses_erlang_a_and_reports_abandonment() -> None:
    result = runner.invoke(app, [*BASE, "--service-level", "0.8", "--patience", "300", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 0.0 < data["abandon_probability"] < 1.0
    assert data["agents"] <= 14


def test_staff_with_agents_evaluates_them_and_reports_an_unstable_queue_as_null_asa() -> None:
    result = runner.invoke(app, [*BASE, "--agents", "9", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["agents"] == 9
    assert data["wait_probability"] == 1.0
    assert data["asa_seconds"] is None


def test_staff_prints_a_table_without_json() -> None:
    result = runner.invoke(app, [*BASE, "--service-level", "0.8"])
    assert result.exit_code == 0, result.output
    assert "scheduled_agents" in result.stdout and "14" in result.stdout


def test_staff_rejects_a_bad_option_with_exit_code_2_naming_it() -> None:
    result = runner.invoke(app, [*BASE, "--service-level", "1.5"])
    assert result.exit_code == 2
    assert "--service-level" in result.output


def test_staff_without_any_target_or_agents_says_what_to_give() -> None:
    result = runner.invoke(app, BASE)
    assert result.exit_code == 2
    assert "target" in result.output


def test_staff_input_csv_is_solved_per_row_with_row_targets(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "interval_start,queue,calls,aht_seconds,service_level,patience_seconds\n"
        "2024-01-01T08:00,voice,100,180,,\n"
        "2024-01-01T08:30,voice,300,180,0.9,300\n"
        "2024-01-01T09:00,voice,0,180,,\n"
    )
    out = tmp_path / "out.csv"
    args = ["staff", "--input", str(source), "--output", str(out), "--service-level", "0.8"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["agents"] for r in rows] == ["14", "35", "0"]
    assert rows[0]["abandon_probability"] == ""
    assert float(rows[1]["abandon_probability"]) > 0
    assert rows[0]["interval_start"] == "2024-01-01T08:00"


def test_staff_input_csv_names_the_file_and_line_of_a_bad_row(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "interval_start,queue,calls,aht_seconds\n"
        "2024-01-01T08:00,voice,100,180\n"
        "2024-01-01T08:30,voice,lots,180\n"
    )
    result = runner.invoke(app, ["staff", "--input", str(source), "--service-level", "0.8"])
    assert result.exit_code == 2
    assert "bad.csv line 3" in result.output and "calls" in result.output


def test_staff_input_csv_missing_columns_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "cols.csv"
    source.write_text("queue,calls\nvoice,10\n")
    result = runner.invoke(app, ["staff", "--input", str(source), "--service-level", "0.8"])
    assert result.exit_code == 2
    assert "aht_seconds" in result.output
