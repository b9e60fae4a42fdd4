"""`ccops publish-schedule`: a CSV of activities becomes the schedule adherence is measured on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests.metrics.handmade import ingest
from typer.testing import CliRunner

from ccops.cli.app import app
from ccops.metrics import run_report
from ccops.store.schedule_models import ScheduledActivity

runner = CliRunner()
STATES = [
    {"id": "s1", "type": "agent.state", "at": "2026-11-02T00:00:00Z", "agent": "a1",
     "state": "available"},
    {"id": "s2", "type": "agent.state", "at": "2026-11-02T02:00:00Z", "agent": "a1",
     "state": "offline"},
]  # fmt: skip


def test_a_published_csv_in_local_time_gives_adherence(store: Engine, tmp_path: Path) -> None:
    ingest(store, STATES)
    plan = tmp_path / "week.csv"
    # Shanghai is UTC+8: 08:00–09:00 local is 00:00–01:00 UTC, then 09:00–10:30 local lunch
    plan.write_text(
        "agent,activity,start,end\n"
        "a1,work,2026-11-02T08:00,2026-11-02T09:00\n"
        "a1,lunch,2026-11-02T09:00,2026-11-02T10:30\n"
    )
    url = store.url.render_as_string(hide_password=False)
    args = ["publish-schedule", str(plan), "--name", "w45", "--tz", "Asia/Shanghai", "--db", url]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 activities of 1 agents" in result.output
    (row,) = run_report(store, "adherence,conformance", "agent").rows
    # work 60 min all available; lunch 90 min of which 60 available (not at lunch): 60 / 150
    assert row["adherence"] == 60 / 150
    assert row["conformance"] == 120 / 60  # worked 2 h within the period, scheduled to work 1 h


def test_a_bad_line_is_named_and_nothing_is_published(store: Engine, tmp_path: Path) -> None:
    ingest(store, STATES)
    plan = tmp_path / "bad.csv"
    plan.write_text(
        "agent,activity,start,end\n"
        "a1,work,2026-11-02T08:00,2026-11-02T09:00\n"
        "a1,work,tomorrow,2026-11-02T10:00\n"
    )
    url = store.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["publish-schedule", str(plan), "--name", "x", "--db", url])
    assert result.exit_code == 2
    assert "bad.csv:3" in result.output and "nothing was published" in result.output
    with Session(store) as session:
        assert session.scalar(select(func.count()).select_from(ScheduledActivity)) == 0


def test_overlaps_and_unknown_agents_are_named_by_their_csv_line(
    store: Engine, tmp_path: Path
) -> None:
    ingest(store, STATES)
    plan = tmp_path / "clash.csv"
    plan.write_text(
        "agent,activity,start,end\n"
        "a1,work,2026-11-02T08:00,2026-11-02T09:00\n"
        "a1,break,2026-11-02T08:30,2026-11-02T08:45\n"
        "nobody,work,2026-11-02T08:00,2026-11-02T09:00\n"
    )
    url = store.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["publish-schedule", str(plan), "--name", "x", "--db", url])
    assert result.exit_code == 2
    out = "".join(result.output.split())  # the terminal may wrap long paths anywhere
    assert "clash.csv:3(a1):overlaps" in out and out.count("clash.csv:2") == 1
    assert "clash.csv:4:unknownagent'nobody'" in out
