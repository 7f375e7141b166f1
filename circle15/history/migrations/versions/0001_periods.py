"""Periods: provenance, township geometries and indicators, coverage, facility register, audit.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


class PostGISGeometry(sa.types.UserDefinedType):
    """A PostGIS ``geometry(kind, 4326)`` column, written as EWKT and read as hex EWKB."""

    cache_ok = True

    def __init__(self, kind: str = "GEOMETRY") -> None:
        self.kind = kind

    def get_col_spec(self, **_kw) -> str:
        return f"geometry({self.kind}, 4326)"


def geometry(kind: str) -> sa.types.TypeEngine:
    """WKT text in SQLite; a PostGIS geometry column in PostgreSQL."""
    return sa.Text().with_variant(PostGISGeometry(kind), "postgresql")


def _create_history_meta() -> None:
    op.create_table(
        "history_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def _create_history_periods() -> None:
    op.create_table(
        "history_periods",
        sa.Column("period", sa.String(8), primary_key=True),
        sa.Column("sort", sa.Integer, nullable=False, index=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("plan_year", sa.Integer),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(128)),
        sa.Column("run_dir", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("plan", sa.String(128)),
        sa.Column("provenance", sa.Text, nullable=False),  # run.json without secrets, JSON
    )


def _create_history_zones() -> None:
    op.create_table(
        "history_zones",
        sa.Column("period", sa.String(8), sa.ForeignKey("history_periods.period",
                                                        ondelete="CASCADE"), primary_key=True),
        sa.Column("zone_id", sa.String(64), primary_key=True),
        sa.Column("zone_name", sa.Text),
        sa.Column("population", sa.Float),
        sa.Column("geom", geometry("GEOMETRY")),
    )


def _create_history_indicators() -> None:
    op.create_table(
        "history_indicators",
        sa.Column("period", sa.String(8), sa.ForeignKey("history_periods.period",
                                                        ondelete="CASCADE"), primary_key=True),
        sa.Column("indicator_id", sa.String(32), primary_key=True),
        sa.Column("zone_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("zone_name", sa.Text),
        sa.Column("domain", sa.String(64)),
        sa.Column("domain_zh", sa.Text),
        sa.Column("name_zh", sa.Text),
        sa.Column("name_en", sa.Text),
        sa.Column("kind", sa.String(32)),
        sa.Column("layer", sa.String(64)),
        sa.Column("level", sa.String(16)),
        sa.Column("scope", sa.String(16)),
        sa.Column("core", sa.Boolean),
        sa.Column("target", sa.Text),
        sa.Column("target_value", sa.Float),
        sa.Column("value", sa.Float),
        sa.Column("unit", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gap_value", sa.Float),
        sa.Column("gap_people", sa.Float),
        sa.Column("gap_capacity", sa.Float),
        sa.Column("gap_units", sa.Float),
        sa.Column("responsible", sa.Text),
    )


def _create_history_coverage() -> None:
    op.create_table(
        "history_coverage",
        sa.Column("period", sa.String(8), sa.ForeignKey("history_periods.period",
                                                        ondelete="CASCADE"), primary_key=True),
        sa.Column("zone_id", sa.String(64), primary_key=True),
        sa.Column("layer", sa.String(64), primary_key=True),
        sa.Column("group", sa.String(32), primary_key=True),
        sa.Column("minutes", sa.Float, primary_key=True),
        sa.Column("population", sa.Float),
        sa.Column("covered_population", sa.Float),
        sa.Column("coverage_rate", sa.Float),
    )


def _create_history_facilities() -> None:
    op.create_table(
        "history_facilities",
        sa.Column("period", sa.String(8), sa.ForeignKey("history_periods.period",
                                                        ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("facility_id", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("layer", sa.String(64), nullable=False),
        sa.Column("subtype", sa.Text),
        sa.Column("capacity", sa.Float),
        sa.Column("zone_id", sa.String(64)),
        sa.Column("village_id", sa.Text),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("geom", geometry("POINT")),
    )


def _create_history_period_audit() -> None:
    op.create_table(
        "history_period_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(8), nullable=False, index=True),
        sa.Column("replaced_at", sa.String(32), nullable=False),
        sa.Column("snapshot", sa.Text, nullable=False),  # the replaced period's rows, JSON
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_history_zones_geom", "history_zones", ["geom"],
                        postgresql_using="gist")
        op.create_index("ix_history_facilities_geom", "history_facilities", ["geom"],
                        postgresql_using="gist")


def upgrade() -> None:
    """Create the tables."""
    _create_history_meta()
    _create_history_periods()
    _create_history_zones()
    _create_history_indicators()
    _create_history_coverage()
    _create_history_facilities()
    _create_history_period_audit()


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("history_period_audit")
    op.drop_table("history_facilities")
    op.drop_table("history_coverage")
    op.drop_table("history_indicators")
    op.drop_table("history_zones")
    op.drop_table("history_periods")
    op.drop_table("history_meta")
