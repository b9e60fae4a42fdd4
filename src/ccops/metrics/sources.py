"""Where metrics are computed: the store (SQLite, PostgreSQL) or DuckDB over Parquet exports.

Each is an Ibis backend exposing the store's tables under their own names; the catalog's
expressions run unchanged on any of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ccops.metrics.errors import SourceError
from ccops.store.models import Agent, AgentStateInterval, Contact, Customer, Queue, Team
from ccops.store.quality_models import QaEvaluation
from ccops.store.schedule_models import PublishedSchedule, ScheduledActivity

#: The tables the catalog reads (and `export_parquet` writes).
METRIC_TABLES = (
    Contact.__tablename__,
    Queue.__tablename__,
    Agent.__tablename__,
    Team.__tablename__,
    Customer.__tablename__,
    AgentStateInterval.__tablename__,
    QaEvaluation.__tablename__,
    PublishedSchedule.__tablename__,
    ScheduledActivity.__tablename__,
)
#: Tables exported with only the columns the catalog reads (evaluations' answers and comments
#: stay in the store).
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    QaEvaluation.__tablename__: (
        "id",
        "contact_id",
        "agent_id",
        "calibration_session_id",
        "status",
        "accuracy_defect",
        "score",
        "evaluated_at",
    ),
}


def connect_parquet(directory: str | Path) -> BaseBackend:
    """An in-memory DuckDB with a view per exported table (`<table>.parquet` in `directory`)."""
    folder = Path(directory)
    missing = [t for t in METRIC_TABLES if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise SourceError(
            f"{folder}: no Parquet export of {', '.join(missing)} "
            "(write one with `ccops export --parquet DIR`)"
        )
    con = ibis.duckdb.connect()
    for table in METRIC_TABLES:
        con.read_parquet(folder / f"{table}.parquet", table_name=table)
    return con


def connect(source: str | Path | Engine) -> BaseBackend:
    """An Ibis backend for a store URL or engine, a duckdb:/// file, or a Parquet folder."""
    if isinstance(source, Engine):
        source = source.url.render_as_string(hide_password=False)
    if isinstance(source, Path) or (isinstance(source, str) and "://" not in source):
        path = Path(source)
        if path.is_dir():
            return connect_parquet(path)
        raise SourceError(f"{source}: not a store URL nor a folder of Parquet exports")
    if source.startswith("parquet://"):
        return connect_parquet(source.removeprefix("parquet://"))
    try:
        url = make_url(source)
    except ArgumentError as exc:
        raise SourceError(f"cannot use {source!r} as a metric source: {exc}") from None
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            if not url.database or url.database == ":memory:":
                raise SourceError("an in-memory SQLite store cannot be opened a second time")
            if not Path(url.database).expanduser().is_file():
                raise SourceError(f"{url.database}: no such store file")
            return ibis.sqlite.connect(Path(url.database).expanduser())
        if backend == "postgresql":
            kwargs: dict[str, Any] = {
                k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()
            }
            return ibis.postgres.connect(
                host=url.host,
                port=url.port or 5432,
                user=url.username,
                password=url.password,
                database=url.database,
                **kwargs,
            )
        if backend == "duckdb":
            return ibis.duckdb.connect(url.database or ":memory:", read_only=True)
    except SourceError:
        raise
    except Exception as exc:  # driver errors differ per engine; say which source failed
        raise SourceError(f"cannot open {url.render_as_string()}: {exc}") from exc
    raise SourceError(f"no metric engine for {backend!r} (use sqlite, postgresql or duckdb)")


def export_parquet(source: str | Path | Engine | BaseBackend, directory: str | Path) -> list[Path]:
    """Write each table the catalog reads to `<directory>/<table>.parquet`; returns the files."""
    con = source if isinstance(source, BaseBackend) else connect(source)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in METRIC_TABLES:
        path = folder / f"{table}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        t = con.table(table)
        if table in EXPORT_COLUMNS:
            t = t.select(*EXPORT_COLUMNS[table])
        t.to_parquet(tmp)
        tmp.replace(path)
        written.append(path)
    return written
