"""Supervision and warm transfer end to end: the real hotline behind the
local carrier, handsets for the caller, the operator, a supervisor and a
department's duty phone.  The service's use cases run as the console runs
them; who hears whom is what the carrier's audio model says."""
from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from accounts.services import create_user
from call_log.models import Call as CallRow
from carrier.actions import Pickup
from carrier.testing import Handset
from database import db
from ivr.kit import public_url
from operators import seats as rules
from operators.conference_services import conference_urls, operator_move, supervise
from operators.distribution import distribute
from operators.models import Seat
from operators.seating import choose
from tests.carrier.support import Caller, finished
from tests.support.caller import URBAN
from wiring import services

CITIZEN = "+8613912345678"
WATER_DUTY = "+8652386210001"


def people(app) -> None:
    with db.session_scope(app) as session:
        for username, role in (("li", "operator"), ("boss", "supervisor")):
            user = create_user(session, username, "operator password 1", role, device=f"client:{username}",
                               hash_method="pbkdf2:sha256:1000")
            session.flush()
            if role == "operator":
                choose(session, user, rules.AVAILABLE, services(app).clock())


def as_console(service, username: str, act):
    """Run a console use case as ``username``, in a request's place: one session, committed at the end."""
    app = service.app
    urls = conference_urls(lambda endpoint, **values: public_url(app, endpoint, **values))
    with app.app_context():
        session = db.session()
        user = session.scalars(select(User).where(User.username == username)).one()
        result = act(session, user, urls)
        session.commit()
        return result


def offers(service) -> int:
    """One pass of automatic distribution: how many callers it offered to an operator."""
    app = service.app
    return len(distribute(lambda: db.session_scope(app), service.twilio, services(app).config,
                          lambda operator: public_url(app, "operator_voice.connect", operator=operator),
                          services(app).clock).offers)


def seat_state(app, username: str) -> str:
    with db.session_scope(app) as session:
        return session.scalars(select(Seat.state).join(User, User.id == Seat.user_id)
                               .where(User.username == username)).one()


def test_a_supervisor_listens_coaches_and_barges_in_then_the_operator_warm_transfers(service):
    app, carrier = service.app, service.carrier
    people(app)
    li = Handset(carrier, "client:li")
    boss = Handset(carrier, "client:boss")
    water = Handset(carrier, WATER_DUTY)
    citizen = Caller(carrier, CITIZEN)
    call = carrier.call_in(citizen, URBAN)
    assert carrier.wait_until(lambda: offers(service) == 1, timeout=60)
    li.wait_until_in_conference(timeout=60)
    citizen.wait_until_in_conference(timeout=60)
    citizen.say("青年路的路灯不亮了")
    li.wait_until_heard("青年路的路灯不亮了")
    config, now = services(app).config, services(app).now

    # Listen: the supervisor hears both, and neither hears the supervisor.
    as_console(service, "boss", lambda s, u, urls: supervise(s, service.twilio, config, call.sid, u, "listen",
                                                             urls, now()))
    boss.wait_until_in_conference(timeout=60)
    citizen.say("灯杆上有编号")
    boss.wait_until_heard("灯杆上有编号")
    boss.say("监听时说的话")

    # Coach: only the operator hears the supervisor.
    as_console(service, "boss", lambda s, u, urls: supervise(s, service.twilio, config, call.sid, u, "coach",
                                                             urls, now()))
    boss.say("先核实地址")
    li.wait_until_heard("先核实地址")

    # Barge in: both hear the supervisor.
    as_console(service, "boss", lambda s, u, urls: supervise(s, service.twilio, config, call.sid, u, "barge",
                                                             urls, now()))
    boss.say("我是值班长")
    citizen.wait_until_heard("我是值班长")
    li.wait_until_heard("我是值班长")
    assert "监听时说的话" not in citizen.heard() + li.heard()
    assert "先核实地址" not in citizen.heard()
    boss.hang_up()

    # Warm transfer: consult with the caller on hold, join all three, the operator leaves.
    as_console(service, "li", lambda s, u, urls: operator_move(s, service.twilio, config, call.sid, u, "consult",
                                                               urls, now(), department_code="WATER"))
    water.wait_until_in_conference(timeout=60)
    citizen.wait_until_heard("请稍候，话务员正在为您处理，马上回来。", timeout=60)
    li.say("有个路灯的问题要转给你们")
    water.wait_until_heard("有个路灯的问题要转给你们")
    as_console(service, "li", lambda s, u, urls: operator_move(s, service.twilio, config, call.sid, u, "join",
                                                               urls, now()))
    water.say("您好，这里是值班室")
    citizen.wait_until_heard("您好，这里是值班室")
    li.wait_until_heard("您好，这里是值班室")
    assert "有个路灯的问题要转给你们" not in citizen.heard()
    as_console(service, "li", lambda s, u, urls: operator_move(s, service.twilio, config, call.sid, u, "leave",
                                                               urls, now()))
    assert li.call.wait_ended(30.0)
    assert carrier.wait_until(lambda: seat_state(app, "li") == rules.WRAP_UP, timeout=60)
    citizen.say("谢谢，请尽快处理")
    water.wait_until_heard("谢谢，请尽快处理")
    water.hang_up()
    finished(call, timeout=60)
    assert call.errors == []


def test_a_department_that_does_not_answer_leaves_the_operator_with_the_caller(service):
    app, carrier = service.app, service.carrier
    people(app)
    li = Handset(carrier, "client:li")
    Handset(carrier, WATER_DUTY, pickup=Pickup.NO_ANSWER)
    citizen = Caller(carrier, CITIZEN)
    call = carrier.call_in(citizen, URBAN)
    assert carrier.wait_until(lambda: offers(service) == 1, timeout=60)
    li.wait_until_in_conference(timeout=60)
    config, now = services(app).config, services(app).now
    as_console(service, "li", lambda s, u, urls: operator_move(s, service.twilio, config, call.sid, u, "consult",
                                                               urls, now(), department_code="WATER"))

    def state() -> str:
        with db.session_scope(app) as session:
            return session.scalars(select(CallRow.conference_state).where(CallRow.call_sid == call.sid)).one()

    assert carrier.wait_until(lambda: state() == "holding", timeout=60)
    as_console(service, "li", lambda s, u, urls: operator_move(s, service.twilio, config, call.sid, u, "resume",
                                                               urls, now()))
    li.say("部门没有接，我继续为您登记")
    citizen.wait_until_heard("部门没有接，我继续为您登记")
    li.hang_up()
    finished(call, timeout=60)
