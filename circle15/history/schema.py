"""The history store's tables (SQLAlchemy Core) at the schema head :data:`HEAD`.

The migrations in :mod:`circle15.history.migrations` create exactly these tables; this
module is what the code reads and writes through. Geometries are WKT text in SQLite and
PostGIS ``geometry(…, 4326)`` columns in PostgreSQL, so QGIS opens ``history_facilities``,
``history_zones`` and the view ``history_township_indicators`` straight from the server
(filter by ``period``).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: Alembic head revision the code is written for.
HEAD = "0004"
#: View (revision 0003): every indicator row with its township polygon (open it in QGIS).
TOWNSHIP_VIEW = "history_township_indicators"


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


meta = sa.Table(
    "history_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

periods = sa.Table(
    "history_periods", metadata,
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

zones = sa.Table(
    "history_zones", metadata,
    sa.Column("period", sa.String(8), sa.ForeignKey("history_periods.period",
                                                    ondelete="CASCADE"), primary_key=True),
    sa.Column("zone_id", sa.String(64), primary_key=True),
    sa.Column("zone_name", sa.Text),
    sa.Column("population", sa.Float),
    sa.Column("geom", geometry("GEOMETRY")),
)

indicators = sa.Table(
    "history_indicators", metadata,
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

coverage = sa.Table(
    "history_coverage", metadata,
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

facilities = sa.Table(
    "history_facilities", metadata,
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

village_targets = sa.Table(
    "history_village_targets", metadata,
    sa.Column("period", sa.String(8), sa.ForeignKey("history_periods.period",
                                                    ondelete="CASCADE"), primary_key=True),
    sa.Column("indicator_id", sa.String(32), primary_key=True),
    sa.Column("village_id", sa.String(64), primary_key=True),
    sa.Column("zone_id", sa.String(64), nullable=False),
    sa.Column("village_name", sa.Text),
    sa.Column("layer", sa.String(64)),
    sa.Column("lon", sa.Float),  # the village centre (WGS-84), when the villages table has it
    sa.Column("lat", sa.Float),
    sa.Column("population", sa.Float),
    sa.Column("facilities", sa.Integer, nullable=False),
    sa.Column("has_service", sa.Boolean, nullable=False),
)

audit = sa.Table(
    "history_period_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String(8), nullable=False, index=True),
    sa.Column("replaced_at", sa.String(32), nullable=False),
    sa.Column("snapshot", sa.Text, nullable=False),  # the replaced period's rows, JSON
)

problems = sa.Table(
    "history_problems", metadata,
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
    # revision 0004: a village-level target's problem is one village's ("" otherwise)
    sa.Column("village_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("village_name", sa.Text),
    sa.UniqueConstraint("indicator_id", "zone_id", "village_id", name="uq_history_problem"),
)

problem_log = sa.Table(
    "history_problem_log", metadata,
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
