"""A small center with hand-computed answers: contacts and agent states as canonical events.

Queue `sales` keeps the defaults (T = 20 s, S = 5 s); queue `support` is configured T = 30 s,
S = 10 s. Agents a1 and a2 are in team `t1`; a1 costs 20 an hour. QA evaluations (`EVALUATIONS`)
cover every case of the accuracy rule: clean, defect, disputes upheld/amended/voided/still open,
a calibration score and an evaluation whose accuracy section is all N/A. Expected figures are
worked out by hand in tests/metrics/test_handmade_figures.py and test_accuracy.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from ccops.events import parse_event
from ccops.ingest.pipeline import ingest_events
from ccops.quality.forms import ACCURACY, DEFAULT_FORM, Form, Item, ItemKind, Section
from ccops.store import quality_repo
from ccops.store.models import Agent, Queue, Team
from ccops.store.quality_models import QaCalibrationSession

DAY1 = datetime(2026, 11, 2, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def _at(day: datetime, hhmm: str) -> datetime:
    h, m, *sec = hhmm.split(":")
    return day + timedelta(hours=int(h), minutes=int(m), seconds=float(sec[0]) if sec else 0)


def _iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


# key, day, offered hh:mm, queue, fate, wait, talk, hold, acw, agent, customer, reason, extra
CONTACTS: list[tuple[Any, ...]] = [
    ("s1", DAY1, "08:01", "sales", "answer", 10, 100, 0, 20, "a1", "k1", "billing", {}),
    ("s2", DAY1, "08:02", "sales", "answer", 20, 200, 30, 10, "a2", "k2", "billing", {}),
    ("s3", DAY1, "08:05", "sales", "answer", 25, 150, 0, 30, "a1", "k3", "card", {}),
    ("s4", DAY1, "08:10", "sales", "abandon", 3, 0, 0, 0, None, "k4", None, {}),
    ("s5", DAY1, "08:12", "sales", "abandon", 40, 0, 0, 0, None, "k5", None, {}),
    ("s6", DAY1, "08:20", "sales", "transfer", 5, 60, 0, None, "a2", "k1", "billing", {}),
    ("s7", DAY1, "08:35", "sales", "answer", 0, 90, 10, 20, "a1", None, None, {}),
    ("s8", DAY1, "08:40", "sales", "abandon", 5, 0, 0, 0, None, None, None, {}),
    ("s9", DAY1, "08:50", "sales", "answer", 30, 120, 0, None, "a2", "k6", None, {}),
    ("s13", DAY1, "08:15", "sales", "ivr", 0, 0, 0, 0, None, "k9", None, {}),
    ("p1", DAY1, "08:03", "support", "answer", 28, 300, 60, 40, "a3", "k7", "outage", {}),
    ("p2", DAY1, "08:07", "support", "abandon", 8, 0, 0, 0, None, None, None, {}),
    ("p3", DAY1, "08:33", "support", "answer", 45, 240, 0, 60, "a3", "k8", "outage", {}),
    ("p4", DAY1, "08:45", "support", "abandon", 15, 0, 0, 0, None, None, None, {}),
    (
        "p5", DAY1, "08:47", "support", "answer", 31, 180, 20, None, "a4", "k7", "other",
        {"channel": "chat", "segment": "gold", "vip_tier": 2},
    ),
    ("s10", DAY2, "09:00", "sales", "answer", 12, 100, 0, 20, "a1", "k6", None, {}),
    ("s11", DAY2, "09:10", "sales", "abandon", 2, 0, 0, 0, None, "k2", "billing", {}),
    (
        "p6", DAY2, "10:00", "support", "answer", 10, 100, 0, 10, "a3", "k8", "outage",
        {"direction": "outbound"},
    ),
    ("s12", DAY1 + timedelta(days=7), "08:06", "sales", "answer", 9, 50, 0, 0, "a1", "k3", "card",
     {}),
]  # fmt: skip

# agent, day, [(hh:mm[:ss.fff], state)] — each state lasts until the next
STATES: list[tuple[str, datetime, list[tuple[str, str]]]] = [
    (
        "a1",
        DAY1,
        [
            ("08:00", "available"),
            ("08:10", "talking"),
            ("08:40", "after_call_work"),
            ("08:50", "available"),
            ("09:00", "break"),
            ("09:15", "available"),
            ("09:30", "offline"),
        ],
    ),
    (
        "a2",
        DAY1,
        [
            ("08:00", "available"),
            ("08:05", "talking"),
            ("08:20", "holding"),
            ("08:25", "talking"),
            ("08:55", "after_call_work"),
            ("09:05", "available"),
            ("09:30", "lunch"),
            ("10:00", "offline"),
        ],
    ),
    (  # sub-second timestamps: durations count in whole (floored) seconds on every engine
        "a5",
        DAY2,
        [("10:00:00.700", "available"), ("10:10:00.400", "talking"), ("10:20:00.900", "offline")],
    ),
]


def contact_event_dicts() -> list[dict[str, Any]]:
    """The contacts above as canonical events."""
    out: list[dict[str, Any]] = []
    for key, day, hhmm, queue, fate, wait, talk, hold, acw, agent, cust, reason, extra in CONTACTS:
        offered = _at(day, hhmm)
        offer: dict[str, Any] = {
            "id": f"{key}-offer",
            "type": "contact.offered",
            "at": _iso(offered),
            "contact": key,
            "queue": queue,
            **extra,
        }
        if cust:
            offer["customer"] = cust
        if reason:
            offer["reason"] = reason
        out.append(offer)
        left = offered + timedelta(seconds=wait)
        if fate == "abandon":
            out.append({"id": f"{key}-ab", "type": "contact.abandoned", "at": _iso(left),
                        "contact": key})  # fmt: skip
            continue
        if fate == "ivr":
            out.append({"id": f"{key}-end", "type": "contact.ended", "at": _iso(left),
                        "contact": key, "outcome": "contained_in_ivr"})  # fmt: skip
            continue
        out.append({"id": f"{key}-ans", "type": "contact.answered", "at": _iso(left),
                    "contact": key, "agent": agent})  # fmt: skip
        ended = left + timedelta(seconds=talk + hold)
        if fate == "transfer":
            out.append({"id": f"{key}-xfer", "type": "contact.transferred", "at": _iso(ended),
                        "contact": key, "to_queue": "backoffice"})  # fmt: skip
        out.append({"id": f"{key}-end", "type": "contact.ended", "at": _iso(ended),
                    "contact": key, "hold_seconds": hold})  # fmt: skip
        if acw is not None:
            out.append({"id": f"{key}-wrap", "type": "contact.wrapped",
                        "at": _iso(ended + timedelta(seconds=acw)), "contact": key})  # fmt: skip
    return out


def state_event_dicts() -> list[dict[str, Any]]:
    """The agents' state timelines above as canonical events."""
    return [
        {"id": f"{agent}-{hhmm}", "type": "agent.state", "at": _iso(_at(day, hhmm)),
         "agent": agent, "state": state}
        for agent, day, timeline in STATES
        for hhmm, state in timeline
    ]  # fmt: skip


