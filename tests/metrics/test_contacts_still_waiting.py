"""A contact still waiting (offered, no answer, no abandon yet) counts as offered and not in SL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine

from ccops.metrics import export_parquet, run_report
from tests.metrics.handmade import ingest

EVENTS = [
    {"id": "w1-o", "type": "contact.offered", "at": "2026-11-02T08:00:00Z", "contact": "w1",
     "queue": "q"},
    {"id": "w1-n", "type": "contact.answered", "at": "2026-11-02T08:00:10Z", "contact": "w1",
     "agent": "a1"},
    {"id": "w2-o", "type": "contact.offered", "at": "2026-11-02T08:01:00Z", "contact": "w2",
     "queue": "q"},
    {"id": "w2-a", "type": "contact.abandoned", "at": "2026-11-02T08:02:00Z", "contact": "w2"},
    {"id": "w3-o", "type": "contact.offered", "at": "2026-11-02T08:03:00Z", "contact": "w3",
     "queue": "q"},  # still waiting
]  # fmt: skip


@pytest.mark.parametrize("engine_kind", ["store", "duckdb"])
def test_a_waiting_contact_is_in_the_service_level_and_abandonment_denominators(
    store: Engine, tmp_path: object, engine_kind: str
) -> None:
    ingest(store, EVENTS)
    source: object = store
    if engine_kind == "duckdb":
        folder = tmp_path / "parquet"  # type: ignore[operator]
        export_parquet(store.url.render_as_string(hide_password=False), folder)
        source = str(folder)
    (row,) = run_report(
        source,  # type: ignore[arg-type]
        "offered,answered,abandoned,service_level,abandon_rate",
        "",
        as_of=datetime(2026, 11, 3),
    ).rows
    assert (row["offered"], row["answered"], row["abandoned"]) == (3, 1, 1)
    assert row["service_level"] == pytest.approx(1 / 3)  # answered in 10 s ÷ (3 − 0 short)
    assert row["abandon_rate"] == pytest.approx(1 / 3)
