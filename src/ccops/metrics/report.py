"""Run a report: catalog metrics cut by dimensions over a window, on any metric source.

Measures are summed by the engine; ratios are formed here from the sums (never averaged), so the
figures are identical wherever the sums are.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend
from sqlalchemy import Engine

from ccops.metrics.catalog import MEASURES, Metric, Source, parse_metrics
from ccops.metrics.compile import (
    Scope,
    aggregate,
    contact_facts,
    evaluation_facts,
    schedule_facts,
    state_facts,
)
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
    """A computed report: one row per combination of dimension values, with each metric.

    `table` is columnar (Arrow): dimension columns (time buckets as local timestamps or dates),
    then one column per metric, then `contacts` when explained. `sums` holds the summed measures
    by raw key (time buckets as local epoch seconds), for roll-ups and checks.
    """

    metrics: tuple[Metric, ...]
    dimensions: tuple[Dimension, ...]
    table: pa.Table
    sums: pa.Table
    time_zone: str = "UTC"
    start: datetime | None = None
    end: datetime | None = None
    elapsed_seconds: float = 0.0
    explained: bool = False

    @property
    def columns(self) -> list[str]:
        """Dimension ids, then metric ids (then `contacts` when explained)."""
        cols = [d.id for d in self.dimensions] + [m.id for m in self.metrics]
        return [*cols, "contacts"] if self.explained else cols

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by dimension and metric ids (Python values)."""
        rows: list[dict[str, Any]] = self.table.to_pylist()
        return rows

    @property
    def measures(self) -> dict[tuple[Any, ...], dict[str, Any]]:
        """Summed measures per raw key tuple (time buckets as local epoch seconds)."""
        keys = [d.id for d in self.dimensions]
        return {tuple(rec.pop(k) for k in keys): rec for rec in self.sums.to_pylist()}

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


@dataclass(frozen=True, slots=True)
class _Plan:
    con: BaseBackend
    metrics: tuple[Metric, ...]
    dims: tuple[Dimension, ...]
    scope: Scope
    time_zone: str
    measures: tuple[str, ...]
    owned: bool  # the connection was opened here, so it is closed here

    def close(self) -> None:
        """Close the backend connection if this plan opened it."""
        if self.owned:
            self.con.disconnect()


def _plan(
    source: BaseBackend | str | Path | Engine,
    metrics: str | Sequence[str],
    by: str | Sequence[str] | None,
    start: Moment | None,
    end: Moment | None,
    time_zone: str | None,
    as_of: datetime | None,
    agents: Sequence[int] | None = None,
) -> _Plan:
    chosen = parse_metrics(metrics if isinstance(metrics, str) else list(metrics))
    dims = parse_dimensions(by if by is None or isinstance(by, str) else list(by))
    _check_dimensions(chosen, dims)
    tz = zone(time_zone)
    start_utc = _utc(_parse_moment(start), tz, end=False)
    end_utc = _utc(_parse_moment(end), tz, end=True)
    if start_utc is not None and end_utc is not None and end_utc <= start_utc:
        raise MetricError("the report's end is not after its start")
    owned = not isinstance(source, BaseBackend)
    con: BaseBackend = source if isinstance(source, BaseBackend) else connect(source)
    try:
        plan = _plan_on(con, owned, chosen, dims, tz, start_utc, end_utc, as_of)
        if agents is None:
            return plan
        limited = replace(plan.scope, agents=tuple(sorted(set(agents))) or (-1,))  # -1: no one
        return replace(plan, scope=limited)
    except BaseException:
        if owned:
            con.disconnect()
        raise


def _plan_on(
    con: BaseBackend,
    owned: bool,
    chosen: tuple[Metric, ...],
    dims: tuple[Dimension, ...],
    tz: ZoneInfo,
    start_utc: datetime | None,
    end_utc: datetime | None,
    as_of: datetime | None,
) -> _Plan:
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
    return _Plan(con, chosen, dims, scope, tz.key, needed, owned)


def run_report(
    source: BaseBackend | str | Path | Engine,
    metrics: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    start: Moment | None = None,
    end: Moment | None = None,
    time_zone: str | None = None,
    as_of: datetime | None = None,
    explain: bool = False,
    agents: Sequence[int] | None = None,
) -> Report:
    """Compute `metrics` cut `by` dimensions for contacts offered in [start, end].

    `start`/`end` dates are days in `time_zone` (`end` inclusive); datetimes are instants (naive =
    UTC; `end` exclusive). Time buckets are local to `time_zone` (default UTC). Agent states still
    open are counted up to `as_of` (default now). `agents` (store ids) limits the report to those
    agents' contacts and states: how a team lead or an agent sees only their own.
    """
    started = time.perf_counter()
    plan = _plan(source, metrics, by, start, end, time_zone, as_of, agents)
    try:
        sums = _sums(plan)
        table = _metric_table(plan, sums)
        if explain:
            explained = _explain(plan.con, plan.dims, plan.measures, plan.scope)
            keys = zip(*(sums.column(d.id).to_pylist() for d in plan.dims), strict=True)
            lists = [explained.get(k, []) for k in keys] if plan.dims else [explained.get((), [])]
            table = table.append_column("contacts", pa.array(lists, pa.list_(pa.string())))
    finally:
        plan.close()
    return Report(
        plan.metrics,
        plan.dims,
        table,
        sums,
        time_zone=plan.time_zone,
        start=plan.scope.start,
        end=plan.scope.end,
        elapsed_seconds=time.perf_counter() - started,
        explained=explain,
    )


