"""A view of township indicators with their polygons, for QGIS straight from PostGIS.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

VIEW = "history_township_indicators"


def upgrade() -> None:
    """Create the view: every indicator row joined to its township's polygon."""
    op.execute(f"""
        CREATE VIEW {VIEW} AS
        SELECT i.*, z.geom
        FROM history_indicators AS i
        JOIN history_zones AS z ON z.period = i.period AND z.zone_id = i.zone_id
    """)


def downgrade() -> None:
    """Drop the view."""
    op.execute(f"DROP VIEW {VIEW}")
