"""No drift between the twin and the catalog: the demo's events, stored and reported by the metric
catalog, give the simulator's own service level, ASA, abandonment and AHT per queue."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from ccops.ingest.simulated import ingest_simulation
from ccops.metrics import run_report
from ccops.sim import DEMO_SCENARIO, demo_run, load_scenario
from ccops.sim.replications import run_kpis

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday, as the demo's weekly profile expects


def test_the_demo_day_reported_by_the_catalog_equals_the_simulators_counts(
    store: Engine,
) -> None:
    scenario = replace(load_scenario(DEMO_SCENARIO), start=START)
    run = demo_run(scenario, days=1, seed=7)
    ingest_simulation(store, run, scenario, source="test-sim")
    twin = run_kpis(run.records, scenario)
    report = run_report(
        store,
        "offered,service_level,asa_seconds,abandon_rate,aht_seconds",
        "queue",
        START.replace(tzinfo=None),
        (START + timedelta(days=2)).replace(tzinfo=None),
        as_of=(START + timedelta(days=2)).replace(tzinfo=None),
    )
    rows = {r["queue"]: r for r in report.rows}
    assert set(rows) == {q.name for q in scenario.queues}
    for queue, sim in twin.items():
        row = rows[queue]
        assert row["offered"] == sim["offered"], queue
        assert sim["offered"] > 100, queue  # a real day of traffic, not a trivial case
        for kpi in ("service_level", "abandon_rate"):
            assert row[kpi] == pytest.approx(sim[kpi], abs=1e-12), (queue, kpi)
        # times travel as events rounded to the microsecond (waits) and the millisecond (talk,
        # hold, after-call work): per-contact averages agree to well under a millisecond
        for kpi in ("asa_seconds", "aht_seconds"):
            if math.isnan(sim[kpi]):
                assert row[kpi] is None, (queue, kpi)
            else:
                assert row[kpi] == pytest.approx(sim[kpi], abs=1e-3), (queue, kpi)
