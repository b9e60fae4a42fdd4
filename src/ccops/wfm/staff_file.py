"""Who can be scheduled, from a TOML staff file: shift templates, contracts and named agents.

    [[template]]
    name = "full"
    hours = 8.5
    earliest_start = "00:00"          # first and last start, clock times
    latest_start = "23:45"
    start_step_minutes = 15
    lunch_minutes = 30
    lunch_window = ["03:00", "05:00"]  # after the shift's start
    break_minutes = 15
    breaks = 2

    [contract.full_time]
    hours_per_week = [40, 42.5]        # minimum, maximum
    days_per_week = [5, 5]
    max_consecutive_days = 6
    min_rest_hours = 11

    [[agent]]
    id = "ft001"
    contract = "full_time"
    templates = ["full"]               # default: every template
    unavailable = ["2026-11-05"]       # dates of leave
    available = ["07:00", "22:00"]     # daily window (the end may be "30:00", 06:00 next day)
    preferred_days_off = ["sat", "sun"]
    preferred_start = ["08:00", "11:00"]

Dates and weekdays become days of the schedule's horizon, which starts on ``first_day``.
Every error names the file and the entry, and says what was expected.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ccops.wfm.schedule import DAY_MINUTES, Agent, Contract, ShiftTemplate

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class StaffFileError(ValueError):
    """A staff file that cannot be used; the message names the file and entry."""


def load_staff(path: Path, first_day: date, days: int) -> tuple[list[Agent], list[ShiftTemplate]]:
    """Read a staff TOML file for a horizon of `days` days from `first_day`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StaffFileError(f"{path}: cannot open ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise StaffFileError(f"{path}: not valid TOML ({exc})") from None
    return staff_from_mapping(data, first_day, days, str(path))


def staff_from_mapping(
    data: Mapping[str, Any], first_day: date, days: int, source: str = "staff"
) -> tuple[list[Agent], list[ShiftTemplate]]:
    """Agents and templates from the staff file's structure (TOML, or the API's JSON)."""
    unknown = sorted(set(data) - {"template", "contract", "agent"})
    if unknown:
        raise StaffFileError(
            f"{source}: unknown section(s) {', '.join(unknown)}; expected template, contract, agent"
        )
    templates = [
        _template(t, f"{source}: template {i + 1}")
        for i, t in enumerate(_list(data, "template", source))
    ]
    if not templates:
        raise StaffFileError(f"{source}: no [[template]]; at least one shift template is needed")
    names = [t.name for t in templates]
    if len(set(names)) < len(names):
        raise StaffFileError(f"{source}: template names must be unique ({', '.join(names)})")
    raw_contracts = data.get("contract", {})
    if not isinstance(raw_contracts, Mapping):
        raise StaffFileError(f"{source}: [contract.NAME] tables expected")
    contracts = {
        str(name): _contract(c, f"{source}: contract {name!r}") for name, c in raw_contracts.items()
    }
    agents: list[Agent] = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(data, "agent", source)):
        where = f"{source}: agent {i + 1}"
        agent = _agent(raw, where, contracts, set(names), first_day, days)
        if agent.id in seen:
            raise StaffFileError(f"{where}: id {agent.id!r} appears twice")
        seen.add(agent.id)
        agents.append(agent)
    if not agents:
        raise StaffFileError(f"{source}: no [[agent]]; at least one agent is needed")
    return agents, templates


