"""events: the contact and agent indexes hold only the events that have a contact or an agent

A contact event has no agent key and a state event no contact key; indexing those NULLs cost
every insert an index entry no lookup ever used (lookups are by key, which implies NOT NULL).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_contact", table_name="events")
    op.drop_index("ix_events_agent_at", table_name="events")
    contact = sa.text("contact_key IS NOT NULL")
    agent = sa.text("agent_key IS NOT NULL")
    op.create_index(
        "ix_events_contact",
        "events",
        ["contact_key"],
        sqlite_where=contact,
        postgresql_where=contact,
    )
    op.create_index(
        "ix_events_agent_at",
        "events",
        ["agent_key", "at"],
        sqlite_where=agent,
        postgresql_where=agent,
    )


def downgrade() -> None:
    op.drop_index("ix_events_contact", table_name="events")
    op.drop_index("ix_events_agent_at", table_name="events")
    op.create_index("ix_events_contact", "events", ["contact_key"])
    op.create_index("ix_events_agent_at", "events", ["agent_key", "at"])
