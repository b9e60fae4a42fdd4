"""People who sign in: users and passwords, sign-in throttling, server-side sessions, API tokens.

No route or template here: these are the service functions the pages, the API and the CLI share.
Passwords are argon2 hashes; session ids and API tokens are random 256-bit values of which only
the SHA-256 is stored, so the tables hold nothing a thief could sign in with.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ccops.store.auth_models import ROLES, ApiToken, LoginAttempt, User, WebSession
from ccops.web.audit import record

SESSION_IDLE = timedelta(hours=12)
SESSION_TOUCH_EVERY = timedelta(minutes=1)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 50
TOKEN_PREFIX = "ccops_"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anybody has")


def utcnow() -> datetime:
    """Now, as the store keeps time (naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def sha256(value: str) -> str:
    """Hex SHA-256 of a text: how session ids and API tokens are kept."""
    return hashlib.sha256(value.encode()).hexdigest()


class AuthError(Exception):
    """A sign-in that cannot proceed (bad credentials or throttled)."""


class Throttled(AuthError):
    """Too many failed sign-ins: wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


class BadCredentials(AuthError):
    """Unknown user, wrong password or deactivated account (deliberately not told apart)."""


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _hasher.hash(password)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    agent_id: int | None = None,
    team_id: int | None = None,
    language: str | None = None,
    actor: User | None = None,
    ip: str | None = None,
) -> User:
    """Add a user (password hashed with argon2) and audit it; the caller commits."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not username or len(username) > 100:
        raise ValueError("a user name has 1 to 100 characters")
    if len(password) < 4:
        raise ValueError("a password has at least 4 characters")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        agent_id=agent_id,
        team_id=team_id,
        language=language,
        password_hash=hash_password(password),
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    record(
        session,
        "user.create",
        actor=actor,
        target=f"user:{username}",
        detail={"role": role, "agent_id": agent_id, "team_id": team_id},
        ip=ip,
    )
    return user


def _throttle_wait(session: Session, username: str, ip: str | None, now: datetime) -> int:
    """Seconds until this user name (or address) may try again; 0 when not throttled."""
    since = now - THROTTLE_WINDOW
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    user_from = max(since, last_ok) if last_ok else since
    checks = [(LoginAttempt.username == username, user_from, MAX_FAILURES_PER_USER)]
    if ip:
        checks.append((LoginAttempt.ip == ip, since, MAX_FAILURES_PER_IP))
    for condition, start, limit in checks:
        failures = session.execute(
            select(func.count(), func.max(LoginAttempt.at)).where(
                condition, LoginAttempt.succeeded.is_(False), LoginAttempt.at > start
            )
        ).one()
        if failures[0] >= limit:
            return max(1, int((failures[1] + THROTTLE_WINDOW - now).total_seconds()))
    return 0


def authenticate(session: Session, username: str, password: str, ip: str | None) -> User:
    """The active user with these credentials; records the attempt and audits it; caller commits.

    Raises Throttled after MAX_FAILURES_PER_USER failures within THROTTLE_WINDOW (even for the
    right password), BadCredentials otherwise.
    """
    now = utcnow()
    username = username.strip()[:100]
    wait = _throttle_wait(session, username, ip, now)
    if wait:
        record(session, "sign_in.throttled", target=f"user:{username}", ip=ip)
        raise Throttled(wait)
    user = session.scalar(select(User).where(User.username == username))
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(username=username, ip=ip, at=now, succeeded=ok))
    if not ok or user is None:
        record(session, "sign_in.failed", target=f"user:{username}", ip=ip)
        raise BadCredentials("unknown user name or wrong password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record(session, "sign_in", actor=user, target=f"user:{username}", ip=ip)
    return user


@dataclass(frozen=True)
class NewSession:
    """A session just opened: the cookie value (given to the browser once) and its row."""

    cookie: str
    row: WebSession


def open_session(session: Session, user: User, previous_cookie: str | None = None) -> NewSession:
    """A fresh random session for `user`; the browser's previous session (if any) is destroyed.

    A new id at every sign-in is what makes session fixation impossible.
    """
    if previous_cookie:
        session.execute(delete(WebSession).where(WebSession.id_hash == sha256(previous_cookie)))
    now = utcnow()
    cookie = secrets.token_urlsafe(32)
    row = WebSession(
        id_hash=sha256(cookie),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_IDLE,
    )
    session.add(row)
    return NewSession(cookie, row)


def session_user(session: Session, cookie: str | None) -> tuple[WebSession, User] | None:
    """The live session and active user behind a cookie, sliding its expiry; None if not valid."""
    if not cookie or len(cookie) > 200:
        return None
    now = utcnow()
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.id_hash == sha256(cookie))
    ).first()
    if found is None:
        return None
    web_session, user = found
    if web_session.expires_at <= now or not user.active:
        session.delete(web_session)
        session.commit()
        return None
    if now - web_session.last_seen_at > SESSION_TOUCH_EVERY:
        _touch(
            session,
            update(WebSession)
            .where(WebSession.id_hash == web_session.id_hash)
            .values(last_seen_at=now, expires_at=now + SESSION_IDLE),
        )
        session.refresh(web_session)
    return web_session, user


def close_session(session: Session, cookie: str | None) -> None:
    """Destroy the session behind a cookie (sign-out)."""
    if cookie:
        session.execute(delete(WebSession).where(WebSession.id_hash == sha256(cookie)))


def close_all_sessions(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (after a password change or deactivation)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def create_api_token(session: Session, name: str, actor: User | None = None) -> str:
    """A new API token; returns the token text, which is shown once and stored only as SHA-256."""
    secret = secrets.token_urlsafe(32)
    prefix = secret[:8]
    token = f"{TOKEN_PREFIX}{secret}"
    session.add(
        ApiToken(
            name=name,
            prefix=prefix,
            token_hash=sha256(token),
            created_by_id=actor.id if actor else None,
            created_at=utcnow(),
        )
    )
    session.flush()
    record(
        session, "api_token.create", actor=actor, target=f"token:{prefix}", detail={"name": name}
    )
    return token


def check_api_token(session: Session, token: str | None) -> ApiToken | None:
    """The live API token with this text, or None; notes when it was last used (once a minute)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == sha256(token), ApiToken.revoked_at.is_(None))
    )
    if row is not None:
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at > SESSION_TOUCH_EVERY:
            _touch(session, update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
            session.refresh(row)
    return row


def _touch(session: Session, statement: Any) -> None:
    """Best-effort bookkeeping write in its own transaction (never fails the request).

    The read that found the row is ended first: on SQLite a read transaction that turns into a
    write fails at once when another process wrote meanwhile, while a fresh write waits its turn.
    """
    session.rollback()
    try:
        session.execute(statement)
        session.commit()
    except OperationalError:
        session.rollback()


def prune(session: Session) -> None:
    """Forget expired sessions and sign-in attempts older than a day."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    session.execute(
        delete(LoginAttempt).where(
            or_(
                LoginAttempt.at < now - timedelta(days=1), LoginAttempt.at > now + timedelta(days=1)
            )
        )
    )
