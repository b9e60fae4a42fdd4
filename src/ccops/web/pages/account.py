"""Signing in and out, and one's own settings (language, password)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ccops.api.deps import CsrfChecked, CurrentUser, MaybeUser, SessionDep
from ccops.web.audit import record
from ccops.web.auth import (
    BadCredentials,
    Throttled,
    authenticate,
    close_all_sessions,
    close_session,
    hash_password,
    open_session,
)
from ccops.web.i18n import LANGUAGES
from ccops.web.security import SESSION_COOKIE, set_session_cookie
from ccops.web.templating import gettext_for, render

router = APIRouter(include_in_schema=False)


def client_ip(request: Request) -> str | None:
    """The caller's address (as seen by this server)."""
    return request.client.host if request.client else None


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, user: MaybeUser, next: str = "/") -> Response:
    """The sign-in form."""
    if user is not None:
        return RedirectResponse(safe_next(next), 303)
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    _csrf: CsrfChecked,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials (throttled), then open a brand-new session."""
    _ = gettext_for(request)
    try:
        user = authenticate(db, username, password, client_ip(request))
    except Throttled as exc:
        db.commit()
        response = render(
            request,
            "login.html",
            status_code=429,
            next=safe_next(next),
            error=_("Too many failed sign-ins. Try again in %(n)s minutes.")
            % {"n": max(1, exc.retry_after // 60)},
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except BadCredentials:
        db.commit()
        return render(
            request,
            "login.html",
            status_code=401,
            next=safe_next(next),
            error=_("Unknown user name or wrong password."),
        )
    opened = open_session(db, user, request.cookies.get(SESSION_COOKIE))
    db.commit()
    redirect = RedirectResponse(safe_next(next), 303)
    set_session_cookie(request, redirect, opened.cookie)
    return redirect


@router.post("/logout")
def logout(request: Request, db: SessionDep, user: CurrentUser, _csrf: CsrfChecked) -> Response:
    """Close this session."""
    close_session(db, request.cookies.get(SESSION_COOKIE))
    record(db, "sign_out", actor=user, target=f"user:{user.username}", ip=client_ip(request))
    db.commit()
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/settings")
def settings_page(request: Request, _user: CurrentUser) -> Response:
    """One's own language and password."""
    return render(request, "settings.html", message=None, error=None)


@router.post("/settings")
def save_settings(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    _csrf: CsrfChecked,
    language: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """Save the language (blank = follow the browser) and, if given, a new password."""
    changes: dict[str, object] = {}
    if language in LANGUAGES or language == "":
        if (language or None) != user.language:
            user.language = language or None
            changes["language"] = user.language
    if new_password:
        if len(new_password) < 8:
            _ = gettext_for(request)
            return render(
                request,
                "settings.html",
                status_code=400,
                message=None,
                error=_("A new password needs at least 8 characters."),
            )
        user.password_hash = hash_password(new_password)
        changes["password"] = "changed"
    if changes:
        db.add(user)
        record(
            db,
            "user.update_self",
            actor=user,
            target=f"user:{user.username}",
            detail=changes,
            ip=client_ip(request),
        )
        if "password" in changes:
            close_all_sessions(db, user.id)
            db.commit()
            return RedirectResponse("/login?next=" + quote("/settings"), 303)
        db.commit()
    return RedirectResponse("/settings", 303)
