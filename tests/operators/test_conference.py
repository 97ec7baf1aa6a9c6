"""The conference rules, without a database: names, the operator's moves
(hold, warm transfer), the supervisor's modes and who hears whom."""
from __future__ import annotations

import pytest

from operators import conference as c


def test_a_conference_is_named_after_the_callers_call():
    assert c.conference_name("CA123") == "hotline-CA123"
    assert c.caller_of("hotline-CA123") == "CA123"
    assert c.caller_of("someone-else") is None and c.caller_of("hotline-") is None and c.caller_of(None) is None


@pytest.mark.parametrize(("state", "move", "after"), [
    (c.TALKING, c.HOLD, c.HOLDING), (c.HOLDING, c.RESUME, c.TALKING),
    (c.TALKING, c.CONSULT, c.CONSULTING), (c.HOLDING, c.CONSULT, c.CONSULTING),
    (c.CONSULTING, c.JOIN, c.THREE_WAY), (c.CONSULTING, c.CANCEL, c.TALKING),
    (c.THREE_WAY, c.LEAVE, c.HANDED_OVER), (c.THREE_WAY, c.CANCEL, c.TALKING),
    (c.CONSULTING, c.LEAVE, c.HANDED_OVER),
])
def test_the_allowed_moves(state, move, after):
    assert c.allowed(state, move) and c.after(state, move) == after


@pytest.mark.parametrize(("state", "move"), [
    (c.TALKING, c.RESUME), (c.TALKING, c.JOIN), (c.TALKING, c.LEAVE), (c.TALKING, c.CANCEL),
    (c.HOLDING, c.HOLD), (c.CONSULTING, c.HOLD), (c.CONSULTING, c.CONSULT), (c.THREE_WAY, c.JOIN),
    (c.HANDED_OVER, c.HOLD), (c.HANDED_OVER, c.CANCEL), (c.HANDED_OVER, c.CONSULT),
])
def test_moves_the_rules_refuse(state, move):
    assert not c.allowed(state, move)
    with pytest.raises(c.ConferenceError, match=move):
        c.after(state, move)


def test_what_an_operator_may_do_in_each_state():
    assert c.moves_from(c.TALKING) == (c.HOLD, c.CONSULT)
    assert c.moves_from(c.CONSULTING) == (c.JOIN, c.LEAVE, c.CANCEL)
    assert c.moves_from(c.THREE_WAY) == (c.LEAVE, c.CANCEL)
    assert c.moves_from(c.HANDED_OVER) == ()


def test_the_operators_part_is_over_only_once_the_call_is_handed_over():
    assert [c.operator_part_over(state) for state in c.STATES] == [False, False, False, False, True]
    # Only leaving leads there: every other move leaves the operator's part (and its recording) running.
    assert {move for state in c.STATES for move in c.MOVES
            if c.allowed(state, move) and c.operator_part_over(c.after(state, move))} == {c.LEAVE}


def test_only_the_department_is_told_the_case_summary_as_it_joins():
    assert [role for role in c.ROLES if c.hears_case_summary(role)] == [c.DEPARTMENT]
    assert not c.hears_case_summary(None)


def test_supervisor_modes_as_twilio_takes_them():
    assert c.supervisor_settings(c.LISTEN, "CAop") == c.Settings(True, False, None)
    assert c.supervisor_settings(c.COACH, "CAop") == c.Settings(False, True, "CAop")
    assert c.supervisor_settings(c.BARGE, "CAop") == c.Settings(False, False, None)
    with pytest.raises(c.ConferenceError):
        c.supervisor_settings(c.COACH, None)
    with pytest.raises(c.ConferenceError):
        c.supervisor_settings("shout", "CAop")


def test_a_mode_is_read_back_from_what_twilio_reports():
    assert c.mode_of(c.SUPERVISOR, muted=True, coaching=False) == c.LISTEN
    assert c.mode_of(c.SUPERVISOR, muted=False, coaching=True) == c.COACH
    assert c.mode_of(c.SUPERVISOR, muted=False, coaching=False) == c.BARGE
    assert c.mode_of(c.CALLER, muted=True, coaching=False) == c.TALK


def hearing(state, supervisor=None):
    return c.who_hears_whom(c.parties_in(state, supervisor))


def test_talking_the_caller_and_operator_hear_each_other():
    assert hearing(c.TALKING) == {"caller": {"operator"}, "operator": {"caller"}}


def test_a_listening_supervisor_is_heard_by_nobody_and_hears_both():
    heard = hearing(c.TALKING, c.LISTEN)
    assert heard["supervisor"] == frozenset()
    assert "supervisor" in heard["caller"] and "supervisor" in heard["operator"]


def test_a_coaching_supervisor_is_heard_by_the_operator_only():
    heard = hearing(c.TALKING, c.COACH)
    assert heard["supervisor"] == {"operator"}
    assert heard["caller"] == {"operator", "supervisor"}


def test_a_supervisor_who_barges_in_is_heard_by_both():
    assert hearing(c.TALKING, c.BARGE)["supervisor"] == {"caller", "operator"}


def test_a_caller_on_hold_hears_no_one_and_is_heard_by_no_one():
    heard = hearing(c.HOLDING)
    assert heard["caller"] == frozenset() and heard["operator"] == frozenset()


def test_consulting_the_department_the_caller_is_on_hold():
    heard = hearing(c.CONSULTING)
    assert heard["caller"] == frozenset()
    assert heard["operator"] == {"department"} and heard["department"] == {"operator"}
    assert c.caller_held(c.CONSULTING)


def test_three_way_everyone_hears_everyone():
    heard = hearing(c.THREE_WAY)
    assert heard["caller"] == {"operator", "department"} and heard["department"] == {"caller", "operator"}


def test_after_the_operator_leaves_the_caller_and_the_department_still_talk():
    heard = hearing(c.HANDED_OVER)
    assert heard == {"caller": {"department"}, "department": {"caller"}}
