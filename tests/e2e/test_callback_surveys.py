"""Callbacks end to end through the local carrier: the real Twilio client
places each call over HTTP, the carrier rings a scripted complainant, runs
the TwiML the service returns, posts the signed Gather actions and the
status callbacks, and the case and survey change as they should."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from callbacks.models import Callback, OptOut, SurveyAnswer
from carrier import Carrier, Pickup, ScriptedParty, answering_machine, press, say
from cases.models import Case, CaseEvent
from database import db
from tests.callbacks.conftest import closed_case, later

A = "+8613812345678"
SETTLED = ("completed", "unreachable", "opted_out", "cancelled")


@dataclass
class Line:
    """The hotline on loopback behind its public URL, and the carrier it calls through."""

    app: object
    carrier: Carrier

    def look(self, read):
        """Read the database in a short transaction of its own (the served app writes meanwhile)."""
        with db.session_scope(self.app) as session:
            return read(session)

    def callback(self) -> Callback:
        return self.look(lambda s: s.scalars(select(Callback).where(Callback.purpose == "outcome")).one())

    def wait_for(self, predicate, what: str, timeout: float = 60.0):
        assert self.carrier.wait_until(lambda: self.look(predicate), timeout=timeout), f"timed out: {what}"

    def wait_settled(self, attempts: int) -> Callback:
        """Until the callback's ``attempts``-th attempt has ended one way or another."""
        def done(session) -> bool:
            callback = session.scalars(select(Callback).where(Callback.purpose == "outcome")).one()
            ended = [a for a in callback.attempts_made if a.status == "ended"]
            return len(ended) >= attempts and (callback.status != "calling")
        self.wait_for(done, f"attempt {attempts} to end")
        return self.callback()

    def answers(self, case: Case) -> list[tuple[str, str | None]]:
        return self.look(lambda s: [(a.answer, a.reason) for a in s.scalars(
            select(SurveyAnswer).where(SurveyAnswer.case_id == case.id).order_by(SurveyAnswer.id))])


@pytest.fixture
def line(service) -> Line:
    return Line(service.app, service.carrier)


@pytest.fixture
def survey_due(session, config, clock):
    def make(**kwargs) -> Case:
        case = closed_case(session, config, clock(), caller=A, **kwargs)
        later(clock, hours=4)
        return case
    return make


def phone(line: Line, *steps, pickup: Pickup = Pickup.HUMAN) -> ScriptedParty:
    return line.carrier.directory.register(ScriptedParty(A, *steps, pickup=pickup))


def test_answered_and_satisfied(line, survey_due, dispatch):
    case = survey_due()
    complainant = phone(line, press("1"))
    assert dispatch().placed == 1
    callback = line.wait_settled(1)
    assert callback.status == "completed" and line.answers(case) == [("satisfied", None)]
    call = line.carrier.call(callback.last_call_sid)

    def statuses_sent() -> list[str]:
        return [e.data["params"]["CallStatus"] for e in call.entries("callback")]
    # The service settles the callback while the carrier is still logging the
    # status callback it sent: wait for the log, not for a moment.
    assert line.carrier.wait_until(lambda: statuses_sent()[-1:] == ["completed"], timeout=120)
    assert (call.status, call.errors, call.entries("notice")) == ("completed", [], [])
    first = call.entries("request")[0].data
    assert first["url"].startswith("https://hotline.example.org/voice/callback/answer?attempt=")
    assert first["params"]["AnsweredBy"] == "human" and first["params"]["Direction"] == "outbound-api"
    assert statuses_sent() == ["initiated", "ringing", "in-progress", "completed"]
    heard = [u.text for u in complainant.utterances()]
    assert any("已经更换了新的井盖" in text for text in heard)
    assert [d for u in complainant.utterances() for d in u.spelled if len(d) == 10] == [case.number]
    assert any("感谢您的评价" in text for text in heard)


def test_not_satisfied_reopens_the_case_for_verification(line, survey_due, dispatch):
    case = survey_due()
    phone(line, press("3"), say("井盖还是松的，踩上去会晃"))
    dispatch()
    line.wait_settled(1)
    assert line.answers(case) == [("unsatisfied", "井盖还是松的，踩上去会晃")]
    status, note = line.look(lambda s: (s.get(Case, case.id).status, s.scalars(select(CaseEvent.note).where(
        CaseEvent.case_id == case.id, CaseEvent.action == "reopen")).one()))
    assert (status, note) == ("verifying", "井盖还是松的，踩上去会晃")


def test_busy_then_answered_on_the_retry(line, survey_due, dispatch, clock):
    case = survey_due()
    phone(line, pickup=Pickup.BUSY)
    dispatch()
    callback = line.wait_settled(1)
    assert (callback.status, callback.last_result, callback.attempts) == ("pending", "busy", 1)
    phone(line, press("2"))
    later(clock, minutes=30)
    dispatch()
    callback = line.wait_settled(2)
    assert callback.status == "completed" and line.answers(case) == [("basically_satisfied", None)]
    assert [(a.number, a.result) for a in line.look(
        lambda s: s.get(Callback, callback.id).attempts_made)] == [(1, "busy"), (2, "hung_up")]


def test_three_no_answers_make_the_complainant_unreachable(line, survey_due, dispatch, clock):
    case = survey_due()
    phone(line, pickup=Pickup.NO_ANSWER)
    for attempt, wait in enumerate((timedelta(0), timedelta(minutes=30), timedelta(hours=2)), start=1):
        clock.moment += wait
        assert dispatch().placed == 1
        line.wait_settled(attempt)
    callback = line.callback()
    assert (callback.status, callback.attempts) == ("unreachable", 3)
    assert line.answers(case) == [("unreachable", None)]
    later(clock, days=2)
    assert dispatch().placed == 0
    assert len(line.carrier.calls()) == 3


def test_an_answering_machine_hears_a_message_and_the_call_is_tried_again(line, survey_due, dispatch, clock):
    case = survey_due()
    machine = line.carrier.directory.register(answering_machine(A))
    dispatch()
    callback = line.wait_settled(1)
    assert (callback.status, callback.last_result) == ("pending", "machine")
    heard = [u.text for u in machine.utterances()]
    assert any("稍后会再打来" in text for text in heard) and not any(case.number in t for t in heard)
    phone(line, press("1"))
    later(clock, minutes=30)
    dispatch()
    assert line.wait_settled(2).status == "completed"
    assert line.answers(case) == [("satisfied", None)]


def test_opting_out_is_respected(line, survey_due, dispatch, session, config, clock):
    case = survey_due()
    phone(line, press("9"))
    dispatch()
    callback = line.wait_settled(1)
    assert callback.status == "opted_out" and line.answers(case) == []
    assert line.look(lambda s: s.scalars(select(OptOut.phone_e164)).all()) == [A]
    closed_case(session, config, clock(), caller=A, category="C0118", location="海陵区凤凰路1号")
    later(clock, days=1)
    assert dispatch().placed == 0
    assert len(line.carrier.calls()) == 1
