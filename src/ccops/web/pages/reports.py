"""Today's overview, the interval report (charts and exports) and the metric definitions."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ccops.api.deps import EngineDep, ScopeDep, SessionDep
from ccops.store.models import Contact, Queue
from ccops.web import kpis
from ccops.web.clock import day_bounds_utc, local_day, requested_day
from ccops.web.templating import language_of, render

router = APIRouter()

GRAINS = ("15", "30", "day", "week")
MAX_DAYS = 92


@router.get("/", include_in_schema=False)
def overview(
    request: Request, scope: ScopeDep, db: SessionDep, engine: EngineDep, day: str | None = None
) -> Response:
    """Per queue for one day: SL, ASA, abandonment, AHT against targets (the catalog's)."""
    scope.require("overview")
    the_day = requested_day(day, db)
    start, end = day_bounds_utc(db, the_day)
    figures = kpis.figures(engine, db, ["queue"], start, end, scope.agent_id_list(db))
    queues = db.scalars(select(Queue).order_by(Queue.priority.desc(), Queue.name)).all()
    rows: list[dict[str, Any]] = [
        {
            "queue": q,
            "kpi": figures.get((q.key,)) or kpis.empty(),
            "target": kpis.queue_targets(q),
        }
        for q in queues
    ]
    latest = None
    if not any(r["kpi"]["offered"] for r in rows):
        last = db.scalar(select(Contact.offered_at).order_by(Contact.offered_at.desc()).limit(1))
        if last is not None:
            latest = local_day(db, last)
    return render(
        request,
        "overview.html",
        rows=rows,
        day=the_day,
        latest=latest,
        previous=the_day - timedelta(days=1),
        next=the_day + timedelta(days=1),
    )


def _series(
    engine: Engine,
    db: Session,
    agents: list[int] | None,
    first: date,
    days: int,
    grain: str,
    queue: str | None,
) -> list[dict[str, Any]]:
    if grain not in GRAINS:
        raise HTTPException(400, f"grain must be one of {', '.join(GRAINS)}")
    if not 1 <= days <= MAX_DAYS:
        raise HTTPException(400, f"days must be 1 to {MAX_DAYS}")
    start, end = day_bounds_utc(db, first, days)
    time_dim = kpis.GRAIN_DIMENSIONS[grain]
    by = [time_dim]
    if queue:
        if db.scalar(select(Queue.id).where(Queue.key == queue)) is None:
            raise HTTPException(404, "no such queue")
        by.append("queue")
    figures = kpis.figures(engine, db, by, start, end, agents)
    rows = []
    for key, values in sorted(figures.items()):
        if queue and key[1] != queue:
            continue
        at = key[0]
        label = at.isoformat(timespec="minutes") if isinstance(at, datetime) else at.isoformat()
        rows.append({"interval": label, **values})
    return rows


@router.get("/report", include_in_schema=False)
def report_page(
    request: Request,
    scope: ScopeDep,
    db: SessionDep,
    engine: EngineDep,
    day: str | None = None,
    days: int = 1,
    grain: str = "30",
    queue: str | None = None,
) -> Response:
    """The interval report: charts by 15/30 minutes, day or week, with CSV and Excel exports."""
    scope.require("reports")
    first = requested_day(day, db)
    rows = _series(engine, db, scope.agent_id_list(db), first, days, grain, queue)
    queues = db.scalars(select(Queue).order_by(Queue.name)).all()
    return render(
        request,
        "report.html",
        rows=rows,
        day=first,
        days=days,
        grain=grain,
        queue=queue or "",
        queues=queues,
        grains=GRAINS,
    )


COLUMNS = ["interval", *kpis.PAGE_METRICS]


@router.get("/report/export.{fmt}", include_in_schema=False)
def report_export(
    fmt: str,
    scope: ScopeDep,
    db: SessionDep,
    engine: EngineDep,
    day: str | None = None,
    days: int = 1,
    grain: str = "30",
    queue: str | None = None,
) -> Response:
    """The interval report as CSV or Excel."""
    scope.require("reports")
    rows = _series(engine, db, scope.agent_id_list(db), requested_day(day, db), days, grain, queue)
    name = f"ccops-report-{day or 'today'}-{grain}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "report"
        sheet.append(COLUMNS)
        for row in rows:
            sheet.append([row[c] for c in COLUMNS])
        data = io.BytesIO()
        book.save(data)
        return Response(
            data.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    raise HTTPException(404, "export as csv or xlsx")


@router.get("/definitions", include_in_schema=False)
def definitions(request: Request, _scope: ScopeDep) -> Response:
    """How every figure on these pages is computed."""
    return render(request, "definitions.html", definitions=kpis.definitions(language_of(request)))
