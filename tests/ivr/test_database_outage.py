"""A database that does not answer (SQLite locked by another process, a
PostgreSQL table locked) must not hold a webhook past Twilio's 15 seconds:
each request waits at most HOTLINE_DB_LOCK_TIMEOUT, then takes the recovery
path: the apology and a recording, the recording's details spooled, status
callbacks spooled.  Nothing here measures time: how long a request may wait
is read back from its own connection (SQLite's busy timeout, PostgreSQL's
lock and statement timeouts), and the locks are held until each request has
answered."""
from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from call_log.models import CallStatusEvent
from cases.models import Case
from database import db
from tests.conftest import BACKEND
from tests.support.caller import Call, Webhooks


@pytest.fixture
def impatient_app(app, clock):
    """The app with a short lock wait, on the same database."""
    from app import create_app

    settings = app.config["SETTINGS"]
    quick = create_app({
        "database_url": settings.database_url, "public_url": settings.public_url,
        "twilio_account_sid": settings.twilio_account_sid, "twilio_auth_token": settings.twilio_auth_token,
        "instance_dir": settings.instance_dir, "clock": clock, "env": "testing",
        "db_lock_timeout": timedelta(milliseconds=300), "db_statement_timeout": timedelta(seconds=2),
    })
    yield quick
    db.engine(quick).dispose()


@contextlib.contextmanager
def holding_the_database(url: str):
    """Another process holds the database: SQLite's write lock, or on
    PostgreSQL an exclusive lock on the call log."""
    if BACKEND == "sqlite":
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        import psycopg
        holder = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        holder.execute("LOCK TABLE call, call_status_event, recording IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


@pytest.fixture
def locked(impatient_app):
    with holding_the_database(impatient_app.config["SETTINGS"].database_url):
        yield


def test_request_sessions_wait_briefly_and_background_work_longer(impatient_app):
    with impatient_app.test_request_context():
        request_session = db.session()
        if BACKEND == "sqlite":
            request_session.execute(text("select 1"))
            assert request_session.execute(text("PRAGMA busy_timeout")).scalar() == 300
        else:
            assert request_session.execute(text("SHOW lock_timeout")).scalar() == "300ms"
            assert request_session.execute(text("SHOW statement_timeout")).scalar() == "2s"
        request_session.rollback()
    with db.session_scope(impatient_app) as job_session:
        if BACKEND == "sqlite":
            assert job_session.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        else:
            assert job_session.execute(text("SHOW lock_timeout")).scalar() == "30s"
            assert job_session.execute(text("SHOW statement_timeout")).scalar() == "0"


def test_with_the_database_locked_a_caller_hears_the_apology_and_is_recorded(impatient_app, locked):
    webhooks = Webhooks(impatient_app.test_client())
    call = Call(webhooks)
    document = call.dial()
    assert "非常抱歉" in document.text and document.record is not None
    done = call.leave_recording(seconds=20)
    assert done.hangs_up and "已经记录" in done.text
    spooled = impatient_app.config["SETTINGS"].instance_dir / "spool" / "fallback_recorded.jsonl"
    assert call.sid in spooled.read_text()


def test_with_the_database_locked_status_callbacks_are_spooled(impatient_app, locked):
    webhooks = Webhooks(impatient_app.test_client())
    call = Call(webhooks)
    response = webhooks.post("/voice/status", {**call.base_params(), "CallStatus": "completed",
                                               "SequenceNumber": "2", "CallDuration": "30"})
    assert response.status_code == 204
    assert call.sid in (impatient_app.config["SETTINGS"].instance_dir / "spool" / "status.jsonl").read_text()


def test_what_was_spooled_during_the_outage_is_replayed_after_it(impatient_app):
    webhooks = Webhooks(impatient_app.test_client())
    call = Call(webhooks)
    with holding_the_database(impatient_app.config["SETTINGS"].database_url):
        call.dial()
        call.leave_recording(seconds=20)
        webhooks.post("/voice/status", {**call.base_params(), "CallStatus": "completed", "SequenceNumber": "2"})

    result = impatient_app.test_cli_runner().invoke(args=["spool", "replay"])
    assert "replayed 2" in result.output, result.output
    with db.session_scope(impatient_app) as session:
        case = session.scalars(select(Case)).one()
        assert case.needs_operator and case.recording_id is not None
        assert session.scalars(select(CallStatusEvent.status)).all() == ["completed"]
