"""`ccops demo` gives the quality pages something to show: evaluations, a dispute, coaching and a
calibration session, created once through the quality repository."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ccops.ingest.pipeline import Ingestor
from ccops.store import quality_repo
from ccops.store.quality_models import (
    QaCalibrationSession,
    QaCoachingTask,
    QaDispute,
    QaEvaluation,
)
from ccops.web import create_demo_users
from ccops.web.demo import create_demo_quality
from tests.factories import contact_events


def test_the_demo_store_gets_evaluations_a_dispute_coaching_and_calibration(
    store: Engine,
) -> None:
    ingestor = Ingestor(store, source="test")
    for position, event in enumerate(contact_events(200, seed=5)):
        ingestor.add_parsed(position, event)
    ingestor.close()
    create_demo_users(store, password="demo-password-1")
    with Session(store) as db:
        counted = db.scalars(
            select(QaEvaluation).where(QaEvaluation.calibration_session_id.is_(None))
        ).all()
        assert len(counted) >= 4
        assert any(e.accuracy_defect for e in counted) and any(
            e.accuracy_defect is False for e in counted
        )
        assert db.scalar(select(func.count()).select_from(QaDispute)) == 1
        assert db.scalar(select(func.count()).select_from(QaCoachingTask)) == 1
        session_id = db.scalar(select(QaCalibrationSession.id))
        assert session_id is not None
        report = quality_repo.calibration_report(db, session_id)
        assert len(report.evaluators) == 3 and len(report.contacts) == 3
    assert create_demo_quality(store) == 0  # once only
