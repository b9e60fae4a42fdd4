"""schedules: published schedules and each agent's scheduled activities (for adherence)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "scheduled_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=16), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["schedule_id"], ["published_schedules.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scheduled_activities_schedule_id", "scheduled_activities", ["schedule_id"])
    op.create_index(
        "ix_scheduled_activities_agent_start", "scheduled_activities", ["agent_id", "start_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_scheduled_activities_agent_start", table_name="scheduled_activities")
    op.drop_index("ix_scheduled_activities_schedule_id", table_name="scheduled_activities")
    op.drop_table("scheduled_activities")
    op.drop_table("published_schedules")
