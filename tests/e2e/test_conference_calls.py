"""Supervision and warm transfer end to end: the real hotline behind the
local carrier, handsets for the caller, the operator, a supervisor and a
department's duty phone.  The service's use cases run as the console runs
them; who hears whom is what the carrier's audio model says.  The
department is told the case summary as it joins, and the operator's
quality recording stops when they hand the call over."""
from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from accounts.services import create_user
from call_log.models import Call as CallRow
from call_log.models import Recording
from carrier.actions import Pickup
from carrier.testing import Handset
from cases.services import NewCase, open_case
from database import db
from ivr.kit import public_url
from operators import seats as rules
from operators.conference_services import conference_urls, operator_move, supervise
from operators.distribution import distribute
from operators.models import Seat
from operators.recording import OPERATOR_CALL
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


def recorded(app, call_sid: str) -> list[tuple[str, int | None]]:
    """The call's quality recordings as the service keeps them: status and duration."""
    with db.session_scope(app) as session:
        return [(r.status, r.duration_seconds) for r in session.scalars(
            select(Recording).join(CallRow, CallRow.id == Recording.call_id).where(CallRow.call_sid == call_sid)
            .where(Recording.purpose == OPERATOR_CALL))]


def a_case_from(app, call_sid: str) -> str:
    """The operator filed a case from the call (the case form): its number."""
    with db.session_scope(app) as session:
        row = session.scalars(select(CallRow).where(CallRow.call_sid == call_sid)).one()
        return open_case(session, services(app).config, NewCase(
            line_id="urban", channel="hotline", description="两个上水井盖丢失", location="西仓路银春旅馆门前",
            category_code="C0101", caller_e164=None, callback_number=None, call_id=row.id),
            services(app).now()).number


def told_summary(handset: Handset, number: str) -> bool:
    """The handset heard the case summary a department is told (the case number, category and place)."""
    return any(text.startswith("热线转来案件") and number in text.replace(" ", "") and "上水井盖" in text
               and "西仓路银春旅馆门前" in text for text in handset.heard())


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

    # Li answered: the caller's leg is recorded for quality review, from now until the hand-over.
    assert carrier.wait_until(lambda: recorded(app, call.sid) == [("in-progress", None)], timeout=60)
    number = a_case_from(app, call.sid)

    # Warm transfer: consult with the caller on hold, join all three, the operator leaves.
    as_console(service, "li", lambda s, u, urls: operator_move(s, service.twilio, config, call.sid, u, "consult",
                                                               urls, now(), department_code="WATER"))
    water.wait_until_in_conference(timeout=60)
    # The department, and only the department, is told the case summary as it joins.
    assert carrier.wait_until(lambda: told_summary(water, number), timeout=60), water.heard()
    citizen.wait_until_heard("请稍候，话务员正在为您处理，马上回来。", timeout=60)
    li.say("有个路灯的问题要转给你们")
    water.wait_until_heard("有个路灯的问题要转给你们")
    assert not told_summary(li, number) and not told_summary(citizen, number)
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
    # Handed over: the quality recording has stopped (Twilio said completed) while the call goes on.
    assert carrier.wait_until(lambda: recorded(app, call.sid)[0][0] == "completed", timeout=60)
    [(_, stopped_at)] = recorded(app, call.sid)
    assert call.live and told_summary(water, number) and not told_summary(citizen, number)
    citizen.say("谢谢，请尽快处理")
    water.wait_until_heard("谢谢，请尽快处理")
    water.hang_up()
    finished(call, timeout=60)
    assert call.errors == []
    # The recording holds the operator's part only: its duration stopped at the hand-over, and the
    # end of the call did not run it on.
    [recording] = carrier.recordings.all(call.sid)
    assert (recording.status, recording.duration, recording.channels) == ("completed", stopped_at, 2)
    assert recording.date_updated < call.end_time
    log = [(entry.kind, entry.text) for entry in call.log]
    ended = log.index(("recording", f"call recording completed: {stopped_at} s"))
    assert ended < log.index(("input", "said “谢谢，请尽快处理”"))
    assert recorded(app, call.sid) == [("completed", stopped_at)]


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
