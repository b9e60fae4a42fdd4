"""The pages' figures, from the metric catalog (`ccops.metrics`): no formula is written here.

Every page asks `figures` for catalog metrics cut by catalog dimensions, limited to the agents the
viewer may see (a `Scope`), so the overview, the interval report, the agent and team pages, the
CLI's `ccops report` and `GET /api/v1/report` give the same number for the same KPI.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.metrics import CATALOG, run_report
from ccops.metrics.catalog import REQUIREMENTS, REQUIREMENTS_ZH
from ccops.metrics.docs import target_text
from ccops.web.clock import center_zone

# What the overview, report, agent and team pages show (catalog ids).
PAGE_METRICS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "handled",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "aht_seconds",
)
# The report page's grains, as catalog time dimensions.
GRAIN_DIMENSIONS = {"15": "interval15", "30": "interval30", "day": "day", "week": "week"}


def empty() -> dict[str, Any]:
    """The figures of a group with no contacts: counts 0, ratios undefined."""
    return {m: (0 if CATALOG[m].unit == "contacts" else None) for m in PAGE_METRICS}


def figures(
    engine: Engine,
    session: Session,
    by: Sequence[str],
    start: datetime,
    end: datetime,
    agents: Sequence[int] | None = None,
    metrics: Sequence[str] = PAGE_METRICS,
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Catalog `metrics` for contacts offered in [start, end) (naive UTC), keyed by `by` values.

    Time dimensions are bucketed in the center's zone; their keys are local datetimes (intervals)
    or dates (day, week). `agents` limits the figures to those agents (None: everyone).
    """
    report = run_report(
        engine,
        list(metrics),
        list(by),
        start,
        end,
        center_zone(session).key,
        agents=agents,
    )
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in report.rows:
        key = tuple(row.pop(d) for d in by)
        out[key] = row
    return out


def queue_targets(queue: Any) -> dict[str, float | None]:
    """The targets a queue's figures are compared with: the queue's own, else the catalog's."""
    return {
        "service_level": queue.sl_target or CATALOG["service_level"].target,
        "asa_seconds": queue.sl_threshold_seconds or CATALOG["asa_seconds"].target,
        "abandon_rate": CATALOG["abandon_rate"].target,
        "aht_seconds": CATALOG["aht_seconds"].target,
    }


def definitions(language: str) -> list[dict[str, Any]]:
    """The catalog's definitions for the definitions page, in the page's language."""
    zh = language.startswith("zh")
    return [
        {
            "id": m.id,
            "name": m.name_zh if zh else m.name_en,
            "other_name": None if zh else m.name_zh,
            "formula": m.formula_zh if zh else m.formula,
            "better": m.better,
            "target": "" if m.target is None else target_text(m, zh),
            "requires": (REQUIREMENTS_ZH if zh else REQUIREMENTS).get(m.requires or ""),
            "notes": m.notes_zh if zh else m.notes,
            "events": None if zh else ", ".join(m.events),
        }
        for m in CATALOG.values()
    ]


def daily(days: int, last: date) -> list[date]:
    """The `days` dates ending with `last`."""
    return [last - timedelta(days=i) for i in range(days - 1, -1, -1)]
