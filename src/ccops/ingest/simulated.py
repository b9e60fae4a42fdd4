"""A simulated center into the store: its events through the ingest path, its queues configured.

The digital twin has no back door: its events enter like any real source's. What events do not
carry — each queue's service-level threshold T, short-abandon threshold S and priority, which a
real center sets in its configuration — is taken from the scenario, so the metric catalog measures
the twin's queues exactly as the simulator does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.ingest.pipeline import Ingestor, IngestSummary
from ccops.sim.demo import DemoRun
from ccops.sim.rota import rota_activities
from ccops.sim.scenario import Scenario
from ccops.store.config import QueueSettings, configure_queues
from ccops.store.models import Agent
from ccops.store.schedule_models import Activity, publish_schedule
from ccops.wfm.plan import Plan


def queue_settings(scenario: Scenario) -> list[QueueSettings]:
    """The scenario's queues as store configuration (T, S, priority, channel)."""
    return [
        QueueSettings(
            key=q.name,
            channel=q.channel,
            sl_threshold_seconds=q.answer_within,
            short_abandon_seconds=q.short_abandon,
            priority=q.priority,
        )
        for q in scenario.queues
    ]


def ingest_simulation(
    engine: Engine,
    run: DemoRun,
    scenario: Scenario,
    source: str,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Store a simulated run's events (idempotent, like any import) and configure its queues."""
    ingestor = Ingestor(engine, source=source)
    for i, (event, body) in enumerate(run.events_with_bodies(), start=1):
        ingestor.add_event(event, body)
        if on_progress is not None and i % 10_000 == 0:
            on_progress(i)
    summary = ingestor.close()
    configure_queues(engine, queue_settings(scenario))
    return summary


def publish_plan(engine: Engine, plan: Plan, origin: datetime, name: str) -> int:
    """Publish a plan's rota (work, breaks, lunches) from `origin`, for the agents the store knows.

    Returns the number of activities published. Agents with no events yet are not in the store
    and are left out (they would be refused by name).
    """
    with Session(engine) as session:
        known = set(session.scalars(select(Agent.key)))
    activities = [
        Activity(a, kind, origin + timedelta(seconds=s), origin + timedelta(seconds=e))
        for a, kind, s, e in rota_activities(plan.rota)
        if a in known
    ]
    if activities:
        publish_schedule(engine, name, activities)
    return len(activities)
