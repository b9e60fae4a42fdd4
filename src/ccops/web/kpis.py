"""Day and interval KPIs for the pages — a stand-in until the metric catalog is ready.

TO BE REPLACED by `ccops.metrics` (the one catalog): when it offers its report function over the
store, the overview, report, agent and team pages call it instead of `summarise` below, and the
definitions page renders the catalog's own definitions. Until then the formulas here are the ones
written on the definitions page (`DEFINITIONS`), so what a page shows and what it says it shows
agree. Every read of agents' contacts passes a `Scope` condition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from ccops.store.models import Contact, Queue
from ccops.web.i18n import N_

ABANDON_TARGET = 0.05
AHT_TARGET = 300.0

DEFINITIONS: list[dict[str, str]] = [
    {
        "key": "service_level",
        "name": N_("Service level (SL)"),
        "formula": N_(
            "Contacts answered within the queue's threshold T ÷ (answered + abandoned after the "
            "short-abandon threshold S)"
        ),
        "unit": "%",
        "direction": N_("higher is better"),
        "target": N_("the queue's SL target (e.g. 80%% in 20 s)"),
    },
    {
        "key": "asa",
        "name": N_("Average speed of answer (ASA)"),
        "formula": N_("Total wait of answered contacts ÷ answered contacts"),
        "unit": "s",
        "direction": N_("lower is better"),
        "target": N_("the queue's threshold T"),
    },
    {
        "key": "abandonment",
        "name": N_("Abandonment rate"),
        "formula": N_(
            "Contacts abandoned after S seconds ÷ (offered − abandoned within S seconds)"
        ),
        "unit": "%",
        "direction": N_("lower is better"),
        "target": "5%%",
    },
    {
        "key": "aht",
        "name": N_("Average handle time (AHT)"),
        "formula": N_("(Talk + hold + after-call work) ÷ handled contacts"),
        "unit": "s",
        "direction": N_("lower is better"),
        "target": "300 s",
    },
    {
        "key": "offered",
        "name": N_("Offered"),
        "formula": N_("Contacts that entered the queue in the period"),
        "unit": "",
        "direction": "",
        "target": "",
    },
]


@dataclass
class Tally:
    """Running counts for one group of contacts."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    in_sl: int = 0
    wait_answered: float = 0.0
    handled: int = 0
    handle_time: float = 0.0

    def add(self, row: Any) -> None:
        """Count one contact row (see `_rows` for its columns)."""
        self.offered += 1
        wait = row.wait_seconds or 0.0
        if row.answered_at is not None:
            self.answered += 1
            self.wait_answered += wait
            if wait <= row.sl_threshold_seconds:
                self.in_sl += 1
            if row.ended_at is not None:
                self.handled += 1
                self.handle_time += (
                    (row.talk_seconds or 0) + (row.hold_seconds or 0) + (row.acw_seconds or 0)
                )
        elif row.abandoned_at is not None:
            if wait <= row.short_abandon_seconds:
                self.short_abandoned += 1
            else:
                self.abandoned += 1

    def figures(self) -> dict[str, Any]:
        """The KPIs of this group (None where undefined)."""
        closed = self.answered + self.abandoned
        counted = self.offered - self.short_abandoned
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "handled": self.handled,
            "service_level": self.in_sl / closed if closed else None,
            "asa": self.wait_answered / self.answered if self.answered else None,
            "abandonment": self.abandoned / counted if counted else None,
            "aht": self.handle_time / self.handled if self.handled else None,
        }


def _rows(
    session: Session, start: datetime, end: datetime, where: ColumnElement[bool]
) -> Iterable[Any]:
    stmt = (
        select(
            Contact.queue_id,
            Contact.agent_id,
            Contact.offered_at,
            Contact.answered_at,
            Contact.abandoned_at,
            Contact.ended_at,
            Contact.wait_seconds,
            Contact.talk_seconds,
            Contact.hold_seconds,
            Contact.acw_seconds,
            Queue.sl_threshold_seconds,
            Queue.short_abandon_seconds,
        )
        .join(Queue, Queue.id == Contact.queue_id)
        .where(Contact.offered_at >= start, Contact.offered_at < end, where)
    )
    return session.execute(stmt)


def summarise(
    session: Session,
    start: datetime,
    end: datetime,
    key: Callable[[Any], Any],
    where: ColumnElement[bool] | None = None,
) -> dict[Any, dict[str, Any]]:
    """KPIs of contacts offered in [start, end), grouped by `key(row)`."""
    tallies: dict[Any, Tally] = defaultdict(Tally)
    for row in _rows(session, start, end, where if where is not None else true()):
        tallies[key(row)].add(row)
    return {k: t.figures() for k, t in tallies.items()}


def bucket(ts: datetime, grain: str, zone: tzinfo) -> datetime:
    """The start of the interval (15/30 minutes, day or ISO week) holding `ts`, in local time."""
    local = ts.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    if grain in ("15", "30"):
        minutes = int(grain)
        return local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day


def queue_targets(queue: Any) -> dict[str, float]:
    """The targets a queue's figures are compared with."""
    return {
        "service_level": queue.sl_target,
        "asa": queue.sl_threshold_seconds,
        "abandonment": ABANDON_TARGET,
        "aht": AHT_TARGET,
    }


def daily(days: int, last: date) -> list[date]:
    """The `days` dates ending with `last`."""
    return [last - timedelta(days=i) for i in range(days - 1, -1, -1)]


def bucket_day(day: date) -> datetime:
    """The key `bucket(..., "day", ...)` gives to a local date."""
    return datetime(day.year, day.month, day.day)
