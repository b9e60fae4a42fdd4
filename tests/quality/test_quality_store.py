"""Quality in the store: evaluations, disputes with their trail, accuracy, sampling, coaching."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ccops.ingest.pipeline import ingest_jsonl
from ccops.quality.forms import DEFAULT_FORM, ItemKind, revise
from ccops.quality.sampling import long_handle, transfers
from ccops.store import quality_repo as repo
from ccops.store.models import Agent, Contact
from ccops.store.quality_models import QaEvaluation, QaSample, TrainingNeed
from tests.factories import START, contact_events

DAY0 = START.replace(tzinfo=None)


def _load(store: Engine, tmp_path: Path, n: int = 400) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in contact_events(n)))
    ingest_jsonl(store, path)


def _answers(**changes: object) -> dict:
    base = {
        i.key: (i.scale_max if i.kind is ItemKind.SCALE else "yes") for i in DEFAULT_FORM.items()
    }
    return {**base, **changes}


def _handled(session: Session, n: int = 1) -> list[Contact]:
    stmt = select(Contact).where(Contact.agent_id.is_not(None)).order_by(Contact.key).limit(n)
    return list(session.scalars(stmt))


def _window() -> tuple[datetime, datetime]:
    return DAY0 - timedelta(days=1), DAY0 + timedelta(days=7)


def test_forms_are_versioned_and_an_evaluation_keeps_its_version(store: Engine) -> None:
    with Session(store) as session:
        v1 = repo.publish_form(session, DEFAULT_FORM)
        assert repo.publish_form(session, DEFAULT_FORM).id == v1.id  # unchanged: same version
        v2 = repo.publish_form(session, revise(DEFAULT_FORM, notes="stricter"))
        assert (v1.version, v2.version) == (1, 2)
        assert repo.latest_form_version(session, "default").id == v2.id  # type: ignore[union-attr]
        assert repo.form_of(v1) == DEFAULT_FORM
        session.commit()


def test_a_dispute_decided_for_the_agent_changes_their_accuracy(
    store: Engine, tmp_path: Path
) -> None:
    _load(store, tmp_path)
    start, end = _window()
    with Session(store) as session:
        version = repo.publish_form(session, DEFAULT_FORM)
        qa = repo.ensure_evaluator(session, "qa-1", name="QA Analyst")
        contact = _handled(session)[0]
        agent_key = session.get(Agent, contact.agent_id).key  # type: ignore[union-attr]
        evaluation = repo.save_evaluation(
            session,
            contact=contact.key,
            evaluator_id=qa.id,
            form_version_id=version.id,
            answers=_answers(acc_correct_record="no"),
            item_comments={"acc_correct_record": "address not updated"},
        )
        session.commit()
        assert evaluation.accuracy_defect is True
        assert repo.accuracy_counts(session, start, end)[agent_key].accuracy == 0.0

        dispute = repo.open_dispute(
            session, evaluation.id, "I updated the address; see the note", actor="agent"
        )
        assert evaluation.status == "disputed"
        repo.comment_dispute(session, dispute.id, "Checked the CRM history", actor="lead")
        repo.decide_dispute(
            session,
            dispute.id,
            "amended",
            note="The record was updated after the call",
            actor="lead",
            answers={"acc_correct_record": "yes"},
        )
        session.commit()
        assert evaluation.status == "final" and evaluation.accuracy_defect is False
        assert evaluation.score == pytest.approx(100.0)
        assert repo.accuracy_counts(session, start, end)[agent_key].accuracy == 1.0
        trail = repo.dispute_trail(session, dispute.id)
        assert [e.action for e in trail] == ["opened", "commented", "decided"]
        decided = trail[-1].detail
        assert decided["before"]["accuracy_defect"] is True  # type: ignore[index]
        assert decided["after"]["accuracy_defect"] is False  # type: ignore[index]
        assert decided["changed_answers"] == {  # type: ignore[comparison-overlap]
            "acc_correct_record": {"from": "no", "to": "yes"}
        }
        with pytest.raises(repo.QualityError, match="already amended"):
            repo.decide_dispute(session, dispute.id, "upheld", note="again")


def test_a_voided_evaluation_and_calibration_scores_do_not_count(
    store: Engine, tmp_path: Path
) -> None:
    _load(store, tmp_path)
    start, end = _window()
    with Session(store) as session:
        version = repo.publish_form(session, DEFAULT_FORM)
        qa = repo.ensure_evaluator(session, "vendor", kind="third_party")
        first, second = _handled(session, 2)
        kept = repo.save_evaluation(
            session,
            contact=first.id,
            evaluator_id=qa.id,
            form_version_id=version.id,
            answers=_answers(),
        )
        voided = repo.save_evaluation(
            session,
            contact=second.id,
            evaluator_id=qa.id,
            form_version_id=version.id,
            answers=_answers(acc_correct_answer="no"),
        )
        dispute = repo.open_dispute(session, voided.id, "wrong agent", actor="agent")
        repo.decide_dispute(session, dispute.id, "voided", note="contact was misrouted")
        assert voided.status == "void"
        repo.acknowledge(session, kept.id)
        assert kept.status == "acknowledged" and kept.acknowledged_at is not None
        counts = repo.accuracy_counts(session, start, end)
        total = sum(c.evaluations for c in counts.values())
        assert total == 1


def test_a_failed_item_raises_a_training_need_with_its_source(
    store: Engine, tmp_path: Path
) -> None:
    _load(store, tmp_path)
    with Session(store) as session:
        version = repo.publish_form(session, DEFAULT_FORM)
        qa = repo.ensure_evaluator(session, "qa-1")
        contact = _handled(session)[0]
        evaluation = repo.save_evaluation(
            session,
            contact=contact.key,
            evaluator_id=qa.id,
            form_version_id=version.id,
            answers=_answers(proc_identity_verified="no", att_courtesy=2),
        )
        assert evaluation.score == 0.0 and evaluation.critical_failed
        needs = repo.training_needs_from_evaluation(session, evaluation.id)
        assert [(n.item_key, n.source) for n in needs] == [
            ("proc_identity_verified", "qa_evaluation"),
            ("att_courtesy", "qa_evaluation"),
        ]
        assert repo.training_needs_from_evaluation(session, evaluation.id) == []
        assert session.scalar(select(func.count()).select_from(TrainingNeed)) == 2
        due = DAY0 + timedelta(days=3)
        task = repo.add_coaching_task(
            session,
            agent_id=contact.agent_id,
            topic="Identity check",  # type: ignore[arg-type]
            due_at=due,
            evaluation_id=evaluation.id,
        )
        assert repo.overdue_coaching(session, at=due + timedelta(hours=1)) == [task]
        repo.complete_coaching_task(
            session, task.id, follow_up_at=due + timedelta(days=14), follow_up_note="re-sample"
        )
        assert repo.overdue_coaching(session, at=due + timedelta(hours=1)) == []
        session.commit()


def test_sampling_from_the_store_is_seeded_and_never_repeats_a_contact(
    store: Engine, tmp_path: Path
) -> None:
    _load(store, tmp_path)
    start, end = _window()
    with Session(store) as session:
        evaluators = [
            repo.ensure_evaluator(session, "qa-1"),
            repo.ensure_evaluator(session, "vendor", kind="third_party", capacity=2),
        ]
        preview = repo.sampling.draw(
            repo.candidates(session, start, end), 4, seed=7, rules=[long_handle(500)]
        )
        first = repo.sample_contacts(
            session,
            start=start,
            end=end,
            period="2026-W45",
            per_agent=4,
            seed=7,
            rules=[long_handle(500)],
            evaluators=evaluators,
        )
        session.commit()
        assert first.run == preview  # same seed, same draw
        assert all(s.evaluator_id is not None for s in first.samples)
        assert len(repo.evaluator_queue(session, evaluators[1].id)) > len(
            repo.evaluator_queue(session, evaluators[0].id)
        )
        second = repo.sample_contacts(
            session,
            start=start,
            end=end,
            period="2026-W45b",
            per_agent=4,
            seed=7,
            rules=[transfers()],
        )
        session.commit()
        ids = [s.contact_id for s in first.samples + second.samples]
        assert len(ids) == len(set(ids))
        total = session.scalar(select(func.count()).select_from(QaSample))
        assert total == len(ids)
        contact = session.get(Contact, first.samples[0].contact_id)
        version = repo.publish_form(session, DEFAULT_FORM)
        repo.save_evaluation(
            session,
            contact=contact.key,
            evaluator_id=evaluators[0].id,  # type: ignore[union-attr]
            form_version_id=version.id,
            answers=_answers(),
        )
        assert first.samples[0].status == "evaluated"
        evaluation = session.scalar(select(QaEvaluation))
        assert evaluation.sample_id == first.samples[0].id  # type: ignore[union-attr]


def test_the_store_refuses_a_second_sample_of_the_same_contact(
    store: Engine, tmp_path: Path
) -> None:
    _load(store, tmp_path, n=50)
    with Session(store) as session:
        contact = _handled(session)[0]
        for _ in range(2):
            session.add(
                QaSample(
                    contact_id=contact.id,
                    agent_id=contact.agent_id,
                    period="p",
                    reason="random",
                    stratum="-",
                    seed=1,
                    status="assigned",
                    sampled_at=DAY0,
                )
            )
        with pytest.raises(IntegrityError):
            session.flush()
