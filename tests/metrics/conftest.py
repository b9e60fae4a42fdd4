"""The handmade center on every metric engine: SQLite, PostgreSQL, and DuckDB over their exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from ccops.metrics import export_parquet
from tests.metrics import handmade


@pytest.fixture
def center_store(store: Engine) -> Engine:
    """The handmade center in an empty store (SQLite or PostgreSQL)."""
    handmade.build(store)
    return store


@pytest.fixture(params=["store", "duckdb"])
def center(request: pytest.FixtureRequest, center_store: Engine, tmp_path: Path) -> str:
    """A metric source holding the handmade center: the store's URL, or its Parquet export."""
    url = center_store.url.render_as_string(hide_password=False)
    if request.param == "store":
        return url
    folder = tmp_path / "parquet"
    export_parquet(url, folder)
    return str(folder)
