"""Automatic distribution end to end: the real hotline behind the local
carrier, two operators' devices, and distribution passes as the scheduler
runs them.  The first operator's device is not answered: the caller goes
back to the queue, keeps their place, and is offered to the second one,
who hears the whisper and talks with the caller in the call's conference."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from accounts.models import User
from accounts.services import create_user
from call_log.models import Call, Recording
from carrier.actions import Pickup
from carrier.testing import Handset
from database import db
from ivr.kit import public_url
from operators import seats as rules
from operators.distribution import distribute
from operators.models import Seat, SeatChange
from operators.seating import choose
from tests.carrier.support import Caller, finished
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
    carrier = service.carrier
    wang = Handset(carrier, "client:wang", pickup=Pickup.NO_ANSWER)
    li = Handset(carrier, "client:li")
    citizen = Caller(carrier, CITIZEN)
    call = carrier.call_in(citizen, URBAN)
    assert carrier.wait_until(lambda: waiting(service) == 1, timeout=60)

    assert [o.operator for o in one_pass(service).offers] == ["wang"]
    # Wang's phone rings out: his leg's status callback marks him away and queues the caller again.
    assert carrier.wait_until(lambda: seat(service.app, "wang") == (rules.BREAK, rules.NO_ANSWER), 60)
    citizen.wait_until_heard("话务员暂时未能接听，正在为您转接下一位，请稍候。", timeout=60)
    assert carrier.wait_until(lambda: waiting(service) == 1, timeout=60)

    assert [o.operator for o in one_pass(service).offers] == ["li"]
    li.wait_until_in_conference(timeout=60)
    citizen.wait_until_in_conference(timeout=60)
    # Li heard the whisper (who is calling) before joining the call's conference.
    assert any("尾号5678" in text for text in li.heard())
    citizen.say("青年路的路灯不亮了")
    li.wait_until_heard("青年路的路灯不亮了")
    li.say("您好，我是接线员小李")
    citizen.wait_until_heard("您好，我是接线员小李")
    li.hang_up()
    finished(call, timeout=60)

    assert [c.status for c in wang.calls] == ["no-answer"]
    assert carrier.wait_until(lambda: seat(service.app, "li")[0] == rules.WRAP_UP, timeout=60)
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
