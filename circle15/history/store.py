"""Opening the history store: SQLite file or PostgreSQL/PostGIS URL, schema upgrade, locks.

Credentials come only from the URL, ``PGPASSWORD`` or ``~/.pgpass`` (libpq reads the last
two itself); :func:`mask_url` hides a password wherever a URL is shown, and no URL is
ever stored in the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from circle15.errors import InputError
from circle15.history import schema

MIGRATIONS = Path(__file__).with_name("migrations")
#: Key of the advisory lock that serialises writers on PostgreSQL.
_PG_LOCK = 150_015
_VERSION_TABLE = "history_alembic_version"


def mask_url(url: str | sa.engine.URL) -> str:
    """``url`` with any password replaced by ``***`` (safe to print or log)."""
    try:
        u = sa.engine.make_url(url) if isinstance(url, str) else url
        return u.render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


def database_url(db: str | Path) -> sa.engine.URL:
    """The SQLAlchemy URL of ``db``: a file path (SQLite), ``sqlite:///…`` or
    ``postgresql://…`` (driven by psycopg 3)."""
    text = str(db)
    if "://" not in text:
        return sa.engine.URL.create("sqlite", database=str(Path(text).resolve()))
    try:
        url = sa.engine.make_url(text)
    except sa.exc.ArgumentError:
        raise InputError(f"malformed database URL {mask_url(text)}", key="db") from None
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        return url
    raise InputError(f"unsupported database {mask_url(url)}", key="db",
                     hint="a SQLite file or a postgresql:// URL")


@dataclass
class Store:
    """An open history store.

    Attributes
    ----------
    engine : sqlalchemy.engine.Engine
    shown : str
        The URL with its password masked, for messages.
    """

    engine: sa.engine.Engine
    shown: str

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[sa.engine.Connection]:
        """One write transaction, serialised against every other writer of the store.

        SQLite takes its write lock at ``BEGIN IMMEDIATE``; PostgreSQL an advisory
        transaction lock. Everything inside commits together or not at all.
        """
        with self._errors(), self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            yield conn

    @contextmanager
    def read(self) -> Iterator[sa.engine.Connection]:
        """A connection for reading (on SQLite a deferred transaction: readers do not take
        the write lock)."""
        with self._errors(), self.engine.connect() as conn:
            yield conn.execution_options(history_read=True)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.OperationalError as exc:
            raise _connect_error(exc, self.shown) from None

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _connect_error(exc: sa.exc.DBAPIError, shown: str) -> InputError:
    first = str(getattr(exc, "orig", exc)).strip().splitlines()
    reason = first[0] if first else type(exc).__name__
    for secret in re.findall(r"password=(\S+)", reason):
        reason = reason.replace(secret, "***")
    hint = "check the host, port, user and password (PGPASSWORD or ~/.pgpass)" \
        if "postgresql" in shown else "check the file"
    return InputError(f"cannot use the history database {shown}: {reason}", key="db",
                      hint=hint)


def _sqlite_events(engine: sa.engine.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 120000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # noqa: ANN001
        read = conn.get_execution_options().get("history_read", False)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")


def open_store(db: str | Path, *, create: bool = True) -> Store:
    """Open (and create or upgrade in place) the history store ``db``.

    Parameters
    ----------
    db : str or Path
        A SQLite file path, or a ``sqlite:///`` / ``postgresql://`` URL.
    create : bool
        Create a missing SQLite file (``False`` for commands that only read).

    Raises
    ------
    InputError
        Missing file (``create=False``), unreachable server, wrong password, not a
        database, or a schema newer than this version of circle15 knows.
    """
    url = database_url(db)
    shown = mask_url(url.set(drivername=url.get_backend_name()))
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not create and not path.is_file():
            raise InputError("no history database here yet", file=path,
                             hint="record a period first: circle15 record")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 120})
        _sqlite_events(engine)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True,
                                  connect_args={"connect_timeout": 10})
    store = Store(engine, shown)
    try:
        _upgrade(store)
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise _connect_error(exc, shown) from None
    except BaseException:
        engine.dispose()
        raise
    return store


def _alembic_config(conn: sa.engine.Connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def schema_version(conn: sa.engine.Connection) -> str | None:
    """The store's Alembic revision, or ``None`` for an empty database."""
    if not sa.inspect(conn).has_table(_VERSION_TABLE):
        return None
    return conn.execute(sa.text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()


def _upgrade(store: Store, revision: str = "head") -> None:
    with store.write() as conn:
        current = schema_version(conn)
        cfg = _alembic_config(conn)
        known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
        if current is not None and current not in known:
            raise InputError(
                f"the history database {store.shown} has schema version {current}, newer than "
                f"this circle15 knows (up to {schema.HEAD})",
                key="db", hint="upgrade circle15 (pip install -U circle15) to use it")
        if current != schema.HEAD or revision != "head":
            try:
                command.upgrade(cfg, revision)
            except CommandError as exc:
                raise InputError(f"cannot upgrade the history database: {exc}",
                                 key="db") from None
