"""Automatic distribution end to end: the real hotline behind the local
carrier, two operators' devices, and distribution passes as the scheduler
runs them.  The first operator's device is not answered: the caller goes
back to the queue, keeps their place, and is offered to the second one."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from accounts.models import User
from accounts.services import create_user
from call_log.models import Call, Recording
from carrier import ScriptedParty, hang_up, press, say, wait
from carrier.actions import Pickup
from database import db
from ivr.kit import public_url
from operators import seats as rules
from operators.distribution import distribute
from operators.models import Seat, SeatChange
from operators.seating import choose
from tests.carrier.support import finished
from tests.support.caller import URBAN
from wiring import services

CITIZEN = "+8613912345678"


def on_duty(app, *usernames: str) -> None:
    """Each signs in and becomes available, in this order (the first idle longest)."""
    clock = services(app).clock
    for username in usernames:
        with db.session_scope(app) as session:
            user = create_user(session, username, "operator password 1", "operator", device=f"client:{username}",
                               hash_method="pbkdf2:sha256:1000")
            session.flush()
            choose(session, user, rules.AVAILABLE, clock())
        clock.moment += timedelta(seconds=10)


def seat(app, username: str) -> tuple[str, str | None]:
    with db.session_scope(app) as session:
        found = session.scalars(select(Seat).join(User, User.id == Seat.user_id)
                                .where(User.username == username)).one()
        return found.state, found.reason


def one_pass(service):
    """What the scheduler's operators.distribute job does every second."""
    app = service.app
    return distribute(lambda: db.session_scope(app), service.twilio, services(app).config,
                      lambda operator: public_url(app, "operator_voice.connect", operator=operator),
                      services(app).clock)


def waiting(service) -> int:
    queue = service.carrier.queues.named(services(service.app).config.lines["urban"].operator_queue.name)
    return queue.current_size if queue else 0


def test_a_caller_is_offered_to_the_next_operator_when_the_first_does_not_answer(service):
    on_duty(service.app, "wang", "li")
    wang = service.carrier.directory.register(ScriptedParty("client:wang", pickup=Pickup.NO_ANSWER))
    li = service.carrier.directory.register(ScriptedParty("client:li", say("您好，我是接线员小李"), hang_up()))
    citizen = ScriptedParty(CITIZEN, press("0"), wait(), say("青年路的路灯不亮了"), wait())
    call = service.carrier.call_in(citizen, URBAN)
    assert service.carrier.wait_until(lambda: waiting(service) == 1, timeout=60)

    assert [o.operator for o in one_pass(service).offers] == ["wang"]
    # Wang's phone rings out: the Dial's action marks him away and queues the caller again.
    assert service.carrier.wait_until(lambda: seat(service.app, "wang") == (rules.BREAK, rules.NO_ANSWER), 60)
    assert service.carrier.wait_until(lambda: waiting(service) == 1, timeout=60)

    assert [o.operator for o in one_pass(service).offers] == ["li"]
    finished(call, timeout=60)

    heard = [u.text for u in citizen.utterances()]
    assert "话务员暂时未能接听，正在为您转接下一位，请稍候。" in heard
    assert "您好，我是接线员小李" in heard
    assert [u.text for u in li.utterances()][-1] == "青年路的路灯不亮了"
    assert [c.status for c in wang.calls] == ["no-answer"]
    assert service.carrier.wait_until(lambda: seat(service.app, "li")[0] == rules.WRAP_UP, timeout=60)
    with db.session_scope(service.app) as session:
        lis = [(c.previous, c.state) for c in session.scalars(
            select(SeatChange).join(User, User.id == SeatChange.user_id).where(User.username == "li")
            .order_by(SeatChange.id))]
    assert lis == [("offline", "available"), ("available", "ringing"), ("ringing", "on_call"),
                   ("on_call", "wrap_up")]
    assert call.errors == []
    # Li answered: the call was recorded in two channels, from then until it ended, for quality review.
    assert service.carrier.wait_until(lambda: recorded(service.app, call.sid) == [("completed", 2)], timeout=60)
    [recording] = service.carrier.recordings.all(call.sid)
    assert (recording.channels, recording.source) == (2, "StartCallRecordingAPI")


def recorded(app, call_sid: str) -> list[tuple[str, int]]:
    with db.session_scope(app) as session:
        return [(r.status, r.channels) for r in session.scalars(
            select(Recording).join(Call, Call.id == Recording.call_id).where(Call.call_sid == call_sid))]
