"""Shared helpers of the history tests: the two backends and the tiny two-period county.

The PostgreSQL backend reads ``CIRCLE15_TEST_PG_URL`` (``. .ci/start-postgres.sh`` sets
it); without it the PostgreSQL variants skip, except under ``CI=true`` where they fail.
Every PostgreSQL test works in a schema of its own (``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from support.tiny import lonlat, write_tiny_inputs

PG_ENV = "CIRCLE15_TEST_PG_URL"
#: The tiny county's periods (its plan targets exist for 2027 only).
P1, P2, P3 = "2027Q1", "2027Q2", "2027Q3"


def pg_base_url() -> str:
    """The test server's URL, or a skip (a failure under CI)."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{PG_ENV} is not set under CI: .ci/run must source "
                        ".ci/start-postgres.sh")
        pytest.skip(f"{PG_ENV} not set (run: . .ci/start-postgres.sh)")
    return url


def pg_schema_url(base: str, schema: str) -> str:
    """``base`` with a ``search_path`` of ``schema`` then ``public`` (PostGIS)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema},public"


def make_db(kind: str, tmp_path: Path):
    """A fresh history database URL/path of ``kind`` and its cleanup function."""
    if kind == "sqlite":
        return str(tmp_path / "history.sqlite"), lambda: None
    base = pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    eng = sa.create_engine(sa.engine.make_url(base).set(drivername="postgresql+psycopg"))
    with eng.begin() as conn:
        stray = conn.execute(sa.text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name LIKE 'history%'")).scalars().all()
        if stray:  # they would shadow the test schema's tables through the search_path
            pytest.fail(f"the test database's public schema holds {stray}: drop them")
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with eng.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        eng.dispose()

    return pg_schema_url(base, schema), drop


def add_clinic_in_east(inputs: Path) -> None:
    """Second period of the tiny county: a clinic at x = 1500 m (east zone)."""
    lon, lat = lonlat(1500.0)
    with open(inputs / "clinic.csv", "a", encoding="utf-8") as fh:
        fh.write(f"C2,东区卫生服务站（测试）,社区卫生服务站,{lon:.10f},{lat:.10f},示例街9号\n")


def tiny_two_runs(root: Path) -> tuple[Path, Path]:
    """Run the tiny county twice (as is; with the east clinic); return both run folders."""
    from typer.testing import CliRunner

    from circle15.cli import app

    dirs = []
    for i in (1, 2):
        cfg = write_tiny_inputs(root / f"in{i}")
        if i == 2:
            add_clinic_in_east(cfg.parent)
        res = CliRunner().invoke(app, ["-q", "run", str(cfg), "--out", str(root / f"run{i}")])
        assert res.exit_code == 0, res.output
        dirs.append(root / f"run{i}")
    return dirs[0], dirs[1]


def cli(*args: str, code: int = 0) -> str:
    """Run ``circle15 ARGS``, check the exit code, return the output on one line (rich wraps
    lines at the terminal width)."""
    from typer.testing import CliRunner

    from circle15.cli import app

    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == code, res.output
    return " ".join(res.output.split())
