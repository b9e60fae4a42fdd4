"""The audit log: sign-ins and every change to configuration and people, in one call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ccops.store.auth_models import AuditEntry, User


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Add one audit entry to the caller's transaction (it lands when the change does)."""
    session.add(
        AuditEntry(
            at=datetime.now(UTC).replace(tzinfo=None),
            actor_id=actor.id if actor else None,
            actor=actor.username if actor else None,
            action=action,
            target=target,
            detail=detail or {},
            ip=ip,
        )
    )
