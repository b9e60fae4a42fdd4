"""Rendering pages: one Jinja2 environment per language, with the gettext catalog installed."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from ccops.store.auth_models import ROLES
from ccops.web.i18n import LANGUAGES, N_, choose_language, translations
from ccops.web.scope import Scope
from ccops.web.security import csrf_token, harden

ROLE_NAMES = {
    "agent": N_("Agent"),
    "team_lead": N_("Team lead"),
    "qa_analyst": N_("QA analyst"),
    "wfm_analyst": N_("WFM analyst"),
    "manager": N_("Manager"),
    "admin": N_("Administrator"),
}
STATE_NAMES = {
    "available": N_("Available"),
    "ringing": N_("Ringing"),
    "talking": N_("Talking"),
    "holding": N_("Holding"),
    "after_call_work": N_("After-call work"),
    "away": N_("Away"),
    "break": N_("Break"),
    "lunch": N_("Lunch"),
    "training": N_("Training"),
    "meeting": N_("Meeting"),
    "offline": N_("Offline"),
}
assert set(ROLE_NAMES) == set(ROLES)


def pct(value: float | None, digits: int = 1) -> str:
    """0.8123 → '81.2%'; None → '–'."""
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def secs(value: float | None) -> str:
    """Seconds as '42 s' or '3:05' (m:ss) or '1:02:03'; None → '–'."""
    if value is None:
        return "–"
    total = int(round(value))
    if total < 60:
        return f"{total} s"
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@cache
def environment(language: str) -> Environment:
    """The template environment for one language."""
    env = Environment(
        loader=PackageLoader("ccops.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["pct"] = pct
    env.filters["secs"] = secs
    env.globals.update(ROLE_NAMES=ROLE_NAMES, STATE_NAMES=STATE_NAMES, LANGUAGES=LANGUAGES)
    return env


def language_of(request: Request) -> str:
    """The language of this request: the user's setting, else the browser's."""
    found = getattr(request.state, "web_session", None)
    user_language = found[1].language if found else None
    return choose_language(user_language, request.headers.get("accept-language"))


def gettext_for(request: Request) -> Any:
    """`gettext` in this request's language (for strings made in Python)."""
    return translations(language_of(request)).gettext


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the user, their scope and the CSRF token."""
    language = language_of(request)
    found = getattr(request.state, "web_session", None)
    user = found[1] if found else None
    html = (
        environment(language)
        .get_template(template)
        .render(
            request=request,
            user=user,
            scope=Scope.of(user) if user else None,
            lang=language,
            html_lang="zh-Hans" if language == "zh_Hans" else "en",
            csrf_token=csrf_token(request),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    harden(request, response)
    return response
