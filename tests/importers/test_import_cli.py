"""`ccops import ...`: each command imports, prints its summary, and fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ccops.cli.importers import import_app

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()
app = typer.Typer()
app.add_typer(import_app, name="import")


@pytest.mark.parametrize(
    "args",
    [
        ["asterisk-queue-log", str(FIXTURES / "queue_log.known_answers")],
        ["asterisk-cdr", str(FIXTURES / "Master.18col.csv"), "--timezone", "Europe/Madrid"],
        ["amazon-connect", str(FIXTURES / "connect_ctr.jsonl")],
        ["csv", str(EXAMPLES / "bank-calls.csv"), "--mapping",
         str(EXAMPLES / "bank-calls.mapping.toml")],
    ],
)  # fmt: skip
def test_each_import_command_prints_a_summary(args: list[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(app, ["import", *args, "--db", db])
    assert result.exit_code == 0, result.output
    assert "lines read" in result.output and "contacts built or updated" in result.output
    again = runner.invoke(app, ["import", *args, "--db", db])
    assert "events accepted" in again.output and "│ 0" in again.output.split("events accepted")[1]


def test_follow_stops_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ccops.ingest.asterisk as asterisk

    real = asterisk.follow_queue_log
    monkeypatch.setattr(
        asterisk,
        "follow_queue_log",
        lambda *a, **k: real(*a, **k, max_idle_seconds=0.1, poll_seconds=0.05),
    )
    db = f"sqlite:///{tmp_path / 's.db'}"
    path = FIXTURES / "queue_log.asterisk-22"
    result = runner.invoke(app, ["import", "asterisk-queue-log", str(path), "--follow", "--db", db])
    assert result.exit_code == 0, result.output
    assert "lines read" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["asterisk-queue-log", "/no/such/file"], "no such file"),
        (["asterisk-queue-log", str(FIXTURES / "queue_log.asterisk-22"), "--exit-outcome",
          "EXITWITHTIMEOUT=lost"], "--exit-outcome"),
        (["asterisk-cdr", str(FIXTURES / "Master.18col.csv"), "--timezone", "Mars/Base"],
         "--timezone"),
        (["csv", str(EXAMPLES / "bank-calls.csv"), "--mapping", str(FIXTURES / "Master.18col.csv")],
         "--mapping"),
    ],
)  # fmt: skip
def test_bad_arguments_fail_with_a_message(args: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", *args, "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2
    assert message in result.output
