"""Options and helpers shared by commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

console = Console()
err_console = Console(stderr=True)

DbOption = typer.Option(
    None,
    "--db",
    help="Store URL (e.g. sqlite:///ccops.db or postgresql+psycopg://user@host/db); "
    "default: $CCOPS_DATABASE_URL or ./ccops.db",
    envvar="CCOPS_DATABASE_URL",
)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error that says what to do, and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@contextmanager
def file_progress(path: Path, label: str) -> Iterator[Progress]:
    """A progress bar over the bytes of a file (quiet when not on a terminal)."""
    progress = Progress(
        TextColumn(f"[bold]{label}[/] {{task.description}}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
        disable=not err_console.is_terminal,
    )
    with progress:
        progress.add_task(path.name, total=path.stat().st_size)
        yield progress
