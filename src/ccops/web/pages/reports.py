"""Today's overview, the interval report (charts and exports) and the metric definitions."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccops.api.deps import ScopeDep, SessionDep
from ccops.store.models import Contact, Queue
from ccops.web import kpis
from ccops.web.clock import center_zone, day_bounds_utc, local_day, utcnow
from ccops.web.templating import render

router = APIRouter()

GRAINS = ("15", "30", "day", "week")
MAX_DAYS = 92


def _day(value: str | None, session: Session) -> date:
    if not value:
        return local_day(session, utcnow())
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, "day must be YYYY-MM-DD") from None


@router.get("/", include_in_schema=False)
def overview(request: Request, scope: ScopeDep, db: SessionDep, day: str | None = None) -> Response:
    """Per queue for one day: SL, ASA, abandonment, AHT against targets."""
    scope.require("overview")
    the_day = _day(day, db)
    start, end = day_bounds_utc(db, the_day)
    figures = kpis.summarise(db, start, end, key=lambda r: r.queue_id)
    queues = db.scalars(select(Queue).order_by(Queue.priority.desc(), Queue.name)).all()
    rows: list[dict[str, Any]] = [
        {
            "queue": q,
            "kpi": figures.get(q.id) or kpis.Tally().figures(),
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
    db: Session, first: date, days: int, grain: str, queue: str | None
) -> list[dict[str, Any]]:
    if grain not in GRAINS:
        raise HTTPException(400, f"grain must be one of {', '.join(GRAINS)}")
    if not 1 <= days <= MAX_DAYS:
        raise HTTPException(400, f"days must be 1 to {MAX_DAYS}")
    start, end = day_bounds_utc(db, first, days)
    zone = center_zone(db)
    where = None
    if queue:
        qid = db.scalar(select(Queue.id).where(Queue.key == queue))
        if qid is None:
            raise HTTPException(404, "no such queue")
        where = Contact.queue_id == qid
    figures = kpis.summarise(
        db, start, end, key=lambda r: kpis.bucket(r.offered_at, grain, zone), where=where
    )
    return [{"interval": k.isoformat(timespec="minutes"), **v} for k, v in sorted(figures.items())]


@router.get("/report", include_in_schema=False)
def report_page(
    request: Request,
    scope: ScopeDep,
    db: SessionDep,
    day: str | None = None,
    days: int = 1,
    grain: str = "30",
    queue: str | None = None,
) -> Response:
    """The interval report: charts by 15/30 minutes, day or week, with CSV and Excel exports."""
    scope.require("reports")
    first = _day(day, db)
    rows = _series(db, first, days, grain, queue)
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


COLUMNS = [
    "interval",
    "offered",
    "answered",
    "abandoned",
    "handled",
    "service_level",
    "asa",
    "abandonment",
    "aht",
]


@router.get("/report/export.{fmt}", include_in_schema=False)
def report_export(
    fmt: str,
    scope: ScopeDep,
    db: SessionDep,
    day: str | None = None,
    days: int = 1,
    grain: str = "30",
    queue: str | None = None,
) -> Response:
    """The interval report as CSV or Excel."""
    scope.require("reports")
    rows = _series(db, _day(day, db), days, grain, queue)
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
    return render(request, "definitions.html", definitions=kpis.DEFINITIONS)
