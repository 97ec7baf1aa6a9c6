"""Twilio's error answers to ``calls.create``, as the dispatcher reads them:
a fault in the centre's own account pauses every callback with an alert and
keeps each complainant owed; a bad number makes that complainant
unreachable; rate limits and Twilio's failures are retried with backoff."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.services import create_user
from callbacks.models import Callback, CallbackAttempt, CallbackPause, SurveyAnswer
from callbacks.services import request_call_back
from tests.callbacks.conftest import closed_case, later

A, B = "+8613812345678", "+8613912345678"

ACCOUNT_FAULTS = [
    (21215, "Account not authorized to call +8613812345678. Perhaps you need to enable some international "
            "permissions: https://www.twilio.com/console/voice/calls/geo-permissions/low-risk"),
    (21210, "The source phone number provided, +8652388012319, is not yet verified for your account."),
    (21205, "Url is not a valid URL: hotline.example.org/voice/callback/answer"),
]


def owe(session, config, clock, phone=A) -> Callback:
    callback = request_call_back(session, config, purpose="queue", phone_e164=phone, line_id="urban",
                                 origin_call_id=None, language=None, now=clock())
    session.commit()
    return callback


def fresh(session, callback: Callback) -> Callback:
    session.expire_all()
    return session.get(Callback, callback.id)


@pytest.mark.parametrize("code, message", ACCOUNT_FAULTS)
def test_an_account_fault_pauses_callbacks_and_keeps_everyone_owed(session, config, clock, twilio, dispatch,
                                                                   caplog, code, message):
    case = closed_case(session, config, clock())
    later(clock, hours=4)
    other = owe(session, config, clock, phone=B)
    twilio.fail_next(400, code, message)
    with caplog.at_level(logging.ERROR, logger="callbacks.pauses"):
        counts = dispatch(concurrency=1)
    assert counts.failed == 1 and counts.placed == 0 and counts.paused
    outcome = session.scalars(select(Callback).where(Callback.case_id == case.id)).one()
    assert (outcome.status, outcome.attempts) == ("pending", 0)          # owed, no attempt used up
    assert fresh(session, other).status == "pending"
    assert session.scalars(select(SurveyAnswer)).all() == []              # nobody counted unreachable
    attempt = session.scalars(select(CallbackAttempt)).one()
    assert attempt.result == "account_fault" and str(code) in attempt.error
    pause = session.scalars(select(CallbackPause)).one()
    assert pause.code == code and pause.resumed_at is None
    [alert] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "CALLBACKS PAUSED" in alert.getMessage() and str(code) in alert.getMessage()

    later(clock, minutes=30)
    assert dispatch().placed == 0 and twilio.created == []                 # paused: nothing placed


def test_callbacks_status_shows_the_pause_and_resume_goes_on(app, session, config, clock, twilio, dispatch):
    owe(session, config, clock)
    twilio.fail_next(400, 21215, "Account not authorized to call +8613812345678.")
    dispatch()
    runner = app.test_cli_runner()
    session.commit()
    shown = runner.invoke(args=["callbacks", "status"])
    assert shown.exit_code == 1
    assert "PAUSED" in shown.output and "21215" in shown.output and "callbacks resume" in shown.output
    assert "pending 1" in shown.output
    assert "+8613812345678" not in shown.output

    resumed = runner.invoke(args=["callbacks", "resume"])
    assert resumed.exit_code == 0 and "resumed" in resumed.output
    assert runner.invoke(args=["callbacks", "status"]).exit_code == 0
    assert dispatch().placed == 1 and [c["To"] for c in twilio.created] == [A]
    assert session.scalars(select(CallbackPause.resumed_by)).one() == "cli"


def test_every_console_page_shows_the_pause(app, session, config, clock, twilio, dispatch):
    owe(session, config, clock)
    twilio.fail_next(400, 21210, "The source phone number provided is not yet verified for your account.")
    dispatch()
    create_user(session, "op1", "operator password 1", "operator", hash_method="pbkdf2:sha256:1000")
    session.commit()
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"username": "op1", "password": "operator password 1", "csrf_token": token})
    for path in ("/console/", "/console/board"):
        text = client.get(path).get_data(as_text=True)
        assert "回访已暂停" in text and "21210" in text, path
    session.commit()          # the requests shared the test's session; end its transaction
    app.test_cli_runner().invoke(args=["callbacks", "resume"])
    assert "回访已暂停" not in client.get("/console/").get_data(as_text=True)


@pytest.mark.parametrize("code", [21211, 21217, 13224])
def test_an_invalid_or_unreachable_number_makes_that_complainant_unreachable(session, config, clock, twilio,
                                                                               dispatch, code):
    callback = owe(session, config, clock)
    other = owe(session, config, clock, phone=B)
    twilio.fail_next(400, code, "The 'To' number is not valid.")
    dispatch(concurrency=1)
    assert (fresh(session, callback).status, fresh(session, callback).last_result) == ("unreachable", "rejected")
    assert fresh(session, other).status == "calling"                      # the others go on
    assert session.scalars(select(CallbackPause)).all() == []


@pytest.mark.parametrize("status, code", [(429, 20429), (500, 20500), (503, 20503)])
def test_rate_limits_and_twilios_failures_are_retried_with_backoff(session, config, clock, twilio, dispatch,
                                                                   status, code):
    callback = owe(session, config, clock)
    twilio.fail_next(status, code, "Too Many Requests" if status == 429 else "Service Unavailable")
    twilio.fail_next(status, code, "again")
    dispatch()
    callback = fresh(session, callback)
    assert (callback.status, callback.attempts) == ("pending", 0)
    assert callback.next_attempt_at == clock() + timedelta(minutes=1)
    later(clock, minutes=1)
    dispatch()
    assert fresh(session, callback).next_attempt_at == clock() + timedelta(minutes=2)
    assert session.scalars(select(CallbackPause)).all() == []


def test_another_refusal_counts_as_a_failed_attempt_not_unreachable(session, config, clock, twilio, dispatch):
    callback = owe(session, config, clock)
    twilio.fail_next(400, 21208, "Some other refusal")
    dispatch()
    callback = fresh(session, callback)
    assert (callback.status, callback.attempts, callback.last_result) == ("pending", 1, "failed")
    assert callback.next_attempt_at == clock() + timedelta(minutes=30)
    assert session.scalar(select(func.count()).select_from(CallbackPause)) == 0
