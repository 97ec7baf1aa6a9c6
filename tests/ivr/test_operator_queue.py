"""0 puts the caller in the line's operator queue; the wait loop says the
position and offers a callback; a full queue or a long wait offers voicemail
or a callback instead."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from call_log.models import Call as CallRow
from tests.support.twiml import Document, parse


def queue_some(session, count: int, queue: str = "urban-operators", now=None):
    for _ in range(count):
        session.add(CallRow(call_sid="CA" + secrets.token_hex(16), line_id="urban", status="in-progress",
                            queue_name=queue, queued_at=now, last_seen_at=now))
    session.commit()


def wait_round(webhooks, call, position: int, average: int = 0) -> Document:
    params = {**call.base_params(), "QueuePosition": str(position), "QueueTime": "30",
              "AvgQueueTime": str(average), "CurrentQueueSize": str(position), "QueueSid": "QU" + "0" * 32}
    response = webhooks.post("/voice/queue/wait", params)
    assert response.status_code == 200
    return Document(parse(response.data))


def two_ahead(session, clock) -> None:
    """Two callers who joined the queue a minute before: the place comes
    from the call log, by when each joined."""
    queue_some(session, 2, now=clock() - timedelta(minutes=1))
    for row in session.scalars(select(CallRow).where(CallRow.queued_at.is_not(None))):
        row.last_seen_at = clock()
    session.commit()


def test_wait_loop_says_position_and_expected_wait(new_call, webhooks, session, clock):
    two_ahead(session, clock)
    call = new_call()
    call.dial()
    call.press("0")
    loop = wait_round(webhooks, call, position=3)
    assert "您前面还有2位来电" in loop.text and "预计等待6分钟" in loop.text
    assert loop.gather.get("action").endswith("/voice/queue/choice") and loop.gather.get("numDigits") == "1"
    assert loop.root.find("Pause") is not None


def test_long_average_wait_raises_the_estimate(new_call, webhooks):
    call = new_call()
    call.dial()
    call.press("0")
    assert "预计等待10分钟" in wait_round(webhooks, call, position=1, average=600).text


def test_pressing_1_in_the_wait_loop_leaves_the_queue(new_call, webhooks):
    call = new_call()
    call.dial()
    call.press("0")
    response = webhooks.post("/voice/queue/choice", {**call.base_params(), "Digits": "1"})
    assert Document(parse(response.data)).verbs() == ["Leave"]
    other = webhooks.post("/voice/queue/choice", {**call.base_params(), "Digits": "5"})
    assert Document(parse(other.data)).verbs() == []


def test_full_queue_offers_voicemail_or_callback(new_call, session, clock):
    queue_some(session, 10, now=clock())
    call = new_call()
    call.dial()
    offer = call.press("0")
    assert offer.root.find("Enqueue") is None and "都在通话中" in offer.text
    assert "留言请按1" in offer.text


def test_long_expected_wait_offers_voicemail_or_callback(new_call, session, clock):
    queue_some(session, 3, now=clock())                  # 4 x 2 minutes > 6
    call = new_call()
    call.dial()
    offer = call.press("0")
    assert offer.root.find("Enqueue") is None and "等待时间较长" in offer.text


def test_queued_call_is_logged_with_its_queue(new_call, session):
    call = new_call()
    call.dial()
    call.press("0")
    row = session.query(CallRow).filter_by(call_sid=call.sid).one()
    assert row.queue_name == "urban-operators" and row.queued_at is not None


def test_caller_put_through_to_an_operator_is_done_when_the_bridge_ends(new_call, session):
    call = new_call()
    call.dial()
    queued = call.press("0")
    done = call._follow(queued.root.find("Enqueue").get("action"), {"QueueResult": "bridged", "QueueTime": "40"})
    assert done.hangs_up
    assert session.query(CallRow).filter_by(call_sid=call.sid).one().queue_result == "bridged"


def owed_callbacks(session):
    from callbacks.models import Callback
    session.expire_all()
    return [(c.purpose, c.phone_e164) for c in session.query(Callback).order_by(Callback.id)]


def test_caller_who_gives_up_waiting_is_owed_a_callback(new_call, session):
    call = new_call()
    call.dial()
    queued = call.press("0")
    call._follow(queued.root.find("Enqueue").get("action"), {"QueueResult": "hangup", "QueueTime": "95"})
    assert owed_callbacks(session) == [("missed", "+8613812345678")]
    row = session.query(CallRow).filter_by(call_sid=call.sid).one()
    assert row.queue_result == "hangup" and row.queue_ended_at is not None


def test_caller_who_left_the_queue_for_a_callback_is_promised_one(new_call, session):
    call = new_call()
    call.dial()
    queued = call.press("0")
    done = call._follow(queued.root.find("Enqueue").get("action"), {"QueueResult": "leave", "QueueTime": "20"})
    assert done.hangs_up and "尽快回电" in done.text
    assert owed_callbacks(session) == [("queue", "+8613812345678")]


def test_after_hours_caller_can_ask_for_a_callback_instead_of_voicemail(new_call, session, clock):
    clock.set_local(2026, 10, 9, 22, 30)
    call = new_call()
    call.dial()
    call.press("0")
    done = call.press("2")
    assert done.hangs_up and "尽快回电" in done.text
    assert owed_callbacks(session) == [("queue", "+8613812345678")]


# --- admission counts live callers and sizes by the operators on duty ---------------------

def on_duty(session, clock, count: int) -> None:
    from accounts.services import create_user
    from operators.presence import report_present

    for n in range(count):
        user = create_user(session, f"duty{n}", "operator password 1", "operator", device=f"client:duty{n}",
                           hash_method="pbkdf2:sha256:1000")
        session.flush()
        report_present(session, user.id, clock())
    session.commit()


def test_callers_whose_final_status_never_came_do_not_fill_the_queue(new_call, session, clock):
    from datetime import timedelta

    queue_some(session, 3, now=clock() - timedelta(minutes=10))     # gone: heard of 10 minutes ago
    call = new_call()
    call.dial()
    assert call.press("0").root.find("Enqueue") is not None


def test_three_waiting_are_not_too_many_for_three_operators_on_duty(new_call, session, clock):
    on_duty(session, clock, 3)
    queue_some(session, 3, now=clock())
    call = new_call()
    call.dial()
    assert call.press("0").root.find("Enqueue") is not None
    queue_some(session, 6, now=clock())                             # 9 ahead: 3 rounds of 2 minutes each
    late = new_call(from_="+8613912345678")
    late.dial()
    assert "等待时间较长" in late.press("0").text


def test_operators_gone_from_their_boards_no_longer_count(new_call, session, clock):
    from datetime import timedelta

    on_duty(session, clock, 3)
    clock.moment += timedelta(minutes=3)
    queue_some(session, 3, now=clock())
    call = new_call()
    call.dial()
    assert "等待时间较长" in call.press("0").text


def test_the_expected_wait_is_shared_among_the_operators_on_duty(new_call, webhooks, session, clock):
    on_duty(session, clock, 3)
    two_ahead(session, clock)
    call = new_call()
    call.dial()
    call.press("0")
    loop = wait_round(webhooks, call, position=3)
    assert "您前面还有2位来电" in loop.text and "预计等待2分钟" in loop.text


# --- a caller refused a person is recorded on the call (the call-centre figures count it) ----------

def refusal(session, call) -> tuple:
    session.expire_all()
    row = session.query(CallRow).filter_by(call_sid=call.sid).one()
    return row.operator_refused_at, row.operator_refused_reason, row.queued_at


def test_a_caller_refused_a_person_is_recorded_with_the_reason(new_call, session, clock):
    """One call per reason of the desk: outside the line's hours, the queue full, the wait too long."""
    clock.set_local(2026, 10, 9, 22, 30)                    # the urban line's hours end at 20:00
    closed = new_call()
    closed.dial()
    assert closed.press("0").root.find("Enqueue") is None
    assert refusal(session, closed) == (clock(), "closed", None)

    clock.set_local(2026, 10, 9, 10, 0)
    queue_some(session, 10, now=clock())                    # 10 waiting: full for one operator
    full = new_call(from_="+8613912345678")
    full.dial()
    assert "都在通话中" in full.press("0").text
    assert refusal(session, full) == (clock(), "queue_full", None)

    for row in session.scalars(select(CallRow).where(CallRow.queued_at.is_not(None))).all()[3:]:
        row.status = "completed"                            # 3 still waiting: 4 x 2 minutes > 6
    session.commit()
    slow = new_call(from_="+8613712345678")
    slow.dial()
    assert "等待时间较长" in slow.press("0").text
    assert refusal(session, slow) == (clock(), "wait_too_long", None)


