"""Attach the web application to the FastAPI app: routers, static files, error pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ccops.web.pages import account, admin, floor, forecast, people, quality, reports, schedule
from ccops.web.security import SignInRequired
from ccops.web.templating import render

STATIC = Path(__file__).with_name("static")


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the installed plotly package (never a CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(
        ("/api/", "/live/")
    ) and "text/html" in request.headers.get("accept", "")


def mount_web(app: FastAPI) -> None:
    """Add the pages, static files and error handling to `app`."""
    app.state.api_token_cache = {}  # sha256(token) -> (valid until, token id); see security.py
    for module in (account, floor, reports, people, quality, schedule, forecast, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        return FileResponse(
            plotly_js(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), 303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_html(request) and exc.status_code in (400, 403, 404, 409):
            return render(
                request,
                "error.html",
                status_code=exc.status_code,
                code=exc.status_code,
                detail=exc.detail,
            )
        return await http_exception_handler(request, exc)
