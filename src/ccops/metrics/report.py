"""Run a report: catalog metrics cut by dimensions over a window, on any metric source.

Measures are summed by the engine; ratios are formed here from the sums (never averaged), so the
figures are identical wherever the sums are.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend
from sqlalchemy import Engine

from ccops.metrics.catalog import MEASURES, Metric, parse_metrics
from ccops.metrics.compile import Scope, aggregate, contact_facts, state_facts
from ccops.metrics.dimensions import (
    DAY,
    DIMENSIONS,
    Dimension,
    bucket_value,
    epoch,
    month_starts,
    offsets,
    parse_dimensions,
    zone,
)
from ccops.metrics.errors import DimensionError, MetricError, MetricUnavailableError
from ccops.metrics.sources import connect
from ccops.store.models import Agent, AgentStateInterval, Contact

Moment = date | datetime | str


@dataclass(slots=True)
class Report:
    """A computed report: one row per combination of dimension values, with each metric."""

    metrics: tuple[Metric, ...]
    dimensions: tuple[Dimension, ...]
    rows: list[dict[str, Any]]
    time_zone: str = "UTC"
    start: datetime | None = None
    end: datetime | None = None
    elapsed_seconds: float = 0.0
    explained: bool = False
    measures: dict[tuple[Any, ...], dict[str, float | None]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Dimension ids, then metric ids (then `contacts` when explained)."""
        cols = [d.id for d in self.dimensions] + [m.id for m in self.metrics]
        return [*cols, "contacts"] if self.explained else cols

    def json_rows(self) -> list[dict[str, Any]]:
        """Rows with time buckets as ISO 8601 text (local to the report's zone)."""
        return [{k: _plain(v) for k, v in row.items()} for row in self.rows]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _parse_moment(value: Moment | None) -> date | datetime | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise MetricError(f"not a date or ISO timestamp: {value!r}") from None


