"""Problems found and rectified (整改闭环) with their change log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "history_problems",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.String(32), nullable=False),
        sa.Column("zone_id", sa.String(64), nullable=False),
        sa.Column("zone_name", sa.Text),
        sa.Column("name_zh", sa.Text),
        sa.Column("domain", sa.String(64)),
        sa.Column("layer", sa.String(64)),
        sa.Column("level", sa.String(16)),
        sa.Column("responsible", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("period_found", sa.String(8), nullable=False),
        sa.Column("last_period", sa.String(8), nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("value", sa.Float),
        sa.Column("gap_value", sa.Float),
        sa.Column("gap_people", sa.Float),
        sa.Column("gap_capacity", sa.Float),
        sa.Column("gap_units", sa.Float),
        sa.Column("closed_period", sa.String(8)),
        sa.Column("closed_value", sa.Float),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("indicator_id", "zone_id", name="uq_history_problem"),
    )

    op.create_table(
        "history_problem_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("problem_id", sa.Integer, sa.ForeignKey("history_problems.id"), nullable=False,
                  index=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("period", sa.String(8)),
        sa.Column("status_from", sa.String(16)),
        sa.Column("status_to", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("history_problem_log")
    op.drop_table("history_problems")
