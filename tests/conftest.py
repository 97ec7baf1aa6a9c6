"""Test fixtures: the app on SQLite or PostgreSQL, a fixed clock, and
signed Twilio webhooks.

The database comes from HOTLINE_TEST_DATABASE: "sqlite" (default) or
"postgresql".  For PostgreSQL a throwaway database is created on
127.0.0.1:5432 (trust auth) and dropped afterwards; when no server answers,
the tests that need a database are skipped and say why.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from tests.support.caller import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, Call, Webhooks
from wiring import services

BACKEND = os.environ.get("HOTLINE_TEST_DATABASE", "sqlite")
PG_HOST = os.environ.get("HOTLINE_TEST_PG_HOST", "127.0.0.1")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def pytest_report_header(config):
    return f"hotline test database: {BACKEND}"


class Clock:
    """A settable clock; the app reads the time only through it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set_local(self, *args: int) -> None:
        self.moment = datetime(*args, tzinfo=SHANGHAI).astimezone(timezone.utc)


def _postgres_admin_url() -> str | None:
    """A reachable PostgreSQL server (user root or postgres), or None."""
    errors = []
    for user in ("postgres", "root"):
        url = f"postgresql+psycopg://{user}@{PG_HOST}:5432/test"
        try:
            engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            engine.dispose()
            return url
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            errors.append(f"{user}: {exc.__class__.__name__}")
    _postgres_admin_url.errors = "; ".join(errors)
    return None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline.sqlite3'}"
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"PostgreSQL tests skipped: no server at {PG_HOST}:5432 accepted user postgres or root "
                    f"({getattr(_postgres_admin_url, 'errors', '')})")
    name = f"hotline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory):
    """The schema, built by the Alembic migrations as `flask init` does."""
    from app import create_app
    from database import db
    from database.setup import upgrade_schema

    app = create_app({"database_url": database_url, "instance_dir": tmp_path_factory.mktemp("instance")})
    upgrade_schema(db.engine(app))
    db.engine(app).dispose()
    return database_url


@pytest.fixture(scope="session")
def understanding():
    """The classifier, trained once for the session on the shipped corpus
    (the confirm threshold is the default, which cross-validation chose)."""
    from config.loader import load_config
    from config.settings import SHIPPED_CONFIG_DIR
    from understanding.corpus import load_training
    from understanding.training import train

    config = load_config(SHIPPED_CONFIG_DIR)
    return train(load_training(SHIPPED_CONFIG_DIR, config.categories), config.categories,
                 datetime(2026, 10, 1, tzinfo=timezone.utc), tune_thresholds=False)


@pytest.fixture
def clock():
    return Clock(datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI).astimezone(timezone.utc))


@pytest.fixture
def app(migrated, clock, tmp_path, understanding):
    from app import create_app, model_metadata
    from database import db
    from routing.models import sync_configuration

    app = create_app({
        "database_url": migrated, "public_url": PUBLIC_URL, "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN, "instance_dir": tmp_path / "instance", "clock": clock,
        "env": "testing", "understanding": understanding,
    })
    engine = db.engine(app)
    with engine.begin() as connection:
        for table in reversed(model_metadata().sorted_tables):
            if table.name != "alembic_version":
                connection.execute(table.delete())
    with db.session_scope(app) as session:
        sync_configuration(session, services(app).config)
    yield app
    engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def webhooks(client):
    return Webhooks(client)


@pytest.fixture
def new_call(webhooks):
    def make(**kwargs) -> Call:
        return Call(webhooks, **kwargs)
    return make


@pytest.fixture
def session(app):
    """The app context's session, shared with requests made in the test.

    Convenient for webhook and service tests.  Console tests use
    ``own_session`` instead: a shared app context would also share ``g``,
    which holds per-request state such as the CSRF token."""
    from database import db
    with app.app_context():
        session = db.session()
        yield session
        session.rollback()


@pytest.fixture
def own_session(app):
    """A session of the test's own; requests use theirs, as in production.
    Read after the requests you make (on SQLite an open transaction holds the
    database's write lock)."""
    from database import db
    session = db._bound(app).factory()
    yield session
    session.close()


@pytest.fixture
def chromium():
    """Debian's Chromium for a browser test: ``(browser, expect)``."""
    from tests.support.browser import launched_chromium
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def served(app):
    """The app on a loopback port, for the browser."""
    from tests.support.browser import served_on_loopback
    with served_on_loopback(app) as url:
        yield url
