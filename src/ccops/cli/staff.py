"""`ccops staff`: Erlang C / Erlang A staffing for one interval or a CSV of intervals."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ccops.queueing import staffing

REQUIRED_COLUMNS = ("interval_start", "queue", "calls", "aht_seconds")
OPTIONAL_COLUMNS = (
    "interval_minutes",
    "answer_within_seconds",
    "service_level",
    "target_asa_seconds",
    "max_abandon",
    "max_occupancy",
    "patience_seconds",
    "short_abandon_seconds",
    "shrinkage",
    "agents",
)
RESULT_COLUMNS = (
    "agents",
    "scheduled_agents",
    "service_level",
    "asa_seconds",
    "wait_probability",
    "occupancy",
)


class _BadInput(Exception):
    """A user error to report with exit code 2."""


def _check(name: str, value: float | None, kind: str) -> float | None:
    """Range-check one value; ``kind`` is one of ge0, gt0, frac, frac_open, shrink, count."""
    if value is None:
        return None
    if not math.isfinite(value):
        raise _BadInput(f"{name} must be a finite number, got {value}")
    rules = {
        "ge0": (value >= 0, "must be >= 0"),
        "gt0": (value > 0, "must be > 0"),
        "frac": (0 <= value <= 1, "must be between 0 and 1"),
        "frac_open": (0 < value <= 1, "must be in (0, 1]"),
        "shrink": (0 <= value < 1, "must be in [0, 1)"),
        "count": (value >= 0 and value == int(value), "must be a whole number >= 0"),
    }
    ok, message = rules[kind]
    if not ok:
        raise _BadInput(f"{name} {message}, got {value:g}")
    return value


_KINDS = {
    "calls": "ge0",
    "aht_seconds": "gt0",
    "interval_minutes": "gt0",
    "answer_within_seconds": "ge0",
    "service_level": "frac",
    "target_asa_seconds": "gt0",
    "max_abandon": "frac",
    "max_occupancy": "frac_open",
    "patience_seconds": "gt0",
    "short_abandon_seconds": "ge0",
    "shrinkage": "shrink",
    "agents": "count",
}

_OPTION_NAMES = {
    "calls": "--calls",
    "aht_seconds": "--aht",
    "interval_minutes": "--interval-minutes",
    "answer_within_seconds": "--answer-within",
    "service_level": "--service-level",
    "target_asa_seconds": "--target-asa",
    "max_abandon": "--max-abandon",
    "max_occupancy": "--max-occupancy",
    "patience_seconds": "--patience",
    "short_abandon_seconds": "--short-abandon",
    "shrinkage": "--shrinkage",
    "agents": "--agents",
}


def _solve(rows: list[dict[str, float | None]]) -> list[dict[str, Any]]:
    """Run the vectorised staffing on parsed rows; raises ValueError naming row indices."""

    def col(name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=np.float64)

    targets = ("service_level", "target_asa_seconds", "max_abandon", "max_occupancy")
    for i, r in enumerate(rows):
        if r["agents"] is None and (r["calls"] or 0) > 0 and all(r[t] is None for t in targets):
            raise ValueError(
                f"interval {i}: give a target (--service-level, --target-asa, --max-abandon "
                "or --max-occupancy) or --agents"
            )
        if r["max_abandon"] is not None and r["patience_seconds"] is None:
            raise ValueError(f"interval {i}: --max-abandon needs --patience (Erlang A)")
    load = col("calls") * col("aht_seconds") / (col("interval_minutes") * 60.0)
    patience = col("patience_seconds")
    result = staffing(
        load,
        col("aht_seconds"),
        col("answer_within_seconds"),
        service_level=col("service_level"),
        asa=col("target_asa_seconds"),
        max_abandon=col("max_abandon"),
        max_occupancy=col("max_occupancy"),
        patience=None if np.all(np.isnan(patience)) else patience,
        short_abandon=col("short_abandon_seconds"),
        shrinkage=col("shrinkage"),
        agents=col("agents"),
    )
    out: list[dict[str, Any]] = []
    for i in range(len(rows)):
        item: dict[str, Any] = {
            "agents": int(result.agents[i]),
            "scheduled_agents": int(result.scheduled_agents[i]),
            "service_level": _num(result.service_level[i]),
            "asa_seconds": _num(result.asa[i]),
            "wait_probability": _num(result.wait_probability[i]),
            "occupancy": _num(result.occupancy[i]),
        }
        if rows[i]["patience_seconds"] is not None and result.abandon_probability is not None:
            item["abandon_probability"] = _num(result.abandon_probability[i])
        out.append(item)
    return out


def _num(value: float) -> float | None:
    """A float for JSON, None for inf/NaN (e.g. the ASA of an unstable queue)."""
    v = float(value)
    return v if math.isfinite(v) else None


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _read_csv(
    path: Path, defaults: dict[str, float | None]
) -> tuple[list[dict[str, str]], list[dict[str, float | None]], list[int]]:
    """Rows as read, the parsed numeric rows, and each row's line number in the file."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise _BadInput(f"{path}: cannot open ({exc.strerror})") from exc
    raw_rows: list[dict[str, str]] = []
    parsed: list[dict[str, float | None]] = []
    lines: list[int] = []
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise _BadInput(f"{path} line 1: missing column(s) {', '.join(missing)}")
        for record in reader:
            line = reader.line_num
            row: dict[str, float | None] = dict(defaults)
            for name in ("calls", "aht_seconds", *OPTIONAL_COLUMNS):
                text = (record.get(name) or "").strip()
                if not text:
                    if name in ("calls", "aht_seconds"):
                        raise _BadInput(f"{path} line {line}: {name} is empty")
                    continue
                try:
                    row[name] = _check(name, _parse_float(text), _KINDS[name])
                except ValueError as exc:
                    raise _BadInput(
                        f"{path} line {line}: {name} must be a number, got {text!r}"
                    ) from exc
                except _BadInput as exc:
                    raise _BadInput(f"{path} line {line}: {exc}") from exc
            raw_rows.append({k: (v or "") for k, v in record.items() if k is not None})
            parsed.append(row)
            lines.append(line)
    if not parsed:
        raise _BadInput(f"{path}: no data rows")
    return raw_rows, parsed, lines


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[red]error:[/red] {message}", markup=True
    )
    return typer.Exit(code=2)


