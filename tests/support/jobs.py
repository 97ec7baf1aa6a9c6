"""The scheduler's jobs, run once by a test at the test clock's time.

Fixtures: a conftest imports the ones its tests need (tests/callbacks/ and
tests/e2e/ share ``dispatch``)."""
from __future__ import annotations

import pytest

from callbacks.dispatcher import dispatch_due, placement_urls
from database import db
from wiring import services


@pytest.fixture
def dispatch(app, clock, session):
    """One run of the scheduler's callback job, at the test clock's time.
    The test's own session ends its transaction first, as another process's
    would (on SQLite every transaction takes the write lock)."""
    from call_log.twilio_rest import twilio_client

    def run(**options):
        session.commit()
        with app.app_context():
            return dispatch_due(lambda: db.session_scope(app), services(app).config, twilio_client(),
                                placement_urls(app), clock, **options)
    return run
