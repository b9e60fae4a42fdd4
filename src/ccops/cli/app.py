"""The root `ccops` command and its sub-commands."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ccops.cli.common import DbOption, console, fail, file_progress
from ccops.cli.forecast import forecast
from ccops.cli.importers import import_app
from ccops.cli.publish import publish_schedule
from ccops.cli.quality import quality_app
from ccops.cli.report import export, metrics_app, report
from ccops.cli.requirements import requirements
from ccops.cli.schedule import schedule
from ccops.cli.simulate import simulate_app
from ccops.cli.staff import staff

app = typer.Typer(
    name="ccops",
    help="ccops: contact-center operations — store, ingest, staffing, simulation, reports.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="The store: create or upgrade its schema.", no_args_is_help=True)
rejects_app = typer.Typer(
    help="Inputs that could not be accepted, with where and why.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(rejects_app, name="rejects")
app.add_typer(simulate_app, name="simulate")
app.add_typer(quality_app, name="quality")
app.add_typer(import_app, name="import")
app.add_typer(metrics_app, name="metrics")
app.command("report")(report)
app.command("export")(export)
app.command("staff")(staff)
app.command("schedule")(schedule)
app.command("publish-schedule")(publish_schedule)
app.command("forecast")(forecast)
app.command("requirements")(requirements)


def _engine(db: str | None):  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import ArgumentError

    from ccops.store import make_engine

    try:
        return make_engine(db)
    except ArgumentError as exc:
        raise fail(f"--db: cannot use store URL {db!r}: {exc}") from None


def _ready_engine(db: str | None):  # type: ignore[no-untyped-def]
    """An engine whose schema is up to date (upgrading is idempotent and cheap)."""
    from sqlalchemy.exc import OperationalError

    from ccops.store import upgrade

    engine = _engine(db)
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise fail(f"cannot reach the store {engine.url!r}: {exc.orig}") from None
    return engine


@db_app.command("upgrade")
def db_upgrade(db: str | None = DbOption, revision: str = "head") -> None:
    """Create the store's tables or migrate them to the latest schema."""
    from ccops.store.db import current_revision

    engine = _ready_engine(db) if revision == "head" else _engine(db)
    if revision != "head":
        from ccops.store import upgrade

        upgrade(engine, revision)
    console.print(f"store {engine.url!r} is at schema revision {current_revision(engine)}")


@db_app.command("current")
def db_current(db: str | None = DbOption) -> None:
    """Print the store's schema revision."""
    from ccops.store.db import current_revision

    console.print(current_revision(_engine(db)) or "empty (run `ccops db upgrade`)")


@app.command("ingest")
def ingest(
    path: Path = typer.Argument(..., help="A JSONL file of canonical events (docs/events.md)"),
    db: str | None = DbOption,
    batch_size: int = typer.Option(50_000, min=1, help="Events per transaction"),
    parallel: bool | None = typer.Option(
        None,
        "--parallel/--one-process",
        help="Parse and prepare in a second process while this one writes (default: for "
        "files of 8 MB or more on a machine with two cores or more)",
    ),
) -> None:
    """Load canonical events; re-running is safe (events are keyed by id)."""
    from ccops.ingest.pipeline import ingest_jsonl

    if not path.is_file():
        raise fail(f"{path}: no such file")
    engine = _ready_engine(db)
    with file_progress(path, "ingest") as progress:
        task = progress.task_ids[0]
        summary = ingest_jsonl(
            engine,
            path,
            batch_size=batch_size,
            on_progress=lambda n: progress.advance(task, n),
            parallel=parallel,
        )
    print_summary(summary, path)