def test_a_caller_refused_twice_in_a_call_is_one_refusal_the_first(new_call, webhooks, session, clock):
    """Refused with the queue full, sent back to the menu, refused again when the line has closed,
    then (the next morning, say) queued: the call keeps its first refusal, its moment and reason,
    and is queued as well."""
    from ivr.steps import store_step
    from ivr.turns import CallState, Input

    clock.set_local(2026, 10, 9, 19, 59)
    queue_some(session, 10, now=clock())
    call = new_call()
    call.dial()
    row = session.query(CallRow).filter_by(call_sid=call.sid).one()
    menu = CallState.from_json(row.ivr_state)
    first = clock()
    assert "都在通话中" in call.press("0").text
    assert refusal(session, call) == (first, "queue_full", None)

    def back_to_the_menu_and_press_0() -> Document:
        held = session.query(CallRow).filter_by(call_sid=call.sid).one()
        step = held.ivr_step + 1
        store_step(session, held.id, step, menu, Input(), "", "<Response/>", clock())
        session.commit()
        response = webhooks.post(f"/voice/step?step={step}", {**call.base_params(), "Digits": "0"})
        assert response.status_code == 200
        return Document(parse(response.data))

    clock.set_local(2026, 10, 9, 20, 1)                     # closed now
    assert back_to_the_menu_and_press_0().root.find("Enqueue") is None
    assert refusal(session, call) == (first, "queue_full", None)

    for waiting in session.scalars(select(CallRow).where(CallRow.call_sid != call.sid)):
        waiting.status = "completed"
    session.commit()
    clock.set_local(2026, 10, 10, 9, 0)                     # open again, nobody waiting
    assert back_to_the_menu_and_press_0().root.find("Enqueue") is not None
    refused_at, reason, queued_at = refusal(session, call)
    assert (refused_at, reason, queued_at) == (first, "queue_full", clock())


