"""`ccops forecast`: contact volume and AHT per interval per queue, from the store's history.

The history is read through the metric catalog (`offered`, `handled`, `aht_seconds` by interval,
queue and channel), so the forecast counts contacts exactly as every report does; the forecast and
its backtest scores are stored as a new version per queue.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.cli.common import DbOption, console, err_console, fail

if TYPE_CHECKING:  # the forecasting core (pandas, statsforecast) loads only when a forecast runs
    from ccops.wfm.forecast import History, QueueForecast, SpecialDay

HISTORY_METRICS = ("offered", "handled", "aht_seconds")
CANDIDATES = "SeasonalNaive,MSTL,AutoETS,AutoARIMA"  # ccops.wfm.forecast.MODELS


class BadSpecialDays(ValueError):
    """A special-days file that cannot be read; the message names the file and line."""


def read_special_days(path: Path) -> tuple[SpecialDay, ...]:
    """Read ``day,multiplier[,label]`` rows (e.g. ``2026-12-25,0.3,Christmas``)."""
    from ccops.wfm.forecast import SpecialDay

    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise BadSpecialDays(f"{path}: cannot open ({exc.strerror})") from None
    out: list[SpecialDay] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "day" not in header or "multiplier" not in header:
            raise BadSpecialDays(
                f"{path}: the header must be day,multiplier[,label] (found {','.join(header)!r})"
            )
        for line, row in enumerate(reader, start=2):
            clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            try:
                day = date.fromisoformat(clean["day"])
            except ValueError:
                raise BadSpecialDays(
                    f"{path}, line {line}, column day: {clean['day']!r} is not a date (YYYY-MM-DD)"
                ) from None
            try:
                multiplier = float(clean["multiplier"])
            except ValueError:
                multiplier = -1.0
            if not multiplier >= 0:
                raise BadSpecialDays(
                    f"{path}, line {line}, column multiplier: {clean['multiplier']!r} is not a "
                    "number ≥ 0 (e.g. 0.3 for a holiday, 1.5 for a campaign)"
                )
            out.append(SpecialDay(day, multiplier, clean.get("label", "")))
    return tuple(out)


def read_histories(
    source: Engine | str,
    start: date,
    end: date,
    interval_minutes: int,
    time_zone: str,
    queue: str | None = None,
) -> list[History]:
    """Each queue's history from the metric catalog (missing intervals are zero)."""
    from ccops.metrics import run_report
    from ccops.wfm.forecast import histories_from_rows, time_key

    report = run_report(
        source,
        list(HISTORY_METRICS),
        f"{time_key(interval_minutes)},queue,channel",
        start,
        end,
        time_zone,
    )
    rows = [r for r in report.rows if queue is None or r["queue"] == queue]
    return histories_from_rows(rows, interval_minutes, start, end)


def store_forecasts(
    engine: Engine, forecasts: Sequence[QueueForecast], time_zone: str
) -> list[tuple[int, int]]:
    """Store each forecast as its queue's next version; returns (forecast id, version) pairs."""
    from ccops.store.forecast_models import save_forecast

    out: list[tuple[int, int]] = []
    with Session(engine) as session:
        for f in forecasts:
            row = save_forecast(session, f.record(time_zone))
            out.append((row.id, row.version))
        session.commit()
    return out


def _engine(db: str | None) -> Engine:
    from sqlalchemy.exc import ArgumentError, OperationalError

    from ccops.store import make_engine, upgrade

    try:
        engine = make_engine(db)
    except ArgumentError as exc:
        raise fail(f"--db: cannot use store URL {db!r}: {exc}") from None
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise fail(f"cannot reach the store {engine.url!r}: {exc.orig}") from None
    return engine


def _scores_table(f: QueueForecast) -> Table:
    from ccops.wfm.forecast import FLOOR

    table = Table(
        "model",
        "WAPE",
        "MASE",
        "vs seasonal naive",
        "seconds",
        title=f"{f.queue} ({f.channel}): {f.model}",
        caption=(
            f"history {f.history_first_day} … {f.history_last_day}; backtest "
            f"{len(f.backtest.cutoffs)} cutoff(s) × {f.backtest.horizon} intervals"
        ),
    )
    floor = f.backtest.scores[FLOOR].wape
    for name, s in f.backtest.scores.items():
        mark = " ✓" if name == f.model else ""
        if not s.ok:
            table.add_row(name, "—", "—", s.error or "no score", f"{s.seconds:.1f}")
            continue
        gain = f"{(s.wape - floor) / floor:+.1%}" if floor and name != FLOOR else ""
        table.add_row(f"{name}{mark}", f"{s.wape:.1%}", f"{s.mase:.3f}", gain, f"{s.seconds:.1f}")
    return table


