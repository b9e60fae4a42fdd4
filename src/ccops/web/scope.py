"""Who may see what: the one place every read of people's data goes through.

A `Scope` is built from the signed-in user. Pages and API routes never write their own "agents see
their own rows" branch; they ask the scope for a query condition (`agents()`, `contacts()`), for a
single visible record (`agent()`, `team()`: 404 when outside the scope, so guessing ids reveals
nothing), for a permission (`require()`: 403), and for how a customer's number may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from ccops.store.auth_models import User
from ccops.store.models import Agent, Contact, Team
from ccops.store.quality_models import QaEvaluation

# What each role may do beyond seeing its own scope of people.
PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset({"floor", "overview", "quality", "schedules"}),
    "team_lead": frozenset(
        {"floor", "overview", "reports", "teams", "quality", "qa_decide", "coaching", "schedules"}
    ),
    "qa_analyst": frozenset(
        {
            "floor",
            "overview",
            "reports",
            "teams",
            "customer_numbers",
            "quality",
            "qa_evaluate",
            "qa_scorecard",
        }
    ),
    "wfm_analyst": frozenset({"floor", "overview", "reports", "teams", "schedules", "forecasts"}),
    "manager": frozenset(
        {
            "floor",
            "overview",
            "reports",
            "teams",
            "audit",
            "quality",
            "qa_decide",
            "coaching",
            "qa_scorecard",
            "schedules",
            "forecasts",
        }
    ),
    "admin": frozenset(
        {
            "floor",
            "overview",
            "reports",
            "teams",
            "customer_numbers",
            "audit",
            "admin",
            "quality",
            "qa_scorecard",
            "schedules",
            "forecasts",
        }
    ),
}
# Quality permissions: `quality` (see evaluations within one's scope), `qa_evaluate` (score
# contacts), `qa_decide` (decide disputes), `coaching` (coaching tasks, onion review),
# `qa_scorecard` (balanced scorecard and calibration).


@dataclass(frozen=True)
class Scope:
    """The slice of people's data a user may read, and what they may do."""

    user_id: int
    role: str
    agent_id: int | None
    team_id: int | None

    @classmethod
    def of(cls, user: User) -> Scope:
        """The scope of a signed-in user."""
        return cls(user.id, user.role, user.agent_id, user.team_id)

    def can(self, permission: str) -> bool:
        """Whether this role holds a permission."""
        return permission in PERMISSIONS.get(self.role, frozenset())

    def require(self, permission: str) -> None:
        """Refuse (HTTP 403) unless this role holds the permission."""
        if not self.can(permission):
            raise HTTPException(403, "not allowed for your role")

    @property
    def sees_everyone(self) -> bool:
        """Roles that read every agent's data (analysts, managers, admins)."""
        return self.role not in ("agent", "team_lead")

    def agents(self) -> ColumnElement[bool]:
        """Condition on `Agent` rows this user may read."""
        if self.sees_everyone:
            return true()
        if self.role == "team_lead" and self.team_id is not None:
            return Agent.team_id == self.team_id
        if self.agent_id is not None:
            return Agent.id == self.agent_id
        return false()

    def agent_ids(self) -> ColumnElement[bool]:
        """Condition on any column holding an agent id (contacts, states) this user may read."""
        return self.agent_column(Contact.agent_id)

    def agent_column(self, column: Any) -> ColumnElement[bool]:
        """Condition that `column` (an agent id) is within this scope."""
        if self.sees_everyone:
            return true()
        if self.role == "team_lead" and self.team_id is not None:
            condition: ColumnElement[bool] = column.in_(
                select(Agent.id).where(Agent.team_id == self.team_id)
            )
            return condition
        if self.agent_id is not None:
            own: ColumnElement[bool] = column == self.agent_id
            return own
        return false()

    def contacts(self) -> ColumnElement[bool]:
        """Condition on `Contact` rows whose handling agent is within this scope."""
        return self.agent_column(Contact.agent_id)

    def evaluations(self) -> ColumnElement[bool]:
        """Condition on `QaEvaluation` rows about agents within this scope."""
        return self.agent_column(QaEvaluation.agent_id)

    def teams(self) -> ColumnElement[bool]:
        """Condition on `Team` rows this user may read."""
        if self.sees_everyone:
            return true()
        if self.role == "team_lead" and self.team_id is not None:
            return Team.id == self.team_id
        return false()

    def agent_id_list(self, session: Session) -> list[int] | None:
        """Store ids of the agents this user may read; None when that is every agent."""
        if self.sees_everyone:
            return None
        return list(session.scalars(select(Agent.id).where(self.agents())))

    def agent(self, session: Session, agent_id: int) -> Agent:
        """The agent if within scope; 404 otherwise (the same answer as for an unknown id)."""
        found = session.scalar(select(Agent).where(Agent.id == agent_id, self.agents()))
        if found is None:
            raise HTTPException(404, "no such agent")
        return found

    def agent_by_key(self, session: Session, key: str) -> Agent:
        """The agent with this key if within scope; 404 otherwise."""
        found = session.scalar(select(Agent).where(Agent.key == key, self.agents()))
        if found is None:
            raise HTTPException(404, "no such agent")
        return found

    def team(self, session: Session, team_id: int) -> Team:
        """The team if within scope; 404 otherwise."""
        self.require("teams")
        found = session.scalar(select(Team).where(Team.id == team_id, self.teams()))
        if found is None:
            raise HTTPException(404, "no such team")
        return found

    def customer(self, key: str | None) -> str:
        """A customer's key (often a phone number) as this role may see it: masked unless needed."""
        if not key:
            return ""
        if self.can("customer_numbers"):
            return key
        return mask(key)


def mask(value: str) -> str:
    """All but the last four characters hidden: `+8613800138000` → `••••••••••8000`."""
    keep = 4 if len(value) > 6 else 1
    return "•" * (len(value) - keep) + value[-keep:]
