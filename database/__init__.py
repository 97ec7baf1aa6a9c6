"""The database: declarative base, engine set-up and one session per request.

Services receive a ``Session`` and never create one; the lifecycle lives
here (per web request) and in the CLI and job runners (``db.session_scope``).
"""
from __future__ import annotations

import importlib
import math
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator, Mapping

from flask import Flask, g
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every database (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store timezone-aware datetimes only")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def register_models(modules: Iterable[str]) -> MetaData:
    """Import each named model module, so its tables join ``Base.metadata``,
    and return that metadata.  The app names the modules (``app.MODEL_MODULES``):
    this package knows no feature."""
    for name in modules:
        importlib.import_module(name)
    return Base.metadata


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def dialect_insert(session: Session, model):
    """An INSERT with the database's own ON CONFLICT support (PostgreSQL or SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


# Execution options a session's engine carries, read when each transaction
# begins: how long to wait for a lock and for one statement (milliseconds;
# PostgreSQL's statement timeout only), and whether the transaction only
# reads (SQLite: a deferred BEGIN, which never takes the write lock).
LOCK_TIMEOUT = "hotline_lock_timeout_ms"
STATEMENT_TIMEOUT = "hotline_statement_timeout_ms"
READ_ONLY = "hotline_read_only"
DEFAULT_LOCK_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", DEFAULT_LOCK_TIMEOUT_MS / 1000)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks
        # SAVEPOINT; take over, as SQLAlchemy's docs recommend.
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "begin", _begin_postgresql)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={DEFAULT_LOCK_TIMEOUT_MS}")
    cursor.close()


def _begin_sqlite(conn) -> None:
    options = conn.get_execution_options()
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(options.get(LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT_MS))}")
    # A writer takes the write lock at BEGIN, so two writers queue instead of
    # deadlocking on an upgrade; a reader must not queue behind them (WAL).
    conn.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")


def _begin_postgresql(conn) -> None:
    options = conn.get_execution_options()
    for setting, key in (("lock_timeout", LOCK_TIMEOUT), ("statement_timeout", STATEMENT_TIMEOUT)):
        if options.get(key):
            conn.exec_driver_sql(f"SET LOCAL {setting} = {int(options[key])}")


def _milliseconds(duration: timedelta) -> int:
    return max(1, int(duration.total_seconds() * 1000))


class Database:
    """Flask extension: an engine per app, a session per request."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, session_info: Mapping[str, Any] | None = None) -> None:
        """``session_info`` goes into every session's ``Session.info``: what the
        app hands its services through the session (its case event subscribers)."""
        settings = app.config["SETTINGS"]
        url = settings.database_url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            from pathlib import Path
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        lock = settings.db_lock_timeout
        options = {"pool_timeout": max(1.0, lock.total_seconds())}
        if not url.startswith("sqlite"):
            # An unreachable server must not hold a request for minutes.
            options["connect_args"] = {"connect_timeout": max(2, math.ceil(lock.total_seconds()))}
        engine = make_engine(url, **options)
        # Web requests wait briefly and answer (a webhook takes its recovery
        # path); the scheduler and the CLI may wait longer.
        web = engine.execution_options(**{LOCK_TIMEOUT: _milliseconds(lock),
                                          STATEMENT_TIMEOUT: _milliseconds(settings.db_statement_timeout)})
        jobs = engine.execution_options(**{LOCK_TIMEOUT: _milliseconds(settings.db_job_lock_timeout)})
        info = dict(session_info or {})
        app.extensions["database"] = _Bound(
            engine, sessionmaker(jobs, expire_on_commit=False, info=info),
            sessionmaker(web, expire_on_commit=False, info=info),
            sessionmaker(web.execution_options(**{READ_ONLY: True}), expire_on_commit=False, info=info))
        app.teardown_appcontext(self._close_session)
        # A read-only session ends with its request, even where an app context
        # outlives requests (tests): a read transaction kept open would keep
        # reading an old snapshot.
        app.teardown_request(self._close_reader)

    @staticmethod
    def _bound(app: Flask) -> "_Bound":
        return app.extensions["database"]

    def engine(self, app: Flask) -> Engine:
        return self._bound(app).engine

    def session(self) -> Session:
        """The current request's (or app context's) session."""
        from flask import current_app
        if "db_session" not in g:
            g.db_session = self._bound(current_app).request_factory()
        return g.db_session

    def reader(self) -> Session:
        """The current request's read-only session, for pages that only read
        (the live board, metrics): on SQLite it never takes the write lock,
        so it neither waits behind webhooks nor holds them up.  Never write
        through it."""
        from flask import current_app
        if "db_reader" not in g:
            g.db_reader = self._bound(current_app).reader_factory()
        return g.db_reader

    @contextmanager
    def session_scope(self, app: Flask) -> Iterator[Session]:
        """A session for one unit of work outside a request: commit or roll back."""
        with self._bound(app).factory.begin() as session:
            yield session

    @staticmethod
    def _close_reader(_exc: BaseException | None) -> None:
        reader = g.pop("db_reader", None)
        if reader is not None:
            reader.close()

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        for name in ("db_session", "db_reader"):
            session = g.pop(name, None)
            if session is not None:
                session.close()


class _Bound:
    def __init__(self, engine: Engine, factory: sessionmaker, request_factory: sessionmaker,
                 reader_factory: sessionmaker) -> None:
        self.engine, self.factory = engine, factory
        self.request_factory, self.reader_factory = request_factory, reader_factory


db = Database()
