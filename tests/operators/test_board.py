"""The live board's rows: queue places, the open cases of a repeat caller,
who holds a taken-over call."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from accounts.services import create_user
from call_log.models import Call as CallRow
from cases.models import Case, Complainant
from operators.board import live_calls
from tests.support.factories import report
from wiring import services


def board_of(session, clock):
    return {row.call_sid: row for row in live_calls(session, services().config, clock()).calls}


def queued(new_call, from_: str):
    call = new_call(from_=from_)
    call.dial()
    call.press("0")         # asks for a person: waits in the line's operator queue
    return call


def test_queued_callers_get_distinct_places_in_the_order_they_joined(new_call, session, clock):
    callers = []
    for n in range(3):
        callers.append(queued(new_call, f"+861391234567{n}"))
        clock.moment += timedelta(seconds=5)
    board = board_of(session, clock)
    assert [board[c.sid].queue_position for c in callers] == [1, 2, 3]
    # The first one is answered: the others move up.
    first = session.scalars(select(CallRow).where(CallRow.call_sid == callers[0].sid)).one()
    first.queue_ended_at = clock()
    session.commit()
    board = board_of(session, clock)
    assert board[callers[0].sid].queue_position is None
    assert [board[c.sid].queue_position for c in callers[1:]] == [1, 2]


def test_callers_joining_in_the_same_instant_still_get_places_of_their_own(new_call, session, clock):
    callers = [queued(new_call, f"+861391234567{n}") for n in range(3)]
    board = board_of(session, clock)
    assert sorted(board[c.sid].queue_position for c in callers) == [1, 2, 3]


def test_a_case_the_caller_reported_twice_is_listed_once(new_call, session, clock):
    case = report(session, services().config, clock(), caller="+8613912345678")
    # The same caller reported it again (a repeat report joins the case as a complainant).
    session.add(Complainant(case_id=case.id, phone_e164="+8613912345678", created_at=clock()))
    other = report(session, services().config, clock(), caller="+8613912345678", description="路灯不亮",
                   category="C0101")
    session.commit()
    call = new_call(from_="+8613912345678")
    call.dial()
    [row] = board_of(session, clock).values()
    assert sorted(row.open_cases) == sorted([case.number, other.number])
    assert len(session.scalars(select(Case)).all()) == 2


def test_a_taken_over_call_names_who_holds_it(new_call, session, clock):
    create_user(session, "op7", "correct horse battery", "operator", display_name="王芳",
                hash_method="pbkdf2:sha256:1000")
    create_user(session, "op8", "correct horse battery", "operator", hash_method="pbkdf2:sha256:1000")
    held, plain, waiting = (new_call(from_=f"+861391234567{n}") for n in range(3))
    for call in (held, plain, waiting):
        call.dial()
    for call, operator in ((held, "op7"), (plain, "op8")):
        row = session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one()
        row.operator, row.operator_joined_at = operator, clock()
    session.commit()
    board = board_of(session, clock)
    assert (board[held.sid].operator, board[held.sid].operator_name) == ("op7", "王芳")
    assert board[plain.sid].operator_name == "op8"            # no display name: the user name
    assert (board[waiting.sid].operator, board[waiting.sid].operator_name) == (None, None)
