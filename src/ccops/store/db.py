"""Engines for the store (SQLite embedded, PostgreSQL in production) and schema migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ccops.config import database_url

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_AUTOCHECKPOINT_PAGES = 8192


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: keeps the indexes hot during ingest
    # Checkpoint the WAL into the database every 8192 pages (32 MiB) rather than every 1000: an
    # ingest batch writes more than 1000 pages, so each commit checkpointed and the pages every
    # batch touches (index interiors, table tails) were copied back once per batch. Durability
    # is the WAL's either way (a commit is in the WAL before it returns).
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
    cursor.close()
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for the store at `url` (default: CCOPS_DATABASE_URL or ./ccops.db)."""
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, **kwargs)


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at the packaged migrations and this engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema up to `revision` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the store is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
