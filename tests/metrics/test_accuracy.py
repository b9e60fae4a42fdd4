"""Accuracy from QA evaluations in the catalog, hand-computed, on SQLite, PostgreSQL and DuckDB.

Working (handmade.EVALUATIONS; a contact's day is its offer day):
- counted: s1 (a1, defect), s3 (a1), s7 (a1, acknowledged), s2 (a2, defect amended away by the
  dispute → accurate), s6 (a2, defect upheld), p3 (a3; its calibration score is not counted),
  p5 (a4, chat, VIP 2, defect, dispute still open) on day 1; s10 (a1) and p6 (a3, outbound,
  defect) on day 2;
- not counted: s9 (voided by its dispute), p1 (accuracy section all N/A), p3's calibration score.
- day 1 by agent: a1 2/3, a2 1/2, a3 1/1, a4 0/1; by queue: sales (s1 s3 s7 s2 s6) 3/5,
  support (p3 p5) 1/2; the whole store 5/9; team t1 (a1, a2) 4/6.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.metrics import run_report
from ccops.metrics.dimensions import epoch
from ccops.store import quality_repo
from ccops.store.models import Agent
from ccops.store.quality_models import QaDispute, QaEvaluation
from tests.metrics.test_handmade_figures import D1, _by

D2 = date(2026, 11, 3)


def test_accuracy_by_agent_and_queue_is_the_hand_computed_share(center: str) -> None:
    rows = _by(run_report(center, "accuracy", "day,agent", D1, D1).rows, "agent")
    assert {a: r["accuracy"] for a, r in rows.items()} == {
        "a1": 2 / 3,
        "a2": 1 / 2,
        "a3": 1.0,
        "a4": 0.0,
    }
    queues = _by(run_report(center, "accuracy", "queue", D1, D1).rows, "queue")
    assert queues["sales"]["accuracy"] == 3 / 5
    assert queues["support"]["accuracy"] == 1 / 2
    day2 = _by(run_report(center, "accuracy", "queue", D2, D2).rows, "queue")
    assert (day2["sales"]["accuracy"], day2["support"]["accuracy"]) == (1.0, 0.0)


def test_accuracy_is_sums_over_sums_across_days_teams_and_cuts(center: str) -> None:
    (whole,) = run_report(center, "accuracy", None).rows
    assert whole["accuracy"] == 5 / 9
    teams = _by(run_report(center, "accuracy", "team").rows, "team")
    assert teams["t1"]["accuracy"] == 4 / 6
    assert teams[None]["accuracy"] == 1 / 3  # a3: p3 ok, p6 defect; a4: p5 defect
    channels = _by(run_report(center, "accuracy", "channel", D1, D1).rows, "channel")
    assert channels["chat"]["accuracy"] == 0.0
    directions = _by(run_report(center, "accuracy", "direction").rows, "direction")
    assert directions["outbound"]["accuracy"] == 0.0
    vip = _by(run_report(center, "accuracy", "vip_tier").rows, "vip_tier")
    assert vip[2]["accuracy"] == 0.0
    sums = run_report(center, "accuracy", "day").measures
    assert {k: (v["qa_accurate"], v["qa_evaluated"]) for k, v in sums.items()} == {
        (epoch(datetime(2026, 11, 2)),): (4.0, 7.0),
        (epoch(datetime(2026, 11, 3)),): (1.0, 2.0),
    }


def test_accuracy_sits_with_contact_and_state_metrics_in_one_report(center: str) -> None:
    rows = _by(run_report(center, "handled,occupancy,accuracy", "day,agent", D1, D1).rows, "agent")
    assert rows["a1"]["handled"] == 3 and rows["a1"]["accuracy"] == 2 / 3
    assert rows["a2"]["occupancy"] == 3600 / 5400
    assert rows["a4"]["accuracy"] == 0.0 and rows["a4"]["occupancy"] is None


def test_the_contacts_behind_accuracy_are_the_counted_evaluations(center: str) -> None:
    (row,) = run_report(center, "accuracy", None, D1, D1, explain=True).rows
    assert row["contacts"] == ["p3", "p5", "s1", "s2", "s3", "s6", "s7"]


def test_a_decided_dispute_moves_the_catalogs_accuracy_at_once(center_store: Engine) -> None:
    url = center_store.url.render_as_string(hide_password=False)

    def a4() -> float | None:
        rows = _by(run_report(url, "accuracy", "agent", D1, D1).rows, "agent")
        return rows["a4"]["accuracy"]

    assert a4() == 0.0
    with Session(center_store) as db:
        a4_id = db.scalar(select(Agent.id).where(Agent.key == "a4"))
        evaluation = db.scalars(select(QaEvaluation).where(QaEvaluation.agent_id == a4_id)).one()
        dispute_id = db.scalars(
            select(QaDispute.id).where(QaDispute.evaluation_id == evaluation.id)
        ).one()
        quality_repo.decide_dispute(
            db,
            dispute_id,
            "amended",
            note="record was right",
            answers={"acc_correct_record": "yes"},
        )
        db.commit()
    assert a4() == 1.0


def test_accuracy_respects_the_agent_filter_a_scope_passes(center_store: Engine) -> None:
    url = center_store.url.render_as_string(hide_password=False)
    with Session(center_store) as db:
        a1 = db.scalar(select(Agent.id).where(Agent.key == "a1"))
    assert a1 is not None
    (row,) = run_report(url, "accuracy", None, agents=[a1]).rows
    assert row["accuracy"] == 3 / 4


def test_the_stores_accuracy_counts_agree_with_the_catalog(center_store: Engine) -> None:
    url = center_store.url.render_as_string(hide_password=False)
    catalog = run_report(url, "accuracy", "agent").measures
    with Session(center_store) as db:
        counts = quality_repo.accuracy_counts(db, datetime(2026, 1, 1), datetime(2027, 1, 1))
    assert {a: (c.without_defect, c.evaluations) for a, c in counts.items()} == {
        key[0]: (int(m["qa_accurate"]), int(m["qa_evaluated"]))
        for key, m in catalog.items()
        if m["qa_evaluated"]
    }
