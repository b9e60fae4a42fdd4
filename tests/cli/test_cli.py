"""The `ccops` command line: help everywhere, clear errors, ingest summary."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from tests.factories import contact_events
from typer.testing import CliRunner

from ccops.cli import app

runner = CliRunner()


def _commands(group, prefix=()):  # type: ignore[no-untyped-def]
    import typer.main

    click_group = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, cmd in click_group.commands.items():
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("command", list(_commands(app)))
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_ingest_prints_a_summary_and_lists_rejects(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    path = tmp_path / "e.jsonl"
    lines = [orjson.dumps(e) for e in contact_events(30)] + [b"{oops"]
    path.write_bytes(b"\n".join(lines))
    result = runner.invoke(app, ["ingest", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    assert "events accepted" in result.output and "rejected" in result.output
    listed = runner.invoke(app, ["rejects", "list", "--db", db, "--json"])
    row = orjson.loads(listed.output.splitlines()[0])
    assert row["position"] == len(lines) and row["raw"] == "{oops"


def test_ingest_of_a_missing_file_says_so(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "nope.jsonl"), "--db", f"sqlite:///{tmp_path / 's.db'}"]
    )
    assert result.exit_code == 2
    assert "no such file" in result.output
