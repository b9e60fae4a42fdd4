"""Alembic environment: runs migrations on the engine handed over by ccops.store.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from ccops.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on the engine in the config's attributes (or CCOPS_DATABASE_URL)."""
    engine: Engine | None = context.config.attributes.get("engine")
    if engine is None:
        from ccops.store.db import make_engine

        engine = make_engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