def ingest(engine: Engine, events: list[dict[str, Any]], source: str = "test") -> None:
    """Events through the one ingest path (parse → Ingestor → store writer)."""
    ingest_events(engine, [parse_event(e) for e in events], source)


def configure(engine: Engine) -> None:
    """The center's configuration (not events): support's thresholds, team t1, a1's cost rate."""
    with engine.begin() as conn:
        conn.execute(
            update(Queue)
            .where(Queue.key == "support")
            .values(sl_threshold_seconds=30.0, short_abandon_seconds=10.0)
        )
        conn.execute(insert(Team).values(key="t1", name="Team one"))
        team_id = conn.scalar(select(Team.id).where(Team.key == "t1"))
        conn.execute(update(Agent).where(Agent.key.in_(["a1", "a2"])).values(team_id=team_id))
        conn.execute(update(Agent).where(Agent.key == "a1").values(cost_rate_per_hour=20.0))


# A form whose accuracy section may be wholly N/A (then the evaluation is not counted).
MINI_FORM = Form(
    key="mini",
    name="Mini form",
    sections=(
        Section(ACCURACY, "Accuracy", 50, (Item("acc_ok", "Accurate"),)),
        Section("manner", "Manner", 50, (Item("polite", "Polite"),)),
    ),
)

# contact, form, accuracy defect?, what happens next (None, acknowledged, upheld, amended,
# voided, disputed = still open, calibration, na = accuracy section N/A)
EVALUATIONS: list[tuple[str, str, bool, str | None]] = [
    ("s1", "default", True, None),  # a1 day 1: counted, defect
    ("s3", "default", False, None),  # a1 day 1: counted, accurate
    ("s7", "default", False, "acknowledged"),  # a1 day 1: counted, accurate
    ("s2", "default", True, "amended"),  # a2 day 1: overturned → counted accurate
    ("s6", "default", True, "upheld"),  # a2 day 1: counted, defect
    ("s9", "default", True, "voided"),  # a2 day 1: not counted
    ("p1", "mini", False, "na"),  # a3 day 1: accuracy N/A → not counted
    ("p3", "default", True, "calibration"),  # a3 day 1: calibration score → not counted
    ("p3", "default", False, None),  # a3 day 1: counted, accurate
    ("p5", "default", True, "disputed"),  # a4 day 1 (chat, VIP 2): open dispute → defect
    ("s10", "default", False, None),  # a1 day 2: counted, accurate
    ("p6", "default", True, None),  # a3 day 2 (outbound): counted, defect
]


