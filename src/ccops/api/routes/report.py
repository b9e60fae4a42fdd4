"""GET /report (catalog metrics cut by dimensions) and GET /metrics (the catalog itself)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ccops.api.deps import EngineDep, ScopeDep, SessionDep
from ccops.metrics import MetricError, SourceError, catalog_json, render_html, run_report

router = APIRouter()


@router.get("/report")
async def get_report(
    engine: EngineDep,
    scope: ScopeDep,
    session: SessionDep,
    metrics: str = Query(
        "service_level,asa_seconds,aht_seconds,abandon_rate",
        description="Comma-separated metric ids (see GET /metrics).",
    ),
    by: str = Query("day", description="Comma-separated dimensions, e.g. day,queue."),
    start: date | None = Query(None, alias="from", description="First day, inclusive."),
    end: date | None = Query(None, alias="to", description="Last day, inclusive."),
    tz: str = Query("UTC", description="Time zone of buckets and days (IANA name)."),
    explain: bool = Query(False, description="List the contacts behind each row."),
) -> list[dict[str, Any]]:
    """Rows keyed by dimension ids and metric ids; ratios are sums over sums.

    A team lead's report covers their team's agents, an agent's their own contacts and states.
    """
    agents = scope.agent_id_list(session)
    try:
        result = await run_in_threadpool(
            run_report, engine, metrics, by, start, end, tz, None, explain, agents
        )
    except SourceError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    except MetricError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return result.json_rows()


@router.get("/metrics")
def get_metrics() -> list[dict[str, object]]:
    """The metric catalog: id, names, formula, unit, direction, target, dimensions, requires."""
    return catalog_json()


@router.get("/metrics/definitions", response_class=HTMLResponse)
def get_metric_definitions() -> str:
    """The catalog's definitions as an HTML fragment (for the web app's page)."""
    return render_html()
