"""Village-level targets village by village, and problems of villages.

Adds ``history_village_targets`` (per period, indicator and village: the number of the
indicator's facilities) and gives ``history_problems`` the columns ``village_id`` (``""``
for a township's or the county's problem) and ``village_name``, with the unique key
(indicator, township, village).

SQLite cannot change a table's unique constraint in place: the problems table is rebuilt
(Alembic batch mode). Its change log references it, so the log is moved aside first and
restored after, inside the same transaction; nothing is lost if the upgrade fails.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LOG = "history_problem_log"
_LOG_TMP = "_history_problem_log_0004"


def _log_columns(with_fk: bool) -> list[sa.Column]:
    ref = [sa.ForeignKey("history_problems.id")] if with_fk else []
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("problem_id", sa.Integer, *ref, nullable=False, index=with_fk),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("period", sa.String(8)),
        sa.Column("status_from", sa.String(16)),
        sa.Column("status_to", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
    ]


def _problem_columns(unique: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_problems") as b:
        b.add_column(sa.Column("village_id", sa.String(64), nullable=False,
                               server_default=""))
        b.add_column(sa.Column("village_name", sa.Text))
        b.drop_constraint("uq_history_problem", type_="unique")
        b.create_unique_constraint("uq_history_problem", list(unique))


def upgrade() -> None:
    """Create the village table; add the village to problems and to their unique key."""
    op.create_table(
        "history_village_targets",
        sa.Column("period", sa.String(8), sa.ForeignKey("history_periods.period",
                                                        ondelete="CASCADE"), primary_key=True),
        sa.Column("indicator_id", sa.String(32), primary_key=True),
        sa.Column("village_id", sa.String(64), primary_key=True),
        sa.Column("zone_id", sa.String(64), nullable=False),
        sa.Column("village_name", sa.Text),
        sa.Column("layer", sa.String(64)),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("population", sa.Float),
        sa.Column("facilities", sa.Integer, nullable=False),
        sa.Column("has_service", sa.Boolean, nullable=False),
    )
    key = ("indicator_id", "zone_id", "village_id")
    if op.get_bind().dialect.name != "sqlite":
        _problem_columns(key)
        return
    op.create_table(_LOG_TMP, *_log_columns(False))
    op.execute(f"INSERT INTO {_LOG_TMP} SELECT * FROM {_LOG}")
    op.drop_table(_LOG)
    _problem_columns(key)
    op.create_table(_LOG, *_log_columns(True))
    op.execute(f"INSERT INTO {_LOG} SELECT * FROM {_LOG_TMP}")
    op.drop_table(_LOG_TMP)


def downgrade() -> None:
    """Not supported: village problems have no place in the older key."""
    raise NotImplementedError("revision 0004 cannot be downgraded")