def _answers(defect: bool) -> dict[str, Any]:
    base = {
        i.key: (i.scale_max if i.kind is ItemKind.SCALE else "yes") for i in DEFAULT_FORM.items()
    }
    return {**base, "acc_correct_record": "no"} if defect else base


def evaluate(engine: Engine) -> None:
    """Store `EVALUATIONS` through the quality repository, disputes decided as listed."""
    when = DAY2 + timedelta(days=1)
    with Session(engine) as db:
        default = quality_repo.publish_form(db, DEFAULT_FORM)
        mini = quality_repo.publish_form(db, MINI_FORM)
        qa = quality_repo.ensure_evaluator(db, "qa-1")
        calibration = QaCalibrationSession(
            name="week 45", form_version_id=default.id, created_at=when.replace(tzinfo=None)
        )
        db.add(calibration)
        db.flush()
        for contact, form, defect, then in EVALUATIONS:
            if form == "mini":
                answers: dict[str, Any] = {"acc_ok": "na", "polite": "yes"}
            else:
                answers = _answers(defect)
            evaluation = quality_repo.save_evaluation(
                db,
                contact=contact,
                evaluator_id=qa.id,
                form_version_id=(mini if form == "mini" else default).id,
                answers=answers,
                calibration_session_id=calibration.id if then == "calibration" else None,
            )
            if then == "acknowledged":
                quality_repo.acknowledge(db, evaluation.id)
            elif then in ("upheld", "amended", "voided", "disputed"):
                dispute = quality_repo.open_dispute(db, evaluation.id, "I updated the record")
                if then != "disputed":
                    quality_repo.decide_dispute(
                        db,
                        dispute.id,
                        then,
                        note="checked the recording",
                        answers={"acc_correct_record": "yes"} if then == "amended" else None,
                    )
        db.commit()


def build(engine: Engine) -> None:
    """Load the handmade center into an empty, migrated store."""
    ingest(engine, contact_event_dicts() + state_event_dicts())
    configure(engine)
    evaluate(engine)
