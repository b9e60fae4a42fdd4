"""`ccops import ...`: the importers of real formats (Asterisk, Amazon Connect, mapped CSV)."""

from __future__ import annotations

from pathlib import Path

import typer

from ccops.cli.common import DbOption, console, fail, file_progress

import_app = typer.Typer(
    help="Import what contact centers already log: Asterisk, Amazon Connect, any mapped CSV. "
    "Re-importing a file changes nothing; bad lines are kept (`ccops rejects list`).",
    no_args_is_help=True,
)

BatchOption = typer.Option(50_000, "--batch-size", min=1, help="Events per transaction")
ParallelOption = typer.Option(
    None,
    "--parallel/--one-process",
    help="Parse in a second process while this one writes (default: files of 8 MB or more "
    "on 2+ cores)",
)


def _engine(db: str | None):  # type: ignore[no-untyped-def]
    from ccops.cli.app import _ready_engine

    return _ready_engine(db)


def _file(path: Path) -> Path:
    if not path.is_file():
        raise fail(f"{path}: no such file")
    return path


def _report(result, path: Path) -> None:  # type: ignore[no-untyped-def]
    from ccops.cli.app import print_summary

    print_summary(result.summary, path)
    for kind, count in result.stats.ignored.most_common():
        console.print(f"  read, no event built: {kind}: {count:,}")


def _outcomes(pairs: list[str]):  # type: ignore[no-untyped-def]
    from ccops.events import Outcome
    from ccops.ingest.asterisk import QueueLogOptions

    options = QueueLogOptions()
    for pair in pairs:
        event, _, outcome = pair.partition("=")
        event = event.strip().upper()
        if event not in options.exit_outcomes:
            raise fail(f"--exit-outcome: {event!r} is not one of {sorted(options.exit_outcomes)}")
        try:
            options.exit_outcomes[event] = Outcome(outcome.strip())
        except ValueError:
            choices = ", ".join(o.value for o in Outcome)
            raise fail(f"--exit-outcome: {outcome!r} is not an outcome ({choices})") from None
    return options


@import_app.command("asterisk-queue-log")
def asterisk_queue_log(
    path: Path = typer.Argument(..., help="An Asterisk queue_log file (any version 1.4-22)"),
    db: str | None = DbOption,
    batch_size: int = BatchOption,
    follow: bool = typer.Option(
        False, "--follow", help="Keep reading as Asterisk appends (Ctrl-C stops; resumes later)"
    ),
    exit_outcome: list[str] = typer.Option(
        [],
        "--exit-outcome",
        help="How a queue exit counts, e.g. EXITWITHTIMEOUT=abandoned (repeatable; defaults in "
        "docs/importers.md)",
    ),
    parallel: bool | None = ParallelOption,
) -> None:
    """Import calls (wait, talk, outcome, transfers) and agent states from a queue_log."""
    from ccops.ingest.asterisk import follow_queue_log, import_queue_log

    options = _outcomes(exit_outcome)
    engine = _engine(db)
    if follow:
        console.print(f"following {path} (Ctrl-C to stop)")
        seen = [0]

        def tick(result) -> None:  # type: ignore[no-untyped-def]
            s = result.summary
            if s.accepted != seen[0]:
                seen[0] = s.accepted
                console.print(
                    f"{s.read:,} lines, {s.accepted:,} events, {s.rejected:,} rejected",
                    highlight=False,
                )

        try:
            result = follow_queue_log(engine, path, options=options, on_batch=tick)
        except KeyboardInterrupt:  # pragma: no cover - interactive
            console.print("stopped; the next --follow resumes where this one stopped")
            return
        _report(result, path)
        return
    with file_progress(_file(path), "queue_log") as progress:
        task = progress.task_ids[0]
        result = import_queue_log(
            engine,
            path,
            batch_size=batch_size,
            on_progress=lambda n: progress.advance(task, n),
            options=options,
            parallel=parallel,
        )
    _report(result, path)


@import_app.command("asterisk-cdr")
def asterisk_cdr(
    path: Path = typer.Argument(..., help="A cdr_csv Master.csv (16 to 21 columns)"),
    db: str | None = DbOption,
    batch_size: int = BatchOption,
    parallel: bool | None = ParallelOption,
    timezone: str = typer.Option(
        "UTC",
        "--timezone",
        help="Zone of the CSV's times (cdr_csv writes local time unless "
        "usegmtime=yes), e.g. Europe/Madrid",
    ),
    queue: str | None = typer.Option(
        None, "--queue", help="Queue for these calls (default: the row's dcontext)"
    ),
    outbound: bool = typer.Option(False, "--outbound", help="The calls are outbound"),
    include_queue_calls: bool = typer.Option(
        False, "--include-queue-calls", help="Also import Queue() calls (else: use the queue_log)"
    ),
) -> None:
    """Import calls outside queues from Asterisk's Master.csv."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ccops.events import Direction
    from ccops.ingest.asterisk import CdrOptions, import_cdr

    try:
        if timezone.upper() != "UTC":
            ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"--timezone: unknown time zone {timezone!r}") from None
    options = CdrOptions(
        timezone=timezone,
        queue=queue,
        direction=Direction.outbound if outbound else Direction.inbound,
        include_queue_calls=include_queue_calls,
    )
    engine = _engine(db)
    with file_progress(_file(path), "cdr") as progress:
        task = progress.task_ids[0]
        result = import_cdr(
            engine,
            path,
            batch_size=batch_size,
            on_progress=lambda n: progress.advance(task, n),
            options=options,
            parallel=parallel,
        )
    _report(result, path)


@import_app.command("amazon-connect")
def amazon_connect(
    path: Path = typer.Argument(
        ..., help="Contact records: JSON lines, a JSON array, or Firehose output"
    ),
    db: str | None = DbOption,
    batch_size: int = BatchOption,
    parallel: bool | None = ParallelOption,
) -> None:
    """Import Amazon Connect contact records (queue, agent, hold, after-contact work)."""
    from ccops.ingest.connect import import_connect

    engine = _engine(db)
    with file_progress(_file(path), "connect") as progress:
        task = progress.task_ids[0]
        result = import_connect(
            engine,
            path,
            batch_size=batch_size,
            on_progress=lambda n: progress.advance(task, n),
            parallel=parallel,
        )
    _report(result, path)


@import_app.command("csv")
def mapped_csv(
    path: Path = typer.Argument(..., help="A CSV file with one row per contact"),
    mapping: Path = typer.Option(
        ..., "--mapping", help="A TOML column mapping (see examples/bank-calls.mapping.toml)"
    ),
    db: str | None = DbOption,
    batch_size: int = BatchOption,
    parallel: bool | None = ParallelOption,
) -> None:
    """Import any per-contact CSV through a declared column mapping and time format."""
    from ccops.ingest.mapped_csv import MappingError, import_mapped_csv, load_mapping

    try:
        checked = load_mapping(_file(mapping))
    except MappingError as exc:
        raise fail(f"--mapping: {exc}") from None
    engine = _engine(db)
    with file_progress(_file(path), "csv") as progress:
        task = progress.task_ids[0]
        result = import_mapped_csv(
            engine,
            path,
            checked,
            batch_size=batch_size,
            on_progress=lambda n: progress.advance(task, n),
            parallel=parallel,
        )
    _report(result, path)


__all__ = ["import_app"]
