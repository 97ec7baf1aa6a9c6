"""The callback calls' webhooks, signed, with values Twilio never sends: an
attempt or a sequence number no column holds, endless or NUL-laden text.
Each gets an answer (an apology to a person, 204 to a callback), never 500."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from callbacks.models import CallbackAttempt
from tests.callbacks.test_calls import one, survey_due  # noqa: F401  (a fixture, used below)
from tests.support.twiml import Document, parse


@pytest.fixture
def call(request, dispatch, placed):
    """An outcome callback, placed."""
    request.getfixturevalue("survey_due")()
    dispatch()
    return placed()


BAD_ATTEMPTS = ["9" * 30, str(2**31), str(2**63), "-1", "1e3", "0x10", "\x00", "１"]


@pytest.mark.parametrize("attempt", BAD_ATTEMPTS)
def test_status_callbacks_for_attempts_no_database_holds_are_answered(call, webhooks, attempt):
    answer = webhooks.post(f"/voice/callback/status?attempt={quote(attempt)}", {**call.params("completed"),
                                                                         "SequenceNumber": "1"})
    assert answer.status_code == 204


@pytest.mark.parametrize("attempt", BAD_ATTEMPTS)
def test_answering_a_call_for_an_attempt_no_database_holds_is_an_apology(call, webhooks, attempt):
    answer = webhooks.post(f"/voice/callback/answer?attempt={quote(attempt)}", call.params())
    assert answer.status_code == 200
    assert Document(parse(answer.data)).verbs()[-1] == "Hangup"


@pytest.mark.parametrize("extra", [
    {"SequenceNumber": "9" * 30}, {"CallDuration": "9" * 30}, {"CallStatus": "completed" + "x" * 5000},
    {"CallStatus": "\x00completed"}, {"AnsweredBy": "human" * 1000}, {"Timestamp": "\x00"},
    {"CallSid": "CA" + "0" * 5000},
])
def test_status_callbacks_with_bad_values_are_answered(call, webhooks, extra):
    params = {**call.params("completed"), "SequenceNumber": "1", **extra}
    answer = webhooks.post(call.sent["StatusCallback"], params)
    assert answer.status_code == 204


def test_a_nul_in_the_status_is_dropped_and_the_call_still_ends(call, webhooks, session):
    call.answer()
    webhooks.post(call.sent["StatusCallback"], {**call.params("comp\x00leted"), "SequenceNumber": "9",
                                               "CallDuration": "35"})
    assert one(session, CallbackAttempt, call_sid=call.sid).status == "ended"


@pytest.mark.parametrize("extra", [{"RecordingSid": "RE" + "1" * 5000, "RecordingDuration": "9" * 30},
                                   {"RecordingSid": "RE\x00", "RecordingUrl": "https://x/" + "y" * 5000},
                                   {"RecordingSid": "RE1", "RecordingStatus": "\x00" * 40}])
def test_recording_callbacks_with_bad_values_are_answered(call, webhooks, session, extra):
    answer = webhooks.post("/voice/callback/recording", {**call.params(), **extra})
    assert answer.status_code == 204


def test_a_step_with_numbers_out_of_range_is_an_apology(call, webhooks, session):
    call.answer()
    attempt = session.scalars(select(CallbackAttempt)).one().id
    answer = webhooks.post(f"/voice/callback/step?attempt={attempt}&step={'9' * 30}",
                           {**call.params(), "Digits": "1", "Confidence": "inf"})
    assert answer.status_code == 200
    parse(answer.data)
