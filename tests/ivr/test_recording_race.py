"""Twilio may post two requests about one RecordingSid at once (the
<Record> action and the recording status callback): both are kept in one
row, and neither fails on the unique key."""
from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from call_log.models import Recording
from call_log.services import RecordingParams, save_recording
from database import db
from tests.conftest import BACKEND

SID = "RE" + "c" * 32


def params(**changes) -> RecordingParams:
    values = dict(recording_sid=SID, call_sid=None, url=None, duration_seconds=None, status=None)
    return RecordingParams(**{**values, **changes})


def _waiting_on_a_lock(app) -> bool:
    with db.session_scope(app) as session:
        return bool(session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")))


def test_two_requests_for_one_recording_sid_at_once_make_one_row(app):
    first_inserted, second_started = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first():
        try:
            with db.session_scope(app) as session:
                save_recording(session, params(url="https://api.twilio.com/r/1", duration_seconds=31))
                first_inserted.set()
                # Hold the insert uncommitted until the second request is at it too.
                second_started.wait(30)
                if BACKEND == "postgresql":
                    for _ in range(600):
                        if _waiting_on_a_lock(app):
                            break
                        threading.Event().wait(0.05)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    def second():
        try:
            first_inserted.wait(30)
            second_started.set()
            with db.session_scope(app) as session:
                save_recording(session, params(status="completed"), purpose="voicemail")
        except BaseException as error:  # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with db.session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Recording)) == 1
        row = session.scalars(select(Recording)).one()
        assert (row.url, row.duration_seconds, row.status) == ("https://api.twilio.com/r/1", 31, "completed")


def test_a_later_callback_fills_in_what_it_knows(session):
    save_recording(session, params(status="in-progress"))
    save_recording(session, params(url="https://api.twilio.com/r/2", duration_seconds=12, status="completed"))
    save_recording(session, params())
    row = session.scalars(select(Recording)).one()
    assert (row.url, row.duration_seconds, row.status) == ("https://api.twilio.com/r/2", 12, "completed")