def print_summary(summary, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The end-of-import summary: lines read, what was built, rejects by reason."""
    table = Table(title=f"{path.name}", show_header=False)
    table.add_row("lines read", f"{summary.read + summary.blank:,}")
    table.add_row("blank lines", f"{summary.blank:,}")
    table.add_row("events accepted", f"{summary.accepted:,}")
    table.add_row("already stored (skipped)", f"{summary.duplicates:,}")
    table.add_row("contacts built or updated", f"{summary.contacts:,}")
    table.add_row("agent state intervals", f"{summary.state_intervals:,}")
    table.add_row("rejected", f"{summary.rejected:,}")
    for reason, count in summary.rejects_by_reason.most_common():
        table.add_row(f"  {reason}", f"{count:,}")
    console.print(table)
    if summary.rejected:
        console.print(
            f"[yellow]{summary.rejected:,} line(s) rejected and kept: "
            f"`ccops rejects list --source {path}`[/]"
        )


@rejects_app.command("list")
def rejects_list(
    db: str | None = DbOption,
    source: str | None = typer.Option(None, help="Only rejects from this source (file path)"),
    limit: int = typer.Option(50, min=1),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines"),
) -> None:
    """List kept rejects: source, line (or position), reason and the raw input."""
    import orjson
    from sqlalchemy import select

    from ccops.store.models import Reject

    engine = _ready_engine(db)
    stmt = select(Reject).order_by(Reject.source, Reject.position).limit(limit)
    if source:
        stmt = stmt.where(Reject.source == source)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        rows = session.scalars(stmt).all()
    if as_json:
        for r in rows:
            typer.echo(
                orjson.dumps(
                    {"source": r.source, "position": r.position, "reason": r.reason, "raw": r.raw}
                ).decode()
            )
        return
    table = Table("source", "line", "reason", "raw")
    for r in rows:
        table.add_row(r.source, str(r.position), r.reason, r.raw[:80])
    console.print(table)


@app.command("serve")
def serve(
    db: str | None = DbOption,
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    workers: int = typer.Option(1, min=1, help="Worker processes"),
) -> None:
    """Run the web application and API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    engine = _ready_engine(db)
    os.environ["CCOPS_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    console.print(f"ccops on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "ccops.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=2,  # open wallboard streams must not hold a stop
    )


@app.command("demo")
def demo(
    db: str = typer.Option("sqlite:///ccops-demo.db", "--db", help="Where the demo store goes"),
    days: int = typer.Option(
        21, min=1, max=366, help="Days of history to simulate (more takes longer to store)"
    ),
    seed: int = typer.Option(1, help="Random seed (same seed, same center)"),
    host: str = "127.0.0.1",
    port: int = 8000,
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the store and stop"),
) -> None:
    """Simulate a multi-channel center into a store (once), then start the web app on it."""
    from sqlalchemy import text

    engine = _ready_engine(db)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM events")).scalar() or 0
    if stored:
        console.print(
            f"demo store {engine.url} already holds {stored:,} events; reusing it "
            "(delete the file to simulate again)"
        )
    else:
        _simulate_demo(engine, days, seed)
    _demo_users(engine)
    if not no_serve:
        serve(db=db, host=host, port=port, workers=1)


def _simulate_demo(engine, days: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Run the digital twin of the demo center and ingest its events like any other source."""
    import time
    from dataclasses import replace
    from datetime import UTC, datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ccops.cli.forecast import store_forecasts
    from ccops.ingest.simulated import ingest_simulation, publish_plan
    from ccops.sim import DEMO_SCENARIO, demo_run, load_scenario
    from ccops.wfm.demo import demo_calendar, demo_forecasts, plan_demo

    started = time.perf_counter()
    scenario = load_scenario(DEMO_SCENARIO)
    monday, span, planned = demo_calendar(datetime.now(UTC).date(), days)
    scenario = replace(scenario, start=datetime(monday.year, monday.month, monday.day, tzinfo=UTC))
    with console.status(
        f"planning {planned} days: forecast (statsforecast), rosters for "
        f"{scenario.agent_count} agents, checked on the twin…"
    ):
        forecasts = demo_forecasts(scenario, planned, seed)
        plan = plan_demo(
            scenario, planned, seed=seed, rounds=2, replications=3, forecasts=forecasts
        )
    shares = plan.check.share_met_by_queue()
    console.print(
        f"planned {sum(len(s.assignments) for s in plan.schedules.values()):,} shifts; "
        "intervals meeting target on the twin: "
        + ", ".join(f"{q} {v:.0%}" for q, v in shares.items())
        + f" ({time.perf_counter() - started:.1f} s)"
    )
    with console.status(f"simulating {span} days of the demo center on that plan…"):
        run = demo_run(scenario, days=span, seed=seed, rota=plan.rota)
    console.print(f"simulated {run.total:,} events in {time.perf_counter() - started:.1f} s")
    progress = Progress(
        "[bold]storing events",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task("events", total=run.total)
        summary = ingest_simulation(
            engine,
            run,
            scenario,
            source=f"ccops-sim:demo:seed={seed}",
            on_progress=lambda n: progress.update(task, completed=n),
        )
        progress.update(task, completed=run.total)
    published = publish_plan(engine, plan, scenario.start, name=f"demo plan from {monday}")
    store_forecasts(engine, forecasts, "UTC")
    console.print(
        f"stored {summary.accepted:,} events → {summary.contacts:,} contacts, "
        f"{summary.state_intervals:,} agent state intervals; published {published:,} scheduled "
        f"activities ({time.perf_counter() - started:.0f} s in all)"
    )


def _demo_users(engine) -> None:  # type: ignore[no-untyped-def]
    """Demo sign-ins, one per role, printed so a visitor can try each view."""
    from ccops.web import create_demo_users
    from ccops.web.demo import DEMO_PASSWORD

    users = create_demo_users(engine)
    token = users.pop("api_token", None)
    table = Table("user", "role", "password", title="demo sign-ins")
    for name, role in users.items():
        table.add_row(name, role, DEMO_PASSWORD)
    console.print(table)
    if token:
        console.print(f"API token for POST /api/v1/events: [bold]{token}[/]")


def main() -> None:
    """Entry point of the `ccops` script."""
    app()