_NULL_KEY = "\uffff<null>"
SOURCES: tuple[Source, ...] = ("contacts", "agent_states", "qa_evaluations", "schedules")
FACTS: dict[Source, Callable[[BaseBackend, Sequence[Dimension], Sequence[str], Scope], Any]] = {
    "contacts": contact_facts,
    "agent_states": state_facts,
    "qa_evaluations": evaluation_facts,
    "schedules": schedule_facts,
}


def _engine_sums(plan: _Plan, source: Source) -> pa.Table | None:
    """One source's measures summed per dimension key by the engine, with uniform types."""
    wanted = [m for m in plan.measures if MEASURES[m].source == source]
    if not wanted:
        return None
    facts = FACTS[source](plan.con, plan.dims, wanted, plan.scope)
    table = aggregate(facts, plan.dims, wanted)
    arrow = table.to_pyarrow()
    cols: dict[str, pa.Array] = {}
    for d in plan.dims:
        col = arrow.column(d.id)
        if d.is_time or d.id == "vip_tier":
            cols[d.id] = pc.cast(col, pa.int64())
        else:
            cols[d.id] = pc.cast(col, pa.string())
    for m in wanted:
        cols[m] = pc.cast(arrow.column(m), pa.float64())  # Decimal sums from PostgreSQL too
    return pa.table(cols)


def _sums(plan: _Plan) -> pa.Table:
    """Measures of every source merged on the dimension key (full outer), sorted by key."""
    found = (_engine_sums(plan, source) for source in SOURCES)
    parts = [t for t in found if t is not None]
    keys = [d.id for d in plan.dims]
    if len(parts) == 1:
        merged = parts[0]
    elif not keys:
        merged = pa.table({n: p.column(n) for p in parts for n in p.column_names})
    else:
        # Arrow joins never match null keys; agent/team may be null on both sides
        text = [d.id for d in plan.dims if not (d.is_time or d.id == "vip_tier")]

        def sentinel(t: pa.Table) -> pa.Table:
            for k in text:
                t = t.set_column(t.column_names.index(k), k, pc.fill_null(t.column(k), _NULL_KEY))
            return t

        merged = sentinel(parts[0])
        for part in parts[1:]:
            merged = merged.join(
                sentinel(part), keys=keys, join_type="full outer", coalesce_keys=True
            )
        for k in text:
            col = merged.column(k)
            restored = pc.if_else(pc.equal(col, _NULL_KEY), pa.scalar(None, pa.string()), col)
            merged = merged.set_column(merged.column_names.index(k), k, restored)
    for m in plan.measures:  # a source with no row for a key counted nothing there
        if m != "agent_cost":  # ...but an unknown cost stays unknown
            merged = merged.set_column(
                merged.column_names.index(m), m, pc.fill_null(merged.column(m), 0.0)
            )
    if keys and merged.num_rows:
        order = pc.sort_indices(merged, sort_keys=[(k, "ascending", "at_end") for k in keys])
        merged = merged.take(order)
    return merged


def _metric_table(plan: _Plan, sums: pa.Table) -> pa.Table:
    """Dimension columns for display, then each metric as sum(numerator) × scale ÷ sum(den)."""
    cols: dict[str, pa.Array] = {}
    for d in plan.dims:
        col = sums.column(d.id)
        if d.is_time:
            ts = pc.cast(pc.multiply(col, 1_000_000), pa.timestamp("us"))
            cols[d.id] = pc.cast(ts, pa.date32()) if d.id in ("day", "week", "month") else ts
        else:
            cols[d.id] = col
    for metric in plan.metrics:
        assert metric.numerator is not None  # parse_metrics refuses metrics that require data
        num = sums.column(metric.numerator)
        if metric.denominator is None:
            if metric.unit == "contacts":
                cols[metric.id] = pc.cast(num, pa.int64())
            else:
                scaled = pc.cast(num, pa.float64())
                cols[metric.id] = pc.multiply(scaled, metric.scale) if metric.scale != 1 else num
            continue
        den = sums.column(metric.denominator)
        ratio = pc.divide(pc.multiply(num, metric.scale) if metric.scale != 1 else num, den)
        null = pa.scalar(None, pa.float64())
        cols[metric.id] = pc.if_else(pc.equal(den, 0.0), null, ratio)
    return pa.table(cols)


def _explain(
    con: BaseBackend, dims: Sequence[Dimension], measures: Sequence[str], scope: Scope
) -> dict[tuple[Any, ...], list[str]]:
    """Per row key, the keys of the contacts that count in any of the report's contact measures
    (and, for accuracy, the contacts whose evaluations count)."""
    found: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for source, facts_of in (("contacts", contact_facts), ("qa_evaluations", evaluation_facts)):
        wanted = [m for m in measures if MEASURES[m].source == source]
        if not wanted:
            continue
        facts = facts_of(con, dims, wanted, scope, with_key=True)
        for rec in facts.to_pyarrow().to_pylist():
            if any(rec[m] for m in wanted):
                found[tuple(rec[d.id] for d in dims)].add(rec["contact"])
    return {k: sorted(v) for k, v in found.items()}


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
    try:
        facts = contact_facts(plan.con, plan.dims, needed, plan.scope, with_key=True)
        records = facts.to_pyarrow().to_pylist() if needed else []
    finally:
        plan.close()
    out = []
    for rec in records:
        for d in plan.dims:
            if d.is_time and rec[d.id] is not None:
                rec[d.id] = bucket_value(d, rec[d.id])
        out.append(rec)
    return sorted(out, key=lambda r: r["contact"])
