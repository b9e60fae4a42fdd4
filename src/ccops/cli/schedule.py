"""`ccops schedule`: shift covering against a per-interval requirement (the quick mode), or
named agents' rosters from a staff file (`--staff`)."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ccops.wfm.cover import cover

COLUMNS = ("interval_start", "required")


class _BadInput(Exception):
    """A user error to report with exit code 2."""


@dataclass(frozen=True)
class Requirement:
    """A requirement read from CSV: interval starts, agents required, interval length."""

    starts: list[datetime]
    required: np.ndarray[Any, np.dtype[np.float64]]
    interval_minutes: int


def _parse_start(text: str) -> datetime:
    """An ISO date-time (``2026-01-05T08:30``, ``2026-01-05 08:30:00``) or a time ``08:30``."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        clock = datetime.strptime(text, "%H:%M")
    except ValueError:
        raise ValueError(text) from None
    return datetime(2000, 1, 3, clock.hour, clock.minute)  # a Monday, so weekdays stay honest


def read_requirements(path: Path, interval_minutes: int | None = None) -> Requirement:
    """Read ``interval_start,required`` rows; errors name the file, line and column."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise _BadInput(f"{path}: cannot open ({exc.strerror})") from exc
    starts: list[datetime] = []
    values: list[float] = []
    lines: list[int] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            found = ", ".join(header) if header else "nothing"
            raise _BadInput(
                f"{path} line 1: missing column(s) {', '.join(missing)} (found {found}); "
                "expected a header interval_start,required"
            )
        for record in reader:
            line = reader.line_num
            start_text = (record.get("interval_start") or "").strip()
            value_text = (record.get("required") or "").strip()
            try:
                start = _parse_start(start_text)
            except ValueError:
                raise _BadInput(
                    f"{path} line {line}, column interval_start: expected a date-time such as "
                    f"2026-01-05T08:30, got {start_text!r}"
                ) from None
            try:
                value = float(value_text)
            except ValueError:
                raise _BadInput(
                    f"{path} line {line}, column required: expected a number, got {value_text!r}"
                ) from None
            if not math.isfinite(value) or value < 0:
                raise _BadInput(
                    f"{path} line {line}, column required: must be a finite number >= 0, "
                    f"got {value_text!r}"
                )
            if starts:
                step = (start - starts[-1]) / timedelta(minutes=1)
                if step <= 0:
                    raise _BadInput(
                        f"{path} line {line}, column interval_start: {start_text} is not after "
                        f"the previous row's start (line {lines[-1]}); sort the file by time"
                    )
                expected = interval_minutes or (
                    (starts[1] - starts[0]) / timedelta(minutes=1) if len(starts) > 1 else step
                )
                if step != expected:
                    raise _BadInput(
                        f"{path} line {line}, column interval_start: {start_text} is {step:g} min "
                        f"after the previous row, expected {expected:g} (intervals must be "
                        "contiguous and of one length)"
                    )
            starts.append(start)
            values.append(value)
            lines.append(line)
    if not starts:
        raise _BadInput(f"{path}: no data rows")
    if interval_minutes is None:
        if len(starts) < 2:
            raise _BadInput(f"{path}: one row only; give --interval-minutes")
        minutes = (starts[1] - starts[0]) / timedelta(minutes=1)
        if minutes != int(minutes):
            raise _BadInput(f"{path}: intervals of {minutes:g} min; use whole minutes")
        interval_minutes = int(minutes)
    return Requirement(starts, np.asarray(values, dtype=np.float64), interval_minutes)


def _shift_lengths(text: str) -> list[float]:
    out: list[float] = []
    for part in text.split(","):
        part = part.strip()
        try:
            value = float(part)
        except ValueError:
            raise _BadInput(
                f"--shift-lengths: expected hours separated by commas (4,6,8,10), got {part!r}"
            ) from None
        if not math.isfinite(value) or value <= 0:
            raise _BadInput(f"--shift-lengths: every length must be > 0 hours, got {part!r}")
        out.append(value)
    return out


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[red]error:[/red] {message}", markup=True
    )
    return typer.Exit(code=2)


def _hours(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def schedule(
    requirements: Path = typer.Option(
        ..., "--requirements", help="CSV with columns interval_start,required (agents)."
    ),
    shift_lengths: str = typer.Option(
        "4,6,8,10", "--shift-lengths", help="Shift lengths in hours, comma-separated."
    ),
    start_step_minutes: int = typer.Option(
        30, "--start-step-minutes", help="Shifts may start every this many minutes."
    ),
    interval_minutes: int | None = typer.Option(
        None, "--interval-minutes", help="Interval length (default: from the file's rows)."
    ),
    wrap: bool = typer.Option(
        True,
        "--wrap/--no-wrap",
        help="The horizon repeats (a week): shifts may run past its end into its start.",
    ),
    minimize: str = typer.Option(
        "difference",
        "--minimize",
        help="difference: least |coverage − required|, then fewest shifts; "
        "shifts: fewest shifts with no under-coverage.",
    ),
    under_weight: float = typer.Option(1.0, "--under-weight", help="Weight of under-coverage."),
    over_weight: float = typer.Option(1.0, "--over-weight", help="Weight of over-coverage."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Solver time limit, seconds."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    staff: Path | None = typer.Option(
        None,
        "--staff",
        help="Named mode: a TOML staff file (templates, contracts, agents); rosters who works "
        "when, with breaks, instead of counting shifts.",
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Named mode: write the activities CSV (agent, activity, start, end) that "
        "`ccops publish-schedule` and `ccops simulate schedule` read.",
    ),
    preference_weight: float = typer.Option(
        0.5, "--preference-weight", help="Named mode: cost of a shift against a preference."
    ),
    team: str | None = typer.Option(
        None,
        "--team",
        help="Named mode: add a team column with this scenario team, for "
        "`ccops simulate schedule`.",
    ),
) -> None:
    """Quick mode: how many shifts of each length to start when, against a requirement CSV.

    With --staff: named agents' rosters (contracts, days off, rest, breaks) against it.
    """
    if staff is not None:
        _named(requirements, staff, output, interval_minutes, under_weight, over_weight,
               preference_weight, time_limit, as_json, team)  # fmt: skip
        return
    if output is not None:
        raise _fail("--output writes a named schedule; give --staff too")
    try:
        lengths = _shift_lengths(shift_lengths)
        if start_step_minutes <= 0:
            raise _BadInput("--start-step-minutes must be > 0")
        if interval_minutes is not None and interval_minutes <= 0:
            raise _BadInput("--interval-minutes must be > 0")
        if minimize not in ("difference", "shifts"):
            raise _BadInput(f"--minimize must be 'difference' or 'shifts', got {minimize!r}")
        for name, w in (("--under-weight", under_weight), ("--over-weight", over_weight)):
            if not math.isfinite(w) or w < 0:
                raise _BadInput(f"{name} must be a finite number >= 0")
        if not time_limit > 0:
            raise _BadInput("--time-limit must be > 0")
        req = read_requirements(requirements, interval_minutes)
        try:
            res = cover(
                req.required,
                req.interval_minutes,
                lengths,
                start_step_minutes,
                wrap=wrap,
                under_weight=under_weight,
                over_weight=over_weight,
                minimize="shifts" if minimize == "shifts" else "difference",
                time_limit=time_limit,
            )
        except ValueError as exc:
            raise _BadInput(str(exc)) from exc
        except RuntimeError as exc:
            raise _BadInput(f"{exc}; raise --time-limit") from exc
    except _BadInput as exc:
        raise _fail(str(exc)) from None
    data = res.as_json(req.starts[0])
    if as_json:
        typer.echo(json.dumps(data))
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    console = Console()
    by_length: dict[Any, int] = {}
    for s in data["shifts"]:
        by_length[s["length_hours"]] = by_length.get(s["length_hours"], 0) + s["count"]
    summary = Table(title="Shift covering")
    summary.add_column("measure")
    summary.add_column("value", justify="right")
    for key in (
        "intervals",
        "interval_minutes",
        "candidate_shifts",
        "total_shifts",
        "total_agent_hours",
        "under_coverage",
        "over_coverage",
        "lp_bound",
        "gap",
        "status",
        "solve_seconds",
    ):
        value = data[key]
        summary.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    for length, count in sorted(by_length.items()):
        summary.add_row(f"shifts of {length} h", str(count))
    console.print(summary)
    starts = Table(title="Shifts by start and length")
    starts.add_column("start")
    starts.add_column("hours", justify="right")
    starts.add_column("count", justify="right")
    for s in data["shifts"]:
        starts.add_row(s["start"], str(s["length_hours"]), str(s["count"]))
    console.print(starts)


def _named(
    requirements: Path,
    staff: Path,
    output: Path | None,
    interval_minutes: int | None,
    under_weight: float,
    over_weight: float,
    preference_weight: float,
    time_limit: float,
    as_json: bool,
    team: str | None = None,
) -> None:
    """Named mode: rosters for the staff file's agents against the requirement."""
    from ccops.wfm.roster import schedule_named
    from ccops.wfm.schedule import schedule_activities
    from ccops.wfm.staff_file import StaffFileError, load_staff

    try:
        for name, w in (
            ("--under-weight", under_weight),
            ("--over-weight", over_weight),
            ("--preference-weight", preference_weight),
        ):
            if not math.isfinite(w) or w < 0:
                raise _BadInput(f"{name} must be a finite number >= 0")
        if not time_limit > 0:
            raise _BadInput("--time-limit must be > 0")
        req = read_requirements(requirements, interval_minutes)
        first = req.starts[0]
        total = req.required.size * req.interval_minutes
        if first.time() != datetime.min.time() or total % 1440:
            raise _BadInput(
                f"{requirements}: a named schedule covers whole days — the file must start at "
                f"00:00 and cover a whole number of days (it starts {first:%H:%M} and covers "
                f"{total / 1440:g} days)"
            )
        days = total // 1440
        try:
            agents, templates = load_staff(staff, first.date(), days)
        except StaffFileError as exc:
            raise _BadInput(str(exc)) from None
        console = Console(stderr=True)
        with console.status(f"Rostering {len(agents)} agents over {days} days…"):
            try:
                result = schedule_named(
                    req.required,
                    req.interval_minutes,
                    agents,
                    templates,
                    under_weight=under_weight,
                    over_weight=over_weight,
                    preference_weight=preference_weight,
                    time_limit=time_limit,
                )
            except ValueError as exc:
                raise _BadInput(f"{staff}: {exc}") from exc
            except RuntimeError as exc:
                raise _BadInput(f"{exc}; check the contracts against the staff") from exc
    except _BadInput as exc:
        raise _fail(str(exc)) from None
    activities = [
        {
            "agent": agent,
            "activity": kind,
            "start": (first + timedelta(minutes=start)).isoformat(timespec="minutes"),
            "end": (first + timedelta(minutes=end)).isoformat(timespec="minutes"),
            **({"team": team} if team else {}),
        }
        for agent, kind, start, end in schedule_activities(result.assignments, templates)
    ]
    if output is not None:
        with output.open("w", newline="", encoding="utf-8") as fh:
            columns = ["agent", "activity", "start", "end"] + (["team"] if team else [])
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(activities)
    paid = sum(a.end - a.start for a in result.assignments) / 60.0
    summary: dict[str, Any] = {
        "agents": len(agents),
        "agents_scheduled": len({a.agent for a in result.assignments}),
        "days": days,
        "interval_minutes": req.interval_minutes,
        "shifts": len(result.assignments),
        "paid_hours": _hours(paid),
        "under_coverage": _hours(result.under),
        "over_coverage": _hours(result.over),
        "preference_violations": result.preference_violations,
        "objective": result.objective,
        "lp_bound": result.lp_bound,
        "gap": result.gap,
        "status": result.status,
        "solve_seconds": round(result.seconds, 3),
        "coverage": [int(c) for c in result.coverage],
    }
    if as_json:
        typer.echo(json.dumps({**summary, "activities": activities}))
        return
    table = Table(title=f"Named schedule ({staff.name})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key != "coverage":
            table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    Console().print(table)
    if output is not None:
        Console().print(
            f"wrote {len(activities)} activities to {output}; try it on the twin with "
            f"`ccops simulate schedule CENTER.toml {output}` (written with --team) and publish "
            f"it with `ccops publish-schedule {output} --name NAME --tz ZONE`"
        )