def test_a_caller_refused_outside_hours_is_in_the_months_call_centre_figures(app, new_call, clock):
    """Through the signed webhooks: a caller presses 0 at 22:30, when the urban line is closed, and
    asks for a callback; flask report's month has one call refused a person, outside hours, on the
    urban line and on 9 October, none offered, and the callback owed."""
    import json

    clock.set_local(2026, 10, 9, 22, 30)
    call = new_call()
    call.dial()
    call.press("0")
    assert call.press("2").hangs_up
    result = app.test_cli_runner().invoke(args=["report", "--month", "2026-10", "--format", "json"],
                                          catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["call_centre"]
    total = figures["line"]["all"]
    assert {key: total["counts"][key] for key in ("offered", "refused", "refused_closed", "refused_queue_full",
                                                   "refused_wait_too_long", "asked_for_person")} == {
        "offered": 0, "refused": 1, "refused_closed": 1, "refused_queue_full": 0, "refused_wait_too_long": 0,
        "asked_for_person": 1}
    assert total["indicators"]["refusal_rate"] == {"percent": "100.00%", "numerator": 1, "denominator": 1}
    assert total["callbacks"] == {"owed": 1, "made": 0}
    (urban,) = figures["line"]["rows"]
    assert urban["key"] == "urban" and urban["counts"]["refused_closed"] == 1
    assert [(row["key"], row["counts"]["refused"]) for row in figures["day"]["rows"]] == [("2026-10-09", 1)]
    assert [(row["key"], row["counts"]["refused"]) for row in figures["hour"]["rows"]] == [("22", 1)]
