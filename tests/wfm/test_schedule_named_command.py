"""`ccops schedule --staff`: named rosters from a staff file, written as a publishable CSV."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from ccops.cli.publish import read_activities
from ccops.cli.schedule import schedule
from ccops.wfm.staff_file import StaffFileError, staff_from_mapping

app = typer.Typer()
app.command("schedule")(schedule)


@app.callback()
def _root() -> None:
    """Keep `schedule` a subcommand."""


runner = CliRunner()
MONDAY = datetime(2026, 11, 30)

STAFF = """
[[template]]
name = "day8"
hours = 8
earliest_start = "06:00"
latest_start = "12:00"
lunch_minutes = 30
lunch_window = ["03:00", "05:00"]
break_minutes = 15
breaks = 2

[contract.full]
hours_per_week = [32, 40]
days_per_week = [4, 5]
min_rest_hours = 12

[[agent]]
id = "ann"
contract = "full"
unavailable = ["2026-12-02"]

[[agent]]
id = "bo"
contract = "full"
preferred_days_off = ["sat", "sun"]

[[agent]]
id = "cy"
contract = "full"
available = ["08:00", "20:00"]
"""


def _requirement(tmp_path: Path, start: datetime = MONDAY, days: int = 7) -> Path:
    hours = (np.arange(days * 48) + 0.5) / 2 % 24
    required = np.round(2 * np.exp(-0.5 * ((hours - 12) / 3) ** 2))
    path = tmp_path / "req.csv"
    rows = [
        f"{(start + timedelta(minutes=30 * i)).isoformat(timespec='minutes')},{int(r)}"
        for i, r in enumerate(required)
    ]
    path.write_text("interval_start,required\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _staff(tmp_path: Path, text: str = STAFF) -> Path:
    path = tmp_path / "staff.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_named_schedule_is_written_as_activities_publish_can_read(tmp_path: Path) -> None:
    out = tmp_path / "week.csv"
    args = ["schedule", "--requirements", str(_requirement(tmp_path)), "--staff",
            str(_staff(tmp_path)), "-o", str(out), "--team", "North", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agents"] == 3 and data["days"] == 7
    assert data["lp_bound"] <= data["objective"] + 1e-9
    activities, extras = read_activities(out, ZoneInfo("UTC"), extra=("team",))
    assert len(activities) == len(data["activities"])
    assert {e["team"] for e in extras} == {"North"}
    assert {a.activity for a in activities} == {"work", "break", "lunch"}
    shifts: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for a in sorted(activities, key=lambda a: (a.agent, a.start)):
        spans = shifts[a.agent]
        if spans and spans[-1][1] == a.start:
            spans[-1] = (spans[-1][0], a.end)  # touching activities are one shift
        else:
            spans.append((a.start, a.end))
    for agent, spans in shifts.items():
        assert 4 <= len(spans) <= 5, agent  # the contract's days
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start - end >= timedelta(hours=12), agent  # the contract's rest
        assert all(s.hour >= 6 and e - s == timedelta(hours=8) for s, e in spans)
    assert all(s.date() != date(2026, 12, 2) for s, _ in shifts["ann"])  # her day of leave
    assert all(s.hour >= 8 and e.hour <= 20 for s, e in shifts["cy"])  # her daily window
    assert all(s.weekday() < 5 for s, _ in shifts["bo"])  # weekends off, as he prefers


def test_the_table_output_says_where_the_schedule_went(tmp_path: Path) -> None:
    out = tmp_path / "week.csv"
    args = ["schedule", "--requirements", str(_requirement(tmp_path)), "--staff",
            str(_staff(tmp_path)), "-o", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "gap" in result.output and "wrote" in result.output
    with out.open() as fh:
        assert next(csv.reader(fh)) == ["agent", "activity", "start", "end"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('contract = "full"\nunavailable', 'contract = "part"\nunavailable'),
         "agent 1 (ann): unknown contract 'part'"),
        (('available = ["08:00", "20:00"]', 'available = ["8am", "20:00"]'),
         "agent 3 (cy): available: expected a time HH:MM, got '8am'"),
        (('["sat", "sun"]', '["someday"]'), "agent 2 (bo): preferred_days_off: 'someday'"),
        (("min_rest_hours = 12", "min_rest = 12"), "contract 'full': unknown key(s) min_rest"),
        (('hours = 8\n', 'hours = "eight"\n'), "template 1 (day8): hours must be a number"),
    ],
)  # fmt: skip
def test_a_bad_staff_file_is_named_with_its_entry_and_nothing_is_written(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert change[0] in STAFF
    out = tmp_path / "week.csv"
    staff = _staff(tmp_path, STAFF.replace(*change))
    args = ["schedule", "--requirements", str(_requirement(tmp_path)), "--staff", str(staff),
            "-o", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert str(staff.name) in result.output
    assert not out.exists()


def test_a_requirement_that_does_not_start_at_midnight_is_refused(tmp_path: Path) -> None:
    req = _requirement(tmp_path, start=MONDAY + timedelta(hours=8), days=1)
    result = runner.invoke(app, ["schedule", "--requirements", str(req), "--staff",
                                 str(_staff(tmp_path))])  # fmt: skip
    assert result.exit_code == 2
    assert "whole days" in result.output and "08:00" in result.output


def test_output_without_staff_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schedule", "--requirements", str(_requirement(tmp_path)),
                                 "-o", str(tmp_path / "x.csv")])  # fmt: skip
    assert result.exit_code == 2 and "--staff" in result.output


def test_dates_and_weekdays_become_days_of_the_horizon() -> None:
    data = {
        "template": [{"name": "t", "hours": 8}],
        "contract": {"c": {}},
        "agent": [{"id": "x", "contract": "c", "unavailable": ["2026-12-01", "2027-01-01"],
                   "preferred_days_off": ["Sunday"], "preferred_start": ["08:00", "09:30"]}],
    }  # fmt: skip
    agents, templates = staff_from_mapping(data, date(2026, 11, 30), 14)
    assert agents[0].unavailable_days == {1}  # a date outside the horizon is ignored
    assert agents[0].preferred_days_off == {6, 13}
    assert agents[0].preferred_start == (480, 570)
    assert templates[0].length_minutes == 480
    with pytest.raises(StaffFileError, match="agent 2: id 'x' appears twice"):
        staff_from_mapping({**data, "agent": data["agent"] * 2}, date(2026, 11, 30), 14)