def _fmt(value: Any, name: str) -> str:
    if value is None:
        return "inf" if name == "asa_seconds" else ""
    if isinstance(value, float):
        return f"{value:.6g}" if name != "asa_seconds" else f"{value:.3f}"
    return str(value)


def staff(
    calls: float | None = typer.Option(None, "--calls", help="Contacts offered in the interval."),
    interval_minutes: float = typer.Option(30.0, "--interval-minutes", help="Interval length."),
    aht: float | None = typer.Option(None, "--aht", help="Average handle time, seconds."),
    answer_within: float = typer.Option(
        20.0, "--answer-within", help="Service-level threshold T, seconds."
    ),
    service_level: float | None = typer.Option(
        None, "--service-level", help="Target share answered within T (0-1)."
    ),
    target_asa: float | None = typer.Option(
        None, "--target-asa", help="Target average speed of answer, seconds (at most)."
    ),
    max_abandon: float | None = typer.Option(
        None, "--max-abandon", help="Target abandonment (0-1, at most); needs --patience."
    ),
    max_occupancy: float | None = typer.Option(
        None, "--max-occupancy", help="Maximum agent occupancy (0-1)."
    ),
    agents: int | None = typer.Option(
        None, "--agents", help="Evaluate this many agents instead of finding the staffing."
    ),
    patience: float | None = typer.Option(
        None, "--patience", help="Mean caller patience, seconds: Erlang A instead of Erlang C."
    ),
    short_abandon: float = typer.Option(
        0.0, "--short-abandon", help="Abandons within this many seconds are excluded (Erlang A)."
    ),
    shrinkage: float = typer.Option(0.0, "--shrinkage", help="Share of paid time not on queue."),
    input_file: Path | None = typer.Option(
        None, "--input", help="CSV: interval_start, queue, calls, aht_seconds [, targets...]."
    ),
    output_file: Path | None = typer.Option(None, "--output", help="Write results as CSV."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Staffing from Erlang C (or Erlang A with --patience): find agents, or evaluate --agents."""
    options: dict[str, float | None] = {
        "calls": calls,
        "aht_seconds": aht,
        "interval_minutes": interval_minutes,
        "answer_within_seconds": answer_within,
        "service_level": service_level,
        "target_asa_seconds": target_asa,
        "max_abandon": max_abandon,
        "max_occupancy": max_occupancy,
        "patience_seconds": patience,
        "short_abandon_seconds": short_abandon,
        "shrinkage": shrinkage,
        "agents": None if agents is None else float(agents),
    }
    try:
        for name, value in options.items():
            try:
                _check(name, value, _KINDS[name])
            except _BadInput as exc:
                raise _BadInput(f"{_OPTION_NAMES[name]}: {exc}") from exc
        if input_file is not None:
            _run_csv(input_file, output_file, options, as_json)
            return
        if output_file is not None:
            raise _BadInput("--output needs --input")
        if calls is None or aht is None:
            raise _BadInput("give --calls and --aht (or --input FILE.csv)")
        try:
            result = _solve([options])[0]
        except ValueError as exc:
            raise _BadInput(re.sub(r"^interval 0: ", "", str(exc))) from exc
    except _BadInput as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result))
        return
    table = Table(title="Erlang A staffing" if patience is not None else "Erlang C staffing")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, _fmt(value, key))
    Console().print(table)


def _run_csv(
    path: Path, output: Path | None, defaults: dict[str, float | None], as_json: bool
) -> None:
    base = {k: v for k, v in defaults.items() if k not in ("calls", "aht_seconds")}
    raw, parsed, lines = _read_csv(path, base)
    try:
        results = _solve(parsed)
    except ValueError as exc:
        match = re.search(r"interval(?:\(s\))? (\d+)", str(exc))
        if match:
            line = lines[int(match.group(1))]
            message = re.sub(r"(?:\s*for)?\s*interval(?:\(s\))? [\d, ]*\d:?", "", str(exc)).strip()
            raise _BadInput(f"{path} line {line}: {message}") from exc
        raise _BadInput(f"{path}: {exc}") from exc
    with_abandon = any("abandon_probability" in r for r in results)
    columns = [*RESULT_COLUMNS, *(("abandon_probability",) if with_abandon else ())]
    merged = [
        {
            "interval_start": raw_row.get("interval_start", ""),
            "queue": raw_row.get("queue", ""),
            "calls": raw_row.get("calls", ""),
            "aht_seconds": raw_row.get("aht_seconds", ""),
            **{c: result.get(c) for c in columns},
        }
        for raw_row, result in zip(raw, results, strict=True)
    ]
    if output is not None:
        try:
            with output.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(merged[0]))
                writer.writeheader()
                for row in merged:
                    writer.writerow(
                        {
                            k: ("inf" if v is None and k == "asa_seconds" else v)
                            for k, v in row.items()
                        }
                    )
        except OSError as exc:
            raise _BadInput(f"{output}: cannot write ({exc.strerror})") from exc
        Console(stderr=True).print(f"wrote {len(merged)} intervals to {output}")
        return
    if as_json:
        typer.echo(json.dumps(merged))
        return
    table = Table(title=f"staffing for {path.name}")
    for name in merged[0]:
        table.add_column(name, justify="left" if name in ("interval_start", "queue") else "right")
    for row in merged:
        table.add_row(*(_fmt(v, k) for k, v in row.items()))
    Console().print(table)
