"""`ccops publish-schedule`: publish agents' scheduled activities, the reference for adherence."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from ccops.cli.common import DbOption, console, fail

if TYPE_CHECKING:
    from ccops.store.schedule_models import Activity

COLUMNS = ("agent", "activity", "start", "end")


def publish_schedule(
    path: Path = typer.Argument(..., help="CSV with columns agent, activity, start, end."),
    name: str = typer.Option(..., "--name", help="The schedule's name, e.g. 'week 48'."),
    tz: str = typer.Option(
        "UTC", "--tz", help="Zone of times written without an offset (IANA name)."
    ),
    db: str | None = DbOption,
) -> None:
    """Publish a schedule: from now on adherence and conformance are measured against it.

    activity is one of work, break, lunch, training, meeting, off_phone; start and end are ISO
    times (2026-11-30T08:00, or with an offset). A new schedule supersedes older published
    schedules of the same agents over the same period. Nothing is published if any line is bad.
    """
    from ccops.cli.app import _ready_engine
    from ccops.store.schedule_models import ScheduleError
    from ccops.store.schedule_models import publish_schedule as publish

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"--tz {tz!r} is not a time zone name (e.g. Asia/Shanghai)") from None
    activities, _ = read_activities(path, zone)
    try:
        schedule_id = publish(_ready_engine(db), name, activities)
    except ScheduleError as exc:
        raise fail(f"{exc} — nothing was published") from None
    agents = len({a.agent for a in activities})
    console.print(
        f"published schedule {name!r} (id {schedule_id}): {len(activities)} activities "
        f"of {agents} agents"
    )


def read_activities(
    path: Path, zone: ZoneInfo, extra: tuple[str, ...] = (), nothing: str = "nothing was published"
) -> tuple[list[Activity], list[dict[str, str]]]:
    """The activities of a schedule CSV (and each line's `extra` columns), or a clear failure
    naming the file and line."""
    from ccops.store.schedule_models import Activity

    if not path.is_file():
        raise fail(f"{path}: no such file")
    activities: list[Activity] = []
    extras: list[dict[str, str]] = []
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        need = COLUMNS + extra
        missing = [c for c in need if c not in (reader.fieldnames or [])]
        if missing:
            raise fail(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(need)})")
        for line, row in enumerate(reader, start=2):
            try:
                start, end = (_time(row[c], zone) for c in ("start", "end"))
            except ValueError as exc:
                problems.append(f"{path}:{line}: {exc}")
                continue
            activities.append(
                Activity(
                    row["agent"].strip(), row["activity"].strip(), start, end, f"{path}:{line}"
                )
            )
            extras.append({c: (row[c] or "").strip() for c in extra})
    if problems:
        raise fail("; ".join(problems[:10]) + f" — {nothing}")
    return activities, extras


def _time(text: str, zone: ZoneInfo) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO time such as 2026-11-30T08:00") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)
