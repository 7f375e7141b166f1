"""The history store for real: concurrent writers, a SIGKILL mid-record, schema versions,
credentials and connection errors, on SQLite and PostgreSQL (subprocesses, no mocks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from circle15.cli import app
from circle15.errors import InputError
from circle15.history import schema as S
from circle15.history.store import Store, _upgrade, mask_url, open_store
from support import REPO
from support.history import P1, P2, make_db, pg_base_url, tiny_two_runs

ROOT = REPO
runner = CliRunner()

#: A recorder process: records RUN as PERIOD into DB; when PAUSE_AT names a table, it
#: writes MARKER after inserting that table's rows and sleeps PAUSE_S inside the
#: transaction (so that the parent can overlap or kill it there).
RECORDER = textwrap.dedent("""
    import os, sys, time
    from circle15.history import record as R
    from circle15.history.store import open_store

    real = R._insert
    def paused(conn, table, rows):
        n = real(conn, table, rows)
        if table.name == os.environ.get("PAUSE_AT"):
            open(os.environ["MARKER"], "w").write("inside")
            time.sleep(float(os.environ["PAUSE_S"]))
        return n
    R._insert = paused
    store = open_store(os.environ["DB"])
    R.record_run(store, os.environ["RUN"], os.environ["PERIOD"])
    print("recorded", os.environ["PERIOD"])