def _write_csv(path: Path, forecasts: Sequence[QueueForecast], time_zone: str) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["queue", "channel", "interval_start", "interval_start_utc", "contacts", "aht_seconds"]
        )
        for f in forecasts:
            for row in f.as_json(time_zone)["intervals"]:
                writer.writerow(
                    [
                        f.queue,
                        f.channel,
                        row["start"],
                        row["start_utc"],
                        row["contacts"],
                        "" if row["aht_seconds"] is None else row["aht_seconds"],
                    ]
                )
                n += 1
    return n


def forecast(
    start: str = typer.Option(..., "--from", help="First day of history (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--to", help="Last day of history (YYYY-MM-DD), inclusive."),
    horizon_days: int = typer.Option(14, "--horizon-days", min=1, max=366, help="Days ahead."),
    interval_minutes: int = typer.Option(
        30, "--interval-minutes", help="Interval length: 15 or 30 (60, or 1440 for daily)."
    ),
    queue: str | None = typer.Option(None, "--queue", help="Only this queue (its key)."),
    special_days: Path | None = typer.Option(
        None, "--special-days", help="CSV of day,multiplier[,label] (holiday 0.3, campaign 1.5)."
    ),
    time_zone: str = typer.Option("UTC", "--tz", help="The center's time zone (IANA name)."),
    windows: int = typer.Option(3, "--windows", min=1, max=12, help="Backtest cutoffs."),
    models: str = typer.Option(
        CANDIDATES, "--models", help="Candidate models (seasonal naive always runs)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the intervals to this CSV file."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (with the intervals)."),
    store: bool = typer.Option(True, "--store/--no-store", help="Store the forecast."),
    db: str | None = DbOption,
) -> None:
    """Forecast contacts and AHT per interval per queue; backtest the models, keep the best."""
    from ccops.metrics import MetricError
    from ccops.wfm.forecast import ForecastError, ForecastOptions, time_key
    from ccops.wfm.forecast import forecast as forecast_all

    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise fail(f"--from/--to must be dates (YYYY-MM-DD), not {start!r}/{end!r}") from None
    if last < first:
        raise fail("--to is before --from")
    try:
        time_key(interval_minutes)
        specials = read_special_days(special_days) if special_days is not None else ()
    except (ForecastError, BadSpecialDays) as exc:
        raise fail(str(exc)) from None
    chosen = tuple(m.strip() for m in models.split(",") if m.strip())
    try:
        options = ForecastOptions(horizon_days, windows, chosen, specials)
    except ForecastError as exc:
        raise fail(f"--models: {exc}") from None
    engine = _engine(db)
    try:
        histories = read_histories(engine, first, last, interval_minutes, time_zone, queue)
    except MetricError as exc:
        raise fail(str(exc)) from None
    if not histories:
        which = f" for queue {queue!r}" if queue else ""
        raise fail(
            f"no contacts in the store{which} between {first} and {last}: check --from/--to, "
            "--queue and --db (`ccops report --by day,queue` shows what the store holds)"
        )
    progress = Progress(
        TextColumn("[bold]forecast[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=as_json or not err_console.is_terminal,
    )
    with progress:
        task = progress.add_task("queues", total=len(histories))

        def advance(h: History, _f: QueueForecast | None, _e: str | None) -> None:
            progress.update(task, advance=1, description=h.queue)

        done, skipped = forecast_all(histories, options, advance)
    for history, reason in skipped:
        err_console.print(f"[yellow]skipped {history.queue} ({history.channel}):[/] {reason}")
    if not done:
        raise fail(skipped[0][1] if len(skipped) == 1 else "no queue could be forecast (above)")
    stored = store_forecasts(engine, done, time_zone) if store else []
    if output is not None:
        n = _write_csv(output, done, time_zone)
        err_console.print(f"{n:,} interval(s) written to {output}")
    if as_json:
        payload: list[dict[str, Any]] = []
        for i, f in enumerate(done):
            item = f.as_json(time_zone)
            if stored:
                item["forecast_id"], item["version"] = stored[i]
            payload.append(item)
        sys.stdout.write(orjson.dumps(payload).decode() + "\n")
        return
    for i, f in enumerate(done):
        console.print(_scores_table(f))
        kept = f"stored as forecast {stored[i][0]} (version {stored[i][1]}); " if stored else ""
        console.print(
            f"{kept}{f.first_day} … {f.last_day}: {float(f.contacts.sum()):,.0f} contacts"
            + (
                f"; special days {', '.join(str(s.day) for s in f.special_days)}"
                if f.special_days
                else ""
            )
        )
