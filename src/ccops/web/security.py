"""Request-level security: who is signed in, CSRF on every form, API tokens, response headers.

These are the functions behind the typed dependency aliases in `ccops.api.deps` (`CurrentUser`,
`ScopeDep`, `CsrfChecked`, `ApiClient`); routes use the aliases, not these functions.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.store.auth_models import User, WebSession
from ccops.web.auth import check_api_token, session_user, sha256
from ccops.web.scope import Scope

SESSION_COOKIE = "ccops_session"
PRE_SESSION_COOKIE = "ccops_csrf"  # anonymous CSRF token (double submit) for the sign-in form


class SignInRequired(Exception):
    """Raised for a page that needs a signed-in user; answered by a redirect to /login."""


def get_db(request: Request) -> Iterator[Session]:
    """An ORM session on the app's store for one request."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _signed_in(request: Request, db: Session) -> tuple[WebSession, User] | None:
    if hasattr(request.state, "web_session"):
        found: tuple[WebSession, User] | None = request.state.web_session
        return found
    found = session_user(db, request.cookies.get(SESSION_COOKIE))
    request.state.web_session = found
    return found


def current_user(request: Request, db: Annotated[Session, Depends(get_db)]) -> User:
    """The signed-in user; pages redirect to sign-in, API calls get 401."""
    found = _signed_in(request, db)
    if found is None:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/live/"):
            raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Session"})
        raise SignInRequired()
    return found[1]


def optional_user(request: Request, db: Annotated[Session, Depends(get_db)]) -> User | None:
    """The signed-in user, or None."""
    found = _signed_in(request, db)
    return found[1] if found else None


def current_scope(user: Annotated[User, Depends(current_user)]) -> Scope:
    """The signed-in user's scope of people's data."""
    return Scope.of(user)


def csrf_token(request: Request) -> str:
    """The CSRF token to put in this browser's forms (session's, or the anonymous cookie's)."""
    found = getattr(request.state, "web_session", None)
    if found:
        token: str = found[0].csrf_token
        return token
    pre: str | None = request.cookies.get(PRE_SESSION_COOKIE) or getattr(
        request.state, "new_pre", None
    )
    if not pre:
        pre = secrets.token_urlsafe(32)
        request.state.new_pre = pre
    return pre


def check_csrf(
    request: Request,
    db: Annotated[Session, Depends(get_db)],
    csrf_token: Annotated[str, Form()] = "",
) -> None:
    """Refuse (403) a form post whose CSRF token does not match this browser's."""
    sent = csrf_token or request.headers.get("x-csrf-token", "")
    _require_token(
        request, db, sent, "the form has expired or did not come from this site; reload it"
    )


def check_csrf_header(request: Request, db: Annotated[Session, Depends(get_db)]) -> None:
    """Refuse (403) a JSON post whose X-CSRF-Token header does not match this browser's
    (no form field: the body is the request's JSON)."""
    sent = request.headers.get("x-csrf-token", "")
    _require_token(request, db, sent, "send this session's CSRF token as the X-CSRF-Token header")


def _require_token(request: Request, db: Session, sent: str, refusal: str) -> None:
    """403 with `refusal` unless `sent` is this browser's CSRF token (signed in or not)."""
    found = _signed_in(request, db)
    expected = found[0].csrf_token if found else request.cookies.get(PRE_SESSION_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, refusal)


TOKEN_CACHE_SECONDS = 5.0  # a revoked token stops working within this long


def api_client(request: Request) -> int:
    """The id of the API token presented as `Authorization: Bearer <token>`; 401 when wrong.

    Valid tokens are remembered per app for a few seconds, so a busy integration does not cost a
    database round trip (and a pooled connection held through the request) per call.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    cache: dict[str, tuple[float, int]] = request.app.state.api_token_cache
    digest = sha256(token)
    hit = cache.get(digest)
    if scheme.lower() == "bearer" and hit and hit[0] > time.monotonic():
        return hit[1]
    row = None
    if scheme.lower() == "bearer":
        with Session(request.app.state.engine, expire_on_commit=False) as db:
            row = check_api_token(db, token)
    if row is None:
        raise HTTPException(
            401,
            "an API token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    cache[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, row.id)
    return row.id


def is_secure(request: Request) -> bool:
    """Whether the browser reached us over TLS (directly or through a proxy that says so)."""
    import os

    return (
        request.url.scheme == "https"
        or request.headers.get("x-forwarded-proto", "") == "https"
        or os.environ.get("CCOPS_SECURE_COOKIES") == "1"
    )


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure behind TLS."""
    response.set_cookie(
        SESSION_COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        max_age=12 * 3600,
        path="/",
    )


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def harden(request: Request, response: Response) -> None:
    """Security headers on web pages, and the anonymous CSRF cookie when one was issued."""
    new_pre = getattr(request.state, "new_pre", None)
    if new_pre:
        response.set_cookie(
            PRE_SESSION_COOKIE,
            new_pre,
            httponly=True,
            samesite="strict",
            secure=is_secure(request),
            path="/",
        )
    if response.headers.get("content-type", "").startswith("text/html") and not (
        request.url.path.startswith("/docs") or request.url.path.startswith("/redoc")
    ):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
