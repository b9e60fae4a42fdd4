"""The onion review on a simulated demo day: every layer and the bottom 20% agree with the metric
catalog's own figures (`run_report(..., by="agent")`), and adherence is reported unavailable
(no schedules yet) instead of being invented."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccops.ingest.simulated import ingest_simulation
from ccops.metrics import run_report
from ccops.quality import onion
from ccops.quality.forms import DEFAULT_FORM, ItemKind
from ccops.sim import DEMO_SCENARIO, demo_run, load_scenario
from ccops.store import make_engine, quality_repo, upgrade
from ccops.store.models import Contact
from ccops.web.pages.quality import onion_review

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
DAY_START = START.replace(tzinfo=None)
DAY_END = DAY_START + timedelta(days=1)
AS_OF = DAY_START + timedelta(days=2)


@pytest.fixture(scope="module")
def demo_day(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One simulated demo day in a SQLite store, with 60 evaluations (every 7th one a defect)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('onion') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    scenario = replace(load_scenario(DEMO_SCENARIO), start=START)
    ingest_simulation(engine, demo_run(scenario, days=1, seed=11), scenario, source="test-sim")
    clean = {
        i.key: (i.scale_max if i.kind is ItemKind.SCALE else "yes") for i in DEFAULT_FORM.items()
    }
    with Session(engine) as db:
        version = quality_repo.publish_form(db, DEFAULT_FORM)
        qa = quality_repo.ensure_evaluator(db, "qa-1")
        handled = db.scalars(
            select(Contact.key)
            .where(Contact.agent_id.is_not(None), Contact.ended_at.is_not(None))
            .order_by(Contact.key)
            .limit(60)
        ).all()
        for n, key in enumerate(handled):
            answers = {**clean, "acc_correct_answer": "no"} if n % 7 == 0 else clean
            quality_repo.save_evaluation(
                db, contact=key, evaluator_id=qa.id, form_version_id=version.id, answers=answers
            )
        db.commit()
    engine.dispose()
    return url


def _catalog_bottom(url: str, metric: str, higher_is_better: bool, share: float = 0.2) -> set[str]:
    """The weakest ceil(share·n) agents by the catalog's figure, with ties to the last one."""
    rows = run_report(url, metric, "agent", DAY_START, DAY_END, as_of=AS_OF).rows
    rated = [(r[metric], r["agent"]) for r in rows if r["agent"] and r[metric] is not None]
    rated.sort(key=lambda x: (x[0] if higher_is_better else -x[0], x[1]))
    k = math.ceil(share * len(rated) - 1e-9)
    cutoff = rated[k - 1][0]
    return {agent for value, agent in rated if value == cutoff} | {a for _, a in rated[:k]}


@pytest.mark.parametrize(
    ("measure", "higher_is_better"),
    [("productivity", True), ("aht_seconds", False), ("accuracy", True)],
)
def test_the_bottom_20_percent_are_the_agents_the_catalog_ranks_lowest(
    demo_day: str, measure: str, higher_is_better: bool
) -> None:
    result = onion_review(demo_day, DAY_START, DAY_END, performance=measure, as_of=AS_OF)
    assert result.higher_is_better is higher_is_better
    listed = {r.agent for r in result.review.bottom}
    expected = _catalog_bottom(demo_day, measure, higher_is_better)
    assert len(expected) >= 2  # a real ranking, not a trivial one
    assert listed == expected
    assert set(result.review.layer(onion.BOTTOM)) == expected


def test_occupancy_and_utilization_layers_use_the_catalogs_figures(demo_day: str) -> None:
    targets = onion.Targets(occupancy=0.75, utilization=0.9)
    result = onion_review(demo_day, DAY_START, DAY_END, targets=targets, as_of=AS_OF)
    rows = run_report(
        demo_day, "occupancy,utilization", "agent", DAY_START, DAY_END, as_of=AS_OF
    ).rows
    low_occupancy = {
        r["agent"] for r in rows if r["occupancy"] is not None and r["occupancy"] < 0.75
    }
    low_utilization = {
        r["agent"] for r in rows if r["utilization"] is not None and r["utilization"] < 0.9
    }
    assert set(result.review.layer(onion.OCCUPANCY)) == low_occupancy
    assert set(result.review.layer(onion.UTILIZATION)) == low_utilization
    assert low_occupancy or low_utilization  # the review has something to say
    assert len(result.figures) == len([r for r in rows if r["agent"]])


def test_adherence_is_reported_unavailable_not_invented(demo_day: str) -> None:
    result = onion_review(demo_day, DAY_START, DAY_END, as_of=AS_OF)
    assert "schedules" in result.review.unavailable[onion.ADHERENCE]
    assert result.review.layer(onion.ADHERENCE) == []
    assert all(f.adherence is None for f in result.figures)


def test_productivity_per_channel_is_handled_contacts_per_day(demo_day: str) -> None:
    result = onion_review(demo_day, DAY_START, DAY_END, as_of=AS_OF)
    rows = run_report(demo_day, "handled", "agent,channel", DAY_START, DAY_END, as_of=AS_OF).rows
    by_agent = {f.agent: f.productivity for f in result.figures}
    for r in rows:
        if r["agent"] and r["handled"] and r["agent"] in by_agent:
            assert by_agent[r["agent"]][r["channel"]] == r["handled"]  # one day: per day = count


def test_a_review_with_an_unavailable_layer_ignores_figures_given_for_it() -> None:
    figures = [onion.AgentFigures("a", adherence=0.5, occupancy=0.5, performance=1.0)]
    reviewed = onion.review(figures, unavailable={onion.ADHERENCE: "schedules"})
    assert reviewed.agents[0].first_layer == onion.OCCUPANCY
    assert onion.review(figures).agents[0].first_layer == onion.ADHERENCE


def test_figures_from_report_skip_rows_without_an_agent() -> None:
    rows = [
        {"agent": None, "team": None, "occupancy": 0.5},
        {"agent": "b", "team": "t", "occupancy": 0.8, "utilization": 0.9, "accuracy": 0.75},
    ]
    channel_rows = [{"agent": "b", "channel": "voice", "handled": 70}]
    out = onion.figures_from_report(
        rows, performance="accuracy", handled_by_channel=channel_rows, days=7
    )
    assert out == [
        onion.AgentFigures("b", "t", None, 0.8, 0.9, {"voice": 10.0}, 0.75),
    ]
