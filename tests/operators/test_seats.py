"""The seat rules (operators.seats): who may change a state, who is
offered the next caller, when wrap-up and ringing end, the wait estimate.
Plain data: no app, no database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from operators import seats
from operators.seats import IdleSeat, Offer, Skills, WaitingCaller, offers

T0 = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def caller(sid: str, waited_from: int, line: str = "urban", language: str = "zh-CN") -> WaitingCaller:
    return WaitingCaller(sid, at(waited_from), line, language)


def test_operators_choose_available_break_and_offline_but_not_calls():
    seats.check_choice(seats.OFFLINE, seats.AVAILABLE)
    seats.check_choice(seats.AVAILABLE, seats.BREAK)
    seats.check_choice(seats.WRAP_UP, seats.AVAILABLE)       # done with the notes before the timer
    for wanted in (seats.RINGING, seats.ON_CALL, seats.WRAP_UP):
        with pytest.raises(seats.SeatError):
            seats.check_choice(seats.AVAILABLE, wanted)


def test_an_operator_on_a_call_or_ringing_cannot_walk_away_from_it():
    for current in (seats.ON_CALL, seats.RINGING):
        for wanted in seats.CHOSEN:
            with pytest.raises(seats.SeatError):
                seats.check_choice(current, wanted)


def test_the_service_moves_seats_only_along_a_call():
    assert seats.may_move(seats.AVAILABLE, seats.RINGING)
    assert seats.may_move(seats.RINGING, seats.ON_CALL) and seats.may_move(seats.RINGING, seats.BREAK)
    assert seats.may_move(seats.ON_CALL, seats.WRAP_UP) and seats.may_move(seats.WRAP_UP, seats.AVAILABLE)
    assert not seats.may_move(seats.BREAK, seats.RINGING)      # no offers on a break
    assert not seats.may_move(seats.OFFLINE, seats.RINGING)
    assert not seats.may_move(seats.ON_CALL, seats.RINGING)    # never two callers for one operator
    assert not seats.may_move(seats.WRAP_UP, seats.RINGING)


def test_the_caller_waiting_longest_goes_to_the_operator_idle_longest():
    idle = [IdleSeat("li", at(30)), IdleSeat("wang", at(10)), IdleSeat("zhao", at(20))]
    waiting = [caller("CA2", 5), caller("CA1", 1)]
    assert offers(waiting, idle) == [Offer("CA1", "wang"), Offer("CA2", "zhao")]


def test_a_caller_goes_only_to_an_operator_with_the_line_and_the_language():
    idle = [IdleSeat("wang", at(0), Skills(frozenset({"conduct"}))),
            IdleSeat("li", at(5), Skills(languages=frozenset({"en-US"}))),
            IdleSeat("zhao", at(9), Skills(frozenset({"urban"}), frozenset({"zh-CN"})))]
    assert offers([caller("CA1", 0, "urban", "zh-CN")], idle) == [Offer("CA1", "zhao")]
    assert offers([caller("CA1", 0, "urban", "en-US")], idle) == [Offer("CA1", "li")]


def test_a_caller_nobody_can_take_waits_and_the_next_caller_is_still_served():
    idle = [IdleSeat("wang", at(0), Skills(frozenset({"urban"})))]
    waiting = [caller("CA1", 0, "conduct"), caller("CA2", 5, "urban")]
    assert offers(waiting, idle) == [Offer("CA2", "wang")]


def test_each_caller_and_each_operator_is_paired_once_at_most():
    idle = [IdleSeat(f"op{n}", at(n)) for n in range(3)]
    waiting = [caller(f"CA{n}", n) for n in range(5)]
    paired = offers(waiting, idle)
    assert len(paired) == 3
    assert len({o.call_sid for o in paired}) == 3 and len({o.operator for o in paired}) == 3
    assert offers(waiting, []) == [] and offers([], idle) == []


def test_empty_skills_take_any_call():
    assert Skills().fit("urban", "en-US") and Skills().fit(None, None)
    assert not Skills(frozenset({"urban"})).fit(None, "zh-CN")


def test_wrap_up_ends_after_its_time_and_an_offer_rings_out():
    wrap_up = timedelta(seconds=30)
    assert not seats.wrap_up_over(seats.WRAP_UP, at(0), wrap_up, at(29))
    assert seats.wrap_up_over(seats.WRAP_UP, at(0), wrap_up, at(30))
    assert not seats.wrap_up_over(seats.BREAK, at(0), wrap_up, at(300))
    assert seats.offer_overdue(seats.RINGING, at(0), timedelta(seconds=35), at(35))
    assert not seats.offer_overdue(seats.ON_CALL, at(0), timedelta(seconds=35), at(99))


def test_the_wait_estimate_shares_callers_among_the_staffed_seats():
    handling = timedelta(minutes=3)
    assert seats.expected_wait_minutes(1, 2, handling) == 3
    assert seats.expected_wait_minutes(3, 2, handling) == 6
    assert seats.expected_wait_minutes(3, 0, handling) == 9       # nobody staffed: one is assumed
    assert seats.average([timedelta(seconds=60), timedelta(seconds=120)]) == timedelta(seconds=90)
    assert seats.average([]) is None