def _utc(value: date | datetime | None, tz: Any, end: bool) -> datetime | None:
    """Naive UTC instant: a date is local midnight (an end date is inclusive: the next midnight)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)
    day = value + timedelta(days=1) if end else value
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    return local.astimezone(UTC).replace(tzinfo=None)


def _check_dimensions(metrics: Sequence[Metric], dims: Sequence[Dimension]) -> None:
    for metric in metrics:
        bad = [d.id for d in dims if d.id not in metric.dimensions]
        if bad:
            allowed = ", ".join(d for d in DIMENSIONS if d in metric.dimensions)
            raise DimensionError(
                f"{metric.id} cannot be cut by {', '.join(bad)} (it comes from agent states; "
                f"it may be cut by: {allowed})"
            )


def _data_bounds(con: BaseBackend) -> tuple[int, int]:
    c = con.table(Contact.__tablename__)
    s = con.table(AgentStateInterval.__tablename__)
    values = [
        c.offered_at.min().to_pyarrow().as_py(),
        c.offered_at.max().to_pyarrow().as_py(),
        s.start_at.min().to_pyarrow().as_py(),
        s.start_at.max().to_pyarrow().as_py(),
    ]
    found = [epoch(v) for v in values if v is not None]
    now = int(time.time())
    return (min(found), max(found)) if found else (now, now)


def _has_cost_rates(con: BaseBackend) -> bool:
    a = con.table(Agent.__tablename__)
    n = a.filter(a.cost_rate_per_hour.notnull()).count().to_pyarrow().as_py()
    return bool(n)


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, v if v is not None else 0) for v in key)


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return value
    return float(value)  # Decimal from PostgreSQL sums


@dataclass(frozen=True, slots=True)
class _Plan:
    con: BaseBackend
    metrics: tuple[Metric, ...]
    dims: tuple[Dimension, ...]
    scope: Scope
    time_zone: str
    measures: tuple[str, ...]


def _plan(
    source: BaseBackend | str | Path | Engine,
    metrics: str | Sequence[str],
    by: str | Sequence[str] | None,
    start: Moment | None,
    end: Moment | None,
    time_zone: str | None,
    as_of: datetime | None,
) -> _Plan:
    chosen = parse_metrics(metrics if isinstance(metrics, str) else list(metrics))
    dims = parse_dimensions(by if by is None or isinstance(by, str) else list(by))
    _check_dimensions(chosen, dims)
    tz = zone(time_zone)
    start_utc = _utc(_parse_moment(start), tz, end=False)
    end_utc = _utc(_parse_moment(end), tz, end=True)
    if start_utc is not None and end_utc is not None and end_utc <= start_utc:
        raise MetricError("the report's end is not after its start")
    con = source if isinstance(source, BaseBackend) else connect(source)
    needed = tuple(sorted({m for metric in chosen for m in metric.measures}))
    if "agent_cost" in needed and not _has_cost_rates(con):
        ids = ", ".join(m.id for m in chosen if "agent_cost" in m.measures)
        raise MetricUnavailableError(
            f"{ids} needs agents' cost rates (agents.cost_rate_per_hour); none is configured"
        )
    as_of_epoch = epoch(as_of or datetime.now(UTC))
    segs: list[tuple[int, int]] = [(0, 0)]
    months: list[int] = [0]
    monthly = any(d.id == "month" for d in dims)
    if tz.key != "UTC" or monthly:
        lo, hi = _data_bounds(con) if start_utc is None or end_utc is None else (0, 0)
        lo = epoch(start_utc) if start_utc is not None else lo
        hi = epoch(end_utc) if end_utc is not None else max(hi, as_of_epoch)
        lo, hi = lo - 2 * DAY, hi + 2 * DAY
        if tz.key != "UTC":
            segs = offsets(tz, lo, hi)
        if monthly:
            months = month_starts(lo + min(o for _, o in segs), hi + max(o for _, o in segs))
    scope = Scope(start_utc, end_utc, tuple(segs), as_of_epoch, tuple(months))
    return _Plan(con, chosen, dims, scope, tz.key, needed)


def run_report(
    source: BaseBackend | str | Path | Engine,
    metrics: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    start: Moment | None = None,
    end: Moment | None = None,
    time_zone: str | None = None,
    as_of: datetime | None = None,
    explain: bool = False,
) -> Report:
    """Compute `metrics` cut `by` dimensions for contacts offered in [start, end].

    `start`/`end` dates are days in `time_zone` (`end` inclusive); datetimes are instants (naive =
    UTC; `end` exclusive). Time buckets are local to `time_zone` (default UTC). Agent states still
    open are counted up to `as_of` (default now).
    """
    started = time.perf_counter()
    plan = _plan(source, metrics, by, start, end, time_zone, as_of)
    dims = plan.dims
    keys = [d.id for d in dims]
    sums: dict[tuple[Any, ...], dict[str, float | None]] = defaultdict(dict)
    contact_measures = [m for m in plan.measures if MEASURES[m].source == "contacts"]
    state_measures = [m for m in plan.measures if MEASURES[m].source == "agent_states"]
    for wanted, facts_of in (
        (contact_measures, contact_facts),
        (state_measures, state_facts),
    ):
        if not wanted:
            continue
        table = aggregate(facts_of(plan.con, dims, wanted, plan.scope), dims, wanted)
        for rec in table.to_pyarrow().to_pylist():
            key = tuple(rec[k] for k in keys)
            sums[key].update({m: _number(rec[m]) for m in wanted})
    explained = _explain(plan.con, dims, contact_measures, plan.scope) if explain else {}
    rows = []
    for key in sorted(sums, key=_sort_key):
        row: dict[str, Any] = {}
        for d, v in zip(dims, key, strict=True):
            row[d.id] = bucket_value(d, v) if d.is_time and v is not None else v
        for metric in plan.metrics:
            row[metric.id] = metric.value(sums[key])
        if explain:
            row["contacts"] = explained.get(key, [])
        rows.append(row)
    return Report(
        plan.metrics,
        dims,
        rows,
        time_zone=plan.time_zone,
        start=plan.scope.start,
        end=plan.scope.end,
        elapsed_seconds=time.perf_counter() - started,
        explained=explain,
        measures=dict(sums),
    )


def _explain(
    con: BaseBackend, dims: Sequence[Dimension], measures: Sequence[str], scope: Scope
) -> dict[tuple[Any, ...], list[str]]:
    """Per row key, the keys of the contacts that count in any of the report's contact measures."""
    if not measures:
        return {}
    facts = contact_facts(con, dims, measures, scope, with_key=True)
    out: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for rec in facts.to_pyarrow().to_pylist():
        if any(rec[m] for m in measures):
            out[tuple(rec[d.id] for d in dims)].append(rec["contact"])
    return {k: sorted(v) for k, v in out.items()}


def explain_contacts(
    source: BaseBackend | str | Path | Engine,
    metrics: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    start: Moment | None = None,
    end: Moment | None = None,
    time_zone: str | None = None,
) -> list[dict[str, Any]]:
    """Every contact in a report's scope: key, dimension values and its part in each measure.

    Contacts that count in none of the measures (e.g. a short abandon for service level) are
    listed too, with zeros, so an exclusion can be seen as well as an inclusion.
    """
    plan = _plan(source, metrics, by, start, end, time_zone, None)
    needed = [m for m in plan.measures if MEASURES[m].source == "contacts"]
    if not needed:
        return []
    facts = contact_facts(plan.con, plan.dims, needed, plan.scope, with_key=True)
    out = []
    for rec in facts.to_pyarrow().to_pylist():
        for d in plan.dims:
            if d.is_time and rec[d.id] is not None:
                rec[d.id] = bucket_value(d, rec[d.id])
        out.append(rec)
    return sorted(out, key=lambda r: r["contact"])
