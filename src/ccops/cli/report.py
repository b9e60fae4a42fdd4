"""`ccops report`, `ccops export --parquet DIR` and `ccops metrics` (the catalog and its page)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ccops.cli.common import DbOption, console, fail

metrics_app = typer.Typer(
    help="The metric catalog: list the metrics, render their definitions page.",
    no_args_is_help=True,
)

DEFAULT_METRICS = "service_level,asa_seconds,aht_seconds,abandon_rate"


def _source(db: str | None, parquet: Path | None) -> Any:
    """The Ibis backend for --parquet DIR, else for the store at --db."""
    from ccops.config import database_url
    from ccops.metrics import MetricError, connect

    try:
        return connect(parquet) if parquet is not None else connect(database_url(db))
    except MetricError as exc:
        raise fail(str(exc)) from None


def _shown(metric: Any, value: Any) -> str:
    if value is None:
        return "—"
    if metric is None:
        if isinstance(value, list):
            return f"{len(value)}: " + " ".join(value[:8]) + (" …" if len(value) > 8 else "")
        return str(value)
    if metric.unit == "ratio":
        return f"{value:.1%}"
    if metric.unit == "contacts":
        return f"{value:,}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.1f}"


def report(
    metrics: str = typer.Option(
        DEFAULT_METRICS,
        "--metrics",
        "-m",
        help="Comma-separated metric ids (`ccops metrics list`).",
    ),
    by: str = typer.Option(
        "day",
        "--by",
        help="Comma-separated dimensions: interval15|interval30|hour|day|week|month, queue, "
        "channel, direction, agent, team, segment, vip_tier ('' for one total row).",
    ),
    start: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD), inclusive."),
    end: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD), inclusive."),
    time_zone: str = typer.Option(
        "UTC", "--tz", help="Time zone of the buckets and of --from/--to (IANA name)."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json, xlsx or parquet."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file (required for xlsx and parquet)."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="List the contacts behind each row (keys of those counted)."
    ),
    db: str | None = DbOption,
    parquet: Path | None = typer.Option(
        None, "--parquet", help="Compute on DuckDB over this folder of `ccops export` files."
    ),
) -> None:
    """Catalog metrics cut by dimensions: one row per combination, e.g. per day and queue."""
    from ccops.metrics import MetricError, get_metric, run_report
    from ccops.metrics.formats import BINARY_FORMATS, FORMATS, to_csv, to_json, write

    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}")
    if fmt in BINARY_FORMATS and output is None:
        raise fail(f"--format {fmt} writes a file: give --output PATH")
    source = _source(db, parquet)
    try:
        result = run_report(source, metrics, by, start, end, time_zone, explain=explain)
    except MetricError as exc:
        raise fail(str(exc)) from None
    if output is not None and fmt != "table":
        write(result, fmt, output)
        console.print(f"{len(result.rows):,} row(s) written to {output}")
        return
    if fmt == "csv":
        sys.stdout.write(to_csv(result))
        return
    if fmt == "json":
        sys.stdout.write(to_json(result).decode() + "\n")
        return
    table = Table(
        *result.columns,
        title=f"{', '.join(m.id for m in result.metrics)} ({result.time_zone})",
        caption=f"{len(result.rows):,} row(s) in {result.elapsed_seconds:.2f} s",
    )
    ids = {m.id for m in result.metrics}
    for row in result.json_rows():
        table.add_row(
            *(_shown(get_metric(c) if c in ids else None, row[c]) for c in result.columns)
        )
    console.print(table)


def export(
    parquet: Path = typer.Option(
        ..., "--parquet", help="Folder to write <table>.parquet files to."
    ),
    db: str | None = DbOption,
) -> None:
    """Export the tables the metric catalog reads as Parquet (for DuckDB and other engines)."""
    from ccops.config import database_url
    from ccops.metrics import MetricError, export_parquet

    try:
        files = export_parquet(database_url(db), parquet)
    except MetricError as exc:
        raise fail(str(exc)) from None
    for path in files:
        console.print(f"{path}  {path.stat().st_size:,} bytes")


@metrics_app.command("list")
def metrics_list(
    as_json: bool = typer.Option(False, "--json", help="Print the catalog as JSON."),
) -> None:
    """Every metric: id, names, unit, direction, default target, what it still requires."""
    from ccops.metrics import CATALOG
    from ccops.metrics.docs import UNITS, catalog_json

    if as_json:
        import orjson

        typer.echo(orjson.dumps(catalog_json(), option=orjson.OPT_INDENT_2).decode())
        return
    table = Table("id", "metric", "指标", "unit", "better", "target", "requires")
    for m in CATALOG.values():
        target = "" if m.target is None else f"{m.target:g}"
        table.add_row(
            m.id, m.name_en, m.name_zh, UNITS[m.unit], m.better or "", target, m.requires or ""
        )
    console.print(table)


@metrics_app.command("docs")
def metrics_docs(
    write_to: Path | None = typer.Option(None, "--write", help="Write the page to this file."),
    check: Path | None = typer.Option(
        None, "--check", help="Exit 1 if this file differs from the generated page."
    ),
    html: bool = typer.Option(False, "--html", help="Print the HTML fragment instead."),
) -> None:
    """Render the definitions page from the catalog (docs/metrics.md is generated by this)."""
    from ccops.metrics import render_html, render_markdown

    page = render_html() if html else render_markdown()
    if check is not None:
        current = check.read_text(encoding="utf-8") if check.is_file() else ""
        if current != page:
            raise fail(f"{check} is stale: run `ccops metrics docs --write {check}`", code=1)
        console.print(f"{check} is up to date")
        return
    if write_to is not None:
        write_to.write_text(page, encoding="utf-8")
        console.print(f"wrote {write_to}")
        return
    sys.stdout.write(page)