""")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return tiny_two_runs(tmp_path_factory.mktemp("tiny-store"))


def recorder(tmp_path: Path, db: str, run: Path, period: str, *, pause_at: str = "",
             pause_s: float = 0.0, env: dict | None = None) -> tuple[subprocess.Popen, Path]:
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER, encoding="utf-8")
    marker = tmp_path / f"marker-{period}"
    e = {**os.environ, "DB": db, "RUN": str(run), "PERIOD": period, "PAUSE_AT": pause_at,
         "PAUSE_S": str(pause_s), "MARKER": str(marker),
         "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
         **(env or {})}
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=e,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, marker


def counts(db: str) -> dict[str, int]:
    store = open_store(db, create=False)
    with store.read() as conn:
        n = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
             for t in S.metadata.sorted_tables}
    store.dispose()
    return n


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < timeout, "the recorder never reached the pause"
        time.sleep(0.05)


def test_two_simultaneous_records_both_land(db, runs, tmp_path):
    """Both start on an empty database (so the schema creation races too); the first
    pauses 1.5 s inside its transaction, so the second must wait for it, not fail."""
    a, ma = recorder(tmp_path, db, runs[0], P1, pause_at="history_zones", pause_s=1.5)
    b, mb = recorder(tmp_path, db, runs[1], P2, pause_at="history_zones", pause_s=1.5)
    for proc in (a, b):
        out, errs = proc.communicate(timeout=300)
        assert proc.returncode == 0, errs
    n = counts(db)
    assert n["history_periods"] == 2
    assert n["history_facilities"] == 3  # C1 in P1; C1 + C2 in P2
    assert n["history_zones"] == 4
    store = open_store(db, create=False)
    with store.read() as conn:
        per = dict(conn.execute(sa.select(S.indicators.c.period, sa.func.count()).group_by(
            S.indicators.c.period)).all())
        probs = conn.execute(sa.select(S.problems.c.indicator_id, S.problems.c.zone_id)).all()
    store.dispose()
    assert per[P1] == per[P2] == 960
    assert len(probs) == len(set(probs)) == 5  # one problem per indicator × place


def test_killed_record_leaves_nothing(db, runs, tmp_path):
    cli_ok = runner.invoke(app, ["record", "--from-run", str(runs[0]), "--period", P1,
                                 "--db", db])
    assert cli_ok.exit_code == 0, cli_ok.output
    before = counts(db)
    proc, marker = recorder(tmp_path, db, runs[1], P2, pause_at="history_coverage",
                            pause_s=120)
    wait_for(marker, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert counts(db) == before  # no period, no rows, no problem change
    # and the store is usable at once: the lock died with the process
    again = runner.invoke(app, ["record", "--from-run", str(runs[1]), "--period", P2,
                                "--db", db])
    assert again.exit_code == 0, again.output
    assert counts(db)["history_periods"] == 2


def test_killed_first_record_leaves_no_area(db, runs, tmp_path):
    proc, marker = recorder(tmp_path, db, runs[0], P1, pause_at="history_indicators",
                            pause_s=120)
    wait_for(marker, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    n = counts(db)
    assert n["history_meta"] == 0 and n["history_periods"] == 0 and n["history_zones"] == 0


def test_newer_schema_is_refused_and_untouched(db, runs):
    store = open_store(db)
    with store.write() as conn:
        conn.execute(sa.text("UPDATE history_alembic_version SET version_num = '9001'"))
    store.dispose()
    with pytest.raises(InputError, match="schema version 9001, newer"):
        open_store(db)
    res = runner.invoke(app, ["record", "--from-run", str(runs[0]), "--period", P1,
                              "--db", db])
    assert res.exit_code == 2 and "newer than this circle15" in res.output
    eng = sa.create_engine(_sa_url(db))
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM history_alembic_version")
                            ).scalar() == "9001"
        assert conn.execute(sa.text("SELECT count(*) FROM history_periods")).scalar() == 0
    eng.dispose()


def _sa_url(db: str) -> sa.engine.URL:
    from circle15.history.store import database_url

    return database_url(db)


def test_old_schema_is_upgraded_in_place(db, runs):
    """A store left at revision 0001 (before problems existed) gains the problem tables
    and keeps its periods."""
    eng = sa.create_engine(_sa_url(db))
    if eng.dialect.name == "sqlite":
        from circle15.history.store import _sqlite_events

        _sqlite_events(eng)
    store = Store(eng, "test")
    _upgrade(store, "0001")
    with eng.connect() as conn:
        assert not sa.inspect(conn).has_table("history_problems")
        conn.execute(sa.text("INSERT INTO history_meta (key, value) VALUES ('note', 'kept')"))
        conn.commit()
    eng.dispose()
    res = runner.invoke(app, ["record", "--from-run", str(runs[0]), "--period", P1,
                              "--db", db])
    assert res.exit_code == 0, res.output
    n = counts(db)
    assert n["history_problems"] == 5 and n["history_meta"] == 2


def test_sqlite_file_that_is_not_a_database(tmp_path, runs):
    bad = tmp_path / "h.sqlite"
    bad.write_text("not a database\n" * 100, encoding="utf-8")
    res = runner.invoke(app, ["record", "--from-run", str(runs[0]), "--period", P1,
                              "--db", str(bad)])
    assert res.exit_code == 2 and "not a database" in res.output
    assert bad.read_text(encoding="utf-8").startswith("not a database")


def test_credentials_never_shown_or_stored(runs, tmp_path):
    base = pg_base_url()
    url, drop = make_db("postgresql", tmp_path)
    try:
        secret = sa.engine.make_url(base).password
        assert secret
        res = runner.invoke(app, ["-v", "record", "--from-run", str(runs[0]), "--period", P1,
                                  "--db", url])
        assert res.exit_code == 0, res.output
        assert secret not in res.output and "***" in res.output
        res = runner.invoke(app, ["-v", "history", "--db", url])
        assert res.exit_code == 0 and secret not in res.output
        eng = sa.create_engine(_sa_url(url))
        with eng.connect() as conn:
            for table in ("history_periods", "history_meta", "history_problem_log"):
                dump = str(conn.execute(sa.text(f"SELECT * FROM {table}")).all())
                assert secret not in dump, table
        eng.dispose()
        # a wrong password: exit 2, a clear message, neither password echoed
        wrong = url.replace(f":{secret}@", ":Wr0ngSecret@")
        res = runner.invoke(app, ["history", "--db", wrong])
        assert res.exit_code == 2
        assert "password authentication failed" in res.output
        assert "Wr0ngSecret" not in res.output and secret not in res.output
    finally:
        drop()


def test_password_from_pgpassword(runs, tmp_path):
    """A URL without a password works with PGPASSWORD (libpq), in a child process."""
    url, drop = make_db("postgresql", tmp_path)
    try:
        u = sa.engine.make_url(url)
        bare = url.replace(f":{u.password}@", "@")
        assert u.password not in bare
        env = {"PGPASSWORD": u.password}
        proc, _ = recorder(tmp_path, bare, runs[0], P1, env=env)
        out, errs = proc.communicate(timeout=300)
        assert proc.returncode == 0, errs
        env2 = {**os.environ, "PGPASSWORD": "nope", "PYTHONPATH": str(ROOT)}
        res = subprocess.run([sys.executable, "-c", "from circle15.cli import main; main()",
                              "history", "--db", bare], cwd=ROOT, env=env2,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 2 and "password authentication failed" in res.stderr
        assert "nope" not in res.stderr
        # ~/.pgpass works the same way (libpq; PGPASSFILE points at a test file here)
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"{u.host}:{u.port}:*:{u.username}:{u.password}\n", encoding="utf-8")
        pgpass.chmod(0o600)
        env3 = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
        env3.update(PGPASSFILE=str(pgpass), PYTHONPATH=str(ROOT))
        res = subprocess.run([sys.executable, "-c", "from circle15.cli import main; main()",
                              "history", "--db", bare], cwd=ROOT, env=env3,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert P1 in res.stdout
    finally:
        drop()


def test_unreachable_server_exit_2(tmp_path, runs):
    res = runner.invoke(app, ["record", "--from-run", str(runs[0]), "--period", P1, "--db",
                              "postgresql://u:sekrit@127.0.0.1:9/none"])
    assert res.exit_code == 2
    assert "cannot use the history database" in res.output and "sekrit" not in res.output


@pytest.mark.parametrize("url, shown", [
    ("postgresql://u:p%40ss@h:5432/db", "postgresql://u:***@h:5432/db"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
])
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_qgis_layers_on_the_server(db, runs):
    """Facilities, townships and township indicators are spatial layers of the store
    (PostGIS registers them in geometry_columns, which is what QGIS lists)."""
    res = runner.invoke(app, ["record", "--from-run", str(runs[1]), "--period", P2,
                              "--db", db])
    assert res.exit_code == 0, res.output
    eng = sa.create_engine(_sa_url(db))
    with eng.connect() as conn:
        rows = conn.execute(sa.text(
            f"SELECT count(*), count(geom) FROM {S.TOWNSHIP_VIEW} WHERE period = :p"),
            {"p": P2}).one()
        assert rows[0] == rows[1] == 640  # 960 rows less the 320 county rows (no polygon)
        if eng.dialect.name == "postgresql":
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
            reg = dict(conn.execute(sa.text(
                "SELECT f_table_name, type FROM geometry_columns WHERE f_table_schema = :s"),
                {"s": schema}).all())
            assert reg == {"history_facilities": "POINT", "history_zones": "GEOMETRY",
                           S.TOWNSHIP_VIEW: "GEOMETRY"}
            srid = conn.execute(sa.text("SELECT DISTINCT ST_SRID(geom) FROM history_facilities")
                                ).scalar()
            assert srid == 4326
    eng.dispose()


def test_provenance_is_scrubbed():
    from circle15.history.snapshot import scrub

    run = {"config": {"map": {"tianditu_key": "abc123", "basemap": "tianditu"},
                      "history": {"db": "postgresql://bureau:hunter2@db.example/h"}},
           "inputs": [{"path": "/x/zones.geojson", "sha256": "f" * 64}]}
    out = scrub(run)
    text = str(out)
    assert "abc123" not in text and "hunter2" not in text
    assert out["config"]["history"]["db"] == "postgresql://bureau:***@db.example/h"
    assert out["inputs"] == run["inputs"] and out["config"]["map"]["basemap"] == "tianditu"


def test_readers_do_not_wait_for_a_writer(db):
    """While a record holds the write lock, listing the history answers at once (and sees
    only committed rows)."""
    import threading

    store = open_store(db)
    inside = threading.Event()

    def writer() -> None:
        with store.write() as conn:
            conn.execute(sa.text("INSERT INTO history_meta (key, value) VALUES ('w', '1')"))
            inside.set()
            time.sleep(1.5)

    t = threading.Thread(target=writer)
    t.start()
    assert inside.wait(30)
    t0 = time.monotonic()
    with store.read() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM history_meta")).scalar()
    waited = time.monotonic() - t0
    t.join()
    store.dispose()
    assert n == 0 and waited < 1.0
