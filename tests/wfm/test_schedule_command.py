"""`ccops schedule` quick mode through Typer's CliRunner on a local app that registers it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ccops.cli.schedule import schedule

app = typer.Typer()
app.command("schedule")(schedule)


@app.callback()
def _root() -> None:
    """Keep `schedule` a subcommand."""


runner = CliRunner()


def _write(
    path: Path, rows: list[tuple[str, str]], header: str = "interval_start,required"
) -> Path:
    path.write_text(header + "\n" + "".join(f"{a},{b}\n" for a, b in rows), encoding="utf-8")
    return path


def _day(tmp_path: Path, value: int = 4) -> Path:
    t0 = datetime(2026, 1, 5)
    rows = [((t0 + timedelta(minutes=30 * i)).isoformat(), str(value)) for i in range(48)]
    return _write(tmp_path / "req.csv", rows)


def test_quick_mode_prints_shifts_by_start_and_length_with_totals_bound_and_gap(
    tmp_path: Path,
) -> None:
    args = ["schedule", "--requirements", str(_day(tmp_path)), "--shift-lengths", "4,6,8,10"]
    result = runner.invoke(app, [*args, "--start-step-minutes", "30", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "shifts",
        "total_agent_hours",
        "under_coverage",
        "over_coverage",
        "lp_bound",
        "gap",
    ):
        assert key in data
    assert data["under_coverage"] == 0 and data["over_coverage"] == 0
    assert data["total_agent_hours"] == 96
    assert sum(s["count"] for s in data["shifts"]) == data["total_shifts"]
    assert data["shifts"][0]["start"].startswith("2026-01-05T")
    assert data["gap"] == 0


def test_the_table_output_names_the_totals(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schedule", "--requirements", str(_day(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "total_agent_hours" in result.stdout


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([("2026-01-05T00:00", "1")], "start,required", "line 1: missing column(s) interval_start"),
        ([("2026-01-05T00:00", "1"), ("2026-01-05T00:30", "x")], None, "line 3, column required"),
        ([("2026-01-05T00:00", "1"), ("yesterday", "2")], None, "line 3, column interval_start"),
        ([("2026-01-05T00:00", "1"), ("2026-01-05T00:30", "-2")], None, "must be a finite"),
        (
            [("2026-01-05T00:00", "1"), ("2026-01-05T00:30", "1"), ("2026-01-05T01:30", "1")],
            None,
            "line 4, column interval_start: 2026-01-05T01:30 is 60 min after",
        ),
        ([("2026-01-05T00:30", "1"), ("2026-01-05T00:00", "1")], None, "sort the file"),
        ([], None, "no data rows"),
    ],
)
def test_bad_csv_names_the_file_line_and_column(
    tmp_path: Path, rows: list[tuple[str, str]], header: str | None, message: str
) -> None:
    path = _write(tmp_path / "bad.csv", rows, header or "interval_start,required")
    result = runner.invoke(app, ["schedule", "--requirements", str(path), "--json"])
    assert result.exit_code == 2
    assert "bad.csv" in result.output
    assert message in result.output


def test_bad_options_are_reported_without_a_traceback(tmp_path: Path) -> None:
    path = _day(tmp_path)
    result = runner.invoke(app, ["schedule", "--requirements", str(path), "--shift-lengths", "4,x"])
    assert result.exit_code == 2 and "--shift-lengths" in result.output
    result = runner.invoke(
        app, ["schedule", "--requirements", str(path), "--start-step-minutes", "20"]
    )
    assert result.exit_code == 2 and "multiple of the interval" in result.output
    result = runner.invoke(app, ["schedule", "--requirements", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "cannot open" in result.output