def _list(data: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise StaffFileError(f"{source}: {key} must be an array of tables ([[{key}]])")
    return value


def _check_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise StaffFileError(
            f"{where}: unknown key(s) {', '.join(extra)}; expected {', '.join(sorted(allowed))}"
        )


def clock(text: object, where: str, upto_hours: int = 24) -> int:
    """Minutes after midnight from "HH:MM" (up to `upto_hours`:00)."""
    if not isinstance(text, str) or ":" not in text:
        raise StaffFileError(f"{where}: expected a time HH:MM, got {text!r}")
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise StaffFileError(f"{where}: expected a time HH:MM, got {text!r}")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > upto_hours * 60:
        raise StaffFileError(f"{where}: {text!r} is not a time up to {upto_hours:02d}:00")
    return value


def _number(raw: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StaffFileError(f"{where}: {key} must be a number, got {value!r}")
    if value < 0:
        raise StaffFileError(f"{where}: {key} must be >= 0, got {value!r}")
    return float(value)


def _pair(
    raw: Mapping[str, Any], key: str, where: str, default: tuple[float, float]
) -> tuple[float, float]:
    value = raw.get(key, list(default))
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise StaffFileError(f"{where}: {key} must be [minimum, maximum], got {value!r}")
    low, high = float(value[0]), float(value[1])
    if low < 0 or high < low:
        raise StaffFileError(f"{where}: {key} needs 0 <= minimum <= maximum, got {value!r}")
    return low, high


def _template(raw: Mapping[str, Any], where: str) -> ShiftTemplate:
    allowed = {"name", "hours", "earliest_start", "latest_start", "start_step_minutes",
               "lunch_minutes", "lunch_window", "break_minutes", "breaks"}  # fmt: skip
    _check_keys(raw, allowed, where)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise StaffFileError(f"{where}: name is required")
    where = f"{where} ({name})"
    hours = _number(raw, "hours", where)
    if hours <= 0 or hours * 60 != int(hours * 60):
        raise StaffFileError(f"{where}: hours must be > 0 and whole minutes, got {hours:g}")
    earliest = clock(raw.get("earliest_start", "00:00"), f"{where}: earliest_start")
    latest = clock(raw.get("latest_start", "23:59"), f"{where}: latest_start")
    if latest < earliest:
        raise StaffFileError(f"{where}: latest_start is before earliest_start")
    window = raw.get("lunch_window", ["02:00", "05:00"])
    if not isinstance(window, list) or len(window) != 2:
        raise StaffFileError(f'{where}: lunch_window must be ["HH:MM", "HH:MM"] after the start')
    lunch_window = (clock(window[0], f"{where}: lunch_window"),
                    clock(window[1], f"{where}: lunch_window"))  # fmt: skip
    step = int(_number(raw, "start_step_minutes", where, 30))
    if step <= 0:
        raise StaffFileError(f"{where}: start_step_minutes must be > 0")
    return ShiftTemplate(
        name=name,
        length_minutes=int(hours * 60),
        earliest_start=earliest,
        latest_start=latest,
        start_step=step,
        lunch_minutes=int(_number(raw, "lunch_minutes", where, 0)),
        lunch_window=lunch_window,
        break_minutes=int(_number(raw, "break_minutes", where, 0)),
        breaks=int(_number(raw, "breaks", where, 0)),
    )


def _contract(raw: object, where: str) -> Contract:
    if not isinstance(raw, Mapping):
        raise StaffFileError(f"{where}: a table of rules expected")
    allowed = {"hours_per_week", "days_per_week", "max_consecutive_days", "min_rest_hours"}
    _check_keys(raw, allowed, where)
    hours = _pair(raw, "hours_per_week", where, (0.0, 40.0))
    days = _pair(raw, "days_per_week", where, (0.0, 5.0))
    if days[1] > 7 or any(d != int(d) for d in days):
        raise StaffFileError(f"{where}: days_per_week must be whole days up to 7")
    consecutive = _number(raw, "max_consecutive_days", where, 6)
    if consecutive < 1 or consecutive != int(consecutive):
        raise StaffFileError(f"{where}: max_consecutive_days must be a whole number >= 1")
    return Contract(
        min_hours_per_week=hours[0],
        max_hours_per_week=hours[1],
        min_days_per_week=int(days[0]),
        max_days_per_week=int(days[1]),
        max_consecutive_days=int(consecutive),
        min_rest_hours=_number(raw, "min_rest_hours", where, 11.0),
    )


def _agent(
    raw: Mapping[str, Any],
    where: str,
    contracts: Mapping[str, Contract],
    templates: set[str],
    first_day: date,
    days: int,
) -> Agent:
    allowed = {"id", "contract", "templates", "unavailable", "available",
               "preferred_days_off", "preferred_start"}  # fmt: skip
    _check_keys(raw, allowed, where)
    key = raw.get("id")
    if not isinstance(key, str) or not key.strip():
        raise StaffFileError(f"{where}: id is required (the agent's key in the store)")
    where = f"{where} ({key})"
    contract_name = raw.get("contract")
    if contract_name not in contracts:
        known = ", ".join(sorted(contracts)) or "none defined"
        raise StaffFileError(f"{where}: unknown contract {contract_name!r} (known: {known})")
    allowed_templates: tuple[str, ...] | None = None
    if "templates" in raw:
        names = raw["templates"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise StaffFileError(f"{where}: templates must be a list of template names")
        missing = [n for n in names if n not in templates]
        if missing:
            raise StaffFileError(f"{where}: unknown template(s) {', '.join(missing)}")
        allowed_templates = tuple(names)
    unavailable: set[int] = set()
    for text in raw.get("unavailable", []):
        try:
            day = date.fromisoformat(str(text))
        except ValueError:
            raise StaffFileError(
                f"{where}: unavailable: {text!r} is not a date (YYYY-MM-DD)"
            ) from None
        index = (day - first_day).days
        if 0 <= index < days:
            unavailable.add(index)
    off: set[int] = set()
    for name in raw.get("preferred_days_off", []):
        if str(name).lower()[:3] not in WEEKDAYS:
            raise StaffFileError(
                f"{where}: preferred_days_off: {name!r} is not a weekday (mon … sun)"
            )
        weekday = WEEKDAYS.index(str(name).lower()[:3])
        off |= {d for d in range(days) if (first_day + timedelta(days=d)).weekday() == weekday}
    earliest, latest_end = 0, 2 * DAY_MINUTES
    if "available" in raw:
        window = raw["available"]
        if not isinstance(window, list) or len(window) != 2:
            raise StaffFileError(f'{where}: available must be ["HH:MM", "HH:MM"]')
        earliest = clock(window[0], f"{where}: available")
        latest_end = clock(window[1], f"{where}: available", upto_hours=48)
        if latest_end <= earliest:
            raise StaffFileError(f"{where}: available ends before it starts")
    preferred: tuple[int, int] | None = None
    if "preferred_start" in raw:
        window = raw["preferred_start"]
        if not isinstance(window, list) or len(window) != 2:
            raise StaffFileError(f'{where}: preferred_start must be ["HH:MM", "HH:MM"]')
        preferred = (clock(window[0], f"{where}: preferred_start"),
                     clock(window[1], f"{where}: preferred_start"))  # fmt: skip
    return Agent(
        id=key,
        contract=contracts[str(contract_name)],
        templates=allowed_templates,
        unavailable_days=frozenset(unavailable),
        earliest_start=earliest,
        latest_end=latest_end,
        preferred_days_off=frozenset(off),
        preferred_start=preferred,
    )
