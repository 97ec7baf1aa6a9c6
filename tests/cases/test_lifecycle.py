"""The case state machine, without Flask or a database."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone

import pytest

from cases.lifecycle import (
    ROLES,
    START,
    STATUSES,
    STOP,
    BadReason,
    BadTarget,
    CaseView,
    DepartmentAlreadyReturned,
    DepartmentRequired,
    EventRecord,
    IllegalTransition,
    LifecycleError,
    NoteRequired,
    ReasonRequired,
    ReviewDateRequired,
    RoleNotAllowed,
    Transition,
    Unclassified,
    UnknownAction,
    allowed_actions,
    apply,
    clock_change,
    clock_starts_at_intake,
    disposed_on_time,
    returned_by,
)

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=timezone.utc)   # 10:00 in Taizhou

# The lifecycle as the issue states it, written out independently of the
# module's own table: action -> (from statuses, to status, roles).
SPEC = {
    "verify": ({"intake"}, "verifying", {"operator", "dispatcher", "supervisor", "system"}),
    "file": ({"intake", "verifying"}, "filed", {"operator", "dispatcher", "supervisor", "inspector"}),
    "dispatch": ({"filed", "returned"}, "dispatched", {"dispatcher", "supervisor", "system"}),
    "claim": ({"dispatched"}, "handling", {"department"}),
    "return": ({"dispatched", "handling"}, "returned", {"department"}),
    "dispose": ({"dispatched", "handling"}, "disposed", {"department"}),
    "close": ({"disposed"}, "closed", {"inspector", "supervisor"}),
    "rework": ({"disposed"}, "dispatched", {"inspector", "supervisor"}),
    "suspend": ({"intake", "verifying", "filed", "dispatched", "handling", "returned"}, "suspended",
                {"supervisor"}),
    "reactivate": ({"suspended"}, "verifying", {"supervisor", "inspector", "system"}),
    "void": ({"intake", "verifying", "filed", "returned", "suspended"}, "voided", {"supervisor"}),
    "reopen": ({"closed"}, "verifying", {"system", "supervisor", "operator"}),
    # None: the step keeps the status (a correction of the category).
    "recategorise": ({"intake", "verifying", "filed", "returned"}, None,
                     {"operator", "dispatcher", "supervisor", "inspector"}),
}
# Everything any step may need, so the matrix tests only status and role.
FULL_DETAILS = dict(reason="duplicate", note="done", review_date=date(2026, 9, 1), department="DRAIN",
                    category="C0102")


def case(status: str = "intake", **kwargs) -> CaseView:
    kwargs.setdefault("number", "2606150001")
    return CaseView(status=status, **kwargs)


def step(action: str, role: str, **kwargs) -> Transition:
    kwargs.setdefault("at", NOW)
    return Transition(action=action, actor=f"{role}-1", role=role, **kwargs)


# --- the whole table ---------------------------------------------------------

@pytest.mark.parametrize("action", sorted(SPEC))
def test_each_action_is_taken_exactly_from_its_statuses_by_its_roles(action):
    sources, target, roles = SPEC[action]
    for status in STATUSES:
        for role in ROLES:
            request = step(action, role, **FULL_DETAILS)
            if status in sources and role in roles:
                assert apply(case(status, department_code="WATER"), request).status == (target or status)
            else:
                with pytest.raises(IllegalTransition if status not in sources else RoleNotAllowed):
                    apply(case(status, department_code="WATER"), request)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_allowed_actions_lists_what_the_role_may_do_in_that_status(status, role):
    expected = {action for action, (sources, _, roles) in SPEC.items() if status in sources and role in roles}
    assert set(allowed_actions(status, role)) == expected


def test_a_correction_keeps_the_status_and_records_both_categories():
    outcome = apply(case("filed", category_code="C0101"), step("recategorise", "dispatcher", category="C0109"))
    assert outcome.status == "filed" and outcome.event.from_status == outcome.event.to_status == "filed"
    assert outcome.event.data["category"] == "C0109" and outcome.event.data["previous_category"] == "C0101"


def test_a_correction_to_the_same_category_or_without_one_is_refused():
    from cases.lifecycle import BadTarget, CategoryRequired
    with pytest.raises(CategoryRequired):
        apply(case("intake", category_code="C0101"), step("recategorise", "operator"))
    with pytest.raises(BadTarget):
        apply(case("intake", category_code="C0101"), step("recategorise", "operator", category="C0101"))


def test_voided_cases_take_no_step_and_closed_ones_only_reopen():
    assert all(not allowed_actions("voided", role) for role in ROLES)
    assert {a for role in ROLES for a in allowed_actions("closed", role)} == {"reopen"}


# --- the main path -------------------------------------------------------------

def test_an_operator_files_a_report_taken_at_intake():
    outcome = apply(case("intake"), step("file", "operator"))
    assert outcome.status == "filed"
    assert outcome.event == EventRecord(at=NOW, actor="operator-1", action="file", from_status="intake",
                                        to_status="filed", note=None, data={"role": "operator"})


@pytest.mark.parametrize("described,missing", [(False, "no description and no category"),
                                               (True, "no category")])
def test_a_case_without_a_category_cannot_be_filed_and_says_why(described, missing):
    with pytest.raises(Unclassified) as refused:
        apply(case("intake", classified=False, described=described), step("file", "dispatcher"))
    assert missing in str(refused.value) and "choose its category" in str(refused.value)


def test_an_inspector_files_the_case_after_verifying_it_on_site():
    verifying = apply(case("intake"), step("verify", "system")).status
    assert apply(case(verifying), step("file", "inspector", note="cover missing, confirmed")).status == "filed"


def test_dispatching_needs_and_records_the_department():
    with pytest.raises(DepartmentRequired):
        apply(case("filed"), step("dispatch", "dispatcher"))
    outcome = apply(case("filed"), step("dispatch", "dispatcher", department="WATER"))
    assert (outcome.status, outcome.department_code) == ("dispatched", "WATER")
    assert outcome.event.data == {"role": "dispatcher", "department": "WATER"}


def test_the_department_claims_the_case_and_reports_it_disposed_with_a_note():
    claimed = apply(case("dispatched", department_code="WATER"), step("claim", "department"))
    assert (claimed.status, claimed.department_code) == ("handling", "WATER")
    with pytest.raises(NoteRequired):
        apply(case("handling", department_code="WATER"), step("dispose", "department"))
    disposed = apply(case("handling", department_code="WATER"),
                     step("dispose", "department", note="two covers replaced"))
    assert disposed.status == "disposed"
    assert disposed.event.note == "two covers replaced"


def test_a_department_may_dispose_without_claiming_first():
    assert apply(case("dispatched"), step("dispose", "department", note="done")).status == "disposed"


def test_a_passed_check_closes_the_case():
    assert apply(case("disposed"), step("close", "inspector")).status == "closed"


def test_a_failed_check_sends_the_case_back_to_the_same_department():
    with pytest.raises(NoteRequired):
        apply(case("disposed", department_code="DRAIN"), step("rework", "inspector"))
    outcome = apply(case("disposed", department_code="DRAIN"),
                    step("rework", "inspector", note="sewer still blocked"))
    assert (outcome.status, outcome.department_code) == ("dispatched", "DRAIN")
    assert outcome.event.data["department"] == "DRAIN"


# --- return and re-dispatch ------------------------------------------------------

def test_returning_a_case_needs_a_reason_and_records_who_returned_it():
    with pytest.raises(ReasonRequired):
        apply(case("dispatched", department_code="WATER"), step("return", "department"))
    outcome = apply(case("dispatched", department_code="WATER"), step("return", "department", reason="not ours"))
    assert outcome.status == "returned"
    assert outcome.event.note == "not ours"
    assert outcome.event.data == {"role": "department", "reason": "not ours", "department": "WATER"}
    assert returned_by([outcome.event]) == {"WATER"}


def test_a_blank_reason_counts_as_none():
    with pytest.raises(ReasonRequired):
        apply(case("handling"), step("return", "department", reason="   "))


def test_redispatch_after_a_return_is_marked_for_dispatch_accuracy():
    returned = case("returned", department_code="WATER", returned_by=frozenset({"WATER"}))
    outcome = apply(returned, step("dispatch", "dispatcher", department="DRAIN"))
    assert outcome.department_code == "DRAIN"
    assert outcome.event.data == {"role": "dispatcher", "department": "DRAIN", "redispatch": True,
                                  "previous_department": "WATER"}


def test_a_department_that_returned_a_case_gets_it_again_only_from_a_supervisor():
    returned = case("returned", department_code="WATER", returned_by=frozenset({"WATER"}))
    for role in ("dispatcher", "system"):
        with pytest.raises(DepartmentAlreadyReturned, match="WATER returned this case"):
            apply(returned, step("dispatch", role, department="WATER"))
    assert apply(returned, step("dispatch", "supervisor", department="WATER")).status == "dispatched"


def test_returned_by_collects_departments_from_return_events_only():
    events = [
        EventRecord(NOW, "a", "dispatch", "filed", "dispatched", None, {"department": "WATER"}),
        EventRecord(NOW, "b", "return", "dispatched", "returned", "no", {"department": "WATER"}),
        EventRecord(NOW, "c", "return", "handling", "returned", "no", {"department": "DRAIN"}),
        EventRecord(NOW, "d", "return", "handling", "returned", "no", {}),
    ]
    assert returned_by(events) == {"WATER", "DRAIN"}


# --- suspend, reactivate, void, reopen ----------------------------------------------

def test_suspending_needs_a_supervisor_and_a_review_date():
    with pytest.raises(RoleNotAllowed, match="only supervisor may suspend"):
        apply(case("dispatched"), step("suspend", "dispatcher", reason="demolition", review_date=date(2026, 10, 1)))
    with pytest.raises(ReviewDateRequired):
        apply(case("dispatched"), step("suspend", "supervisor", reason="demolition"))
    outcome = apply(case("dispatched"),
                    step("suspend", "supervisor", reason="area due for demolition", review_date=date(2026, 10, 1)))
    assert outcome.status == "suspended"
    assert outcome.event.data == {"role": "supervisor", "reason": "area due for demolition",
                                  "review_date": "2026-10-01"}


def test_suspending_needs_a_reason():
    with pytest.raises(ReasonRequired):
        apply(case("filed"), step("suspend", "supervisor", review_date=date(2026, 10, 1)))


def test_a_review_date_in_the_past_is_refused():
    with pytest.raises(ReviewDateRequired, match="in the past"):
        apply(case("filed"), step("suspend", "supervisor", reason="demolition", review_date=date(2026, 6, 1)))


def test_reactivation_goes_to_verification_unless_filing_is_asked_for():
    assert apply(case("suspended"), step("reactivate", "system")).status == "verifying"
    assert apply(case("suspended"), step("reactivate", "supervisor", to="filed")).status == "filed"


def test_a_step_to_a_status_it_cannot_reach_is_refused():
    with pytest.raises(BadTarget, match="verifying or filed, not dispatched"):
        apply(case("suspended"), step("reactivate", "supervisor", to="dispatched"))
    with pytest.raises(BadTarget):
        apply(case("intake"), step("file", "operator", to="dispatched"))


def test_voiding_needs_a_supervisor_and_one_of_the_known_reasons():
    with pytest.raises(RoleNotAllowed):
        apply(case("filed"), step("void", "dispatcher", reason="duplicate"))
    with pytest.raises(ReasonRequired):
        apply(case("filed"), step("void", "supervisor"))
    with pytest.raises(BadReason, match="duplicate, out_of_scope, prank, no_such_problem, other"):
        apply(case("filed"), step("void", "supervisor", reason="too hard"))
    for reason in ("duplicate", "out_of_scope", "prank", "no_such_problem"):
        outcome = apply(case("filed"), step("void", "supervisor", reason=reason))
        assert (outcome.status, outcome.event.data["reason"]) == ("voided", reason)


def test_voiding_for_another_reason_needs_a_note():
    with pytest.raises(NoteRequired, match="'other' needs a note"):
        apply(case("intake"), step("void", "supervisor", reason="other"))
    outcome = apply(case("intake"), step("void", "supervisor", reason="other", note="caller withdrew"))
    assert outcome.event.note == "caller withdrew"
    assert outcome.event.data["reason"] == "other"


def test_a_case_with_a_department_cannot_be_voided_until_it_is_returned():
    with pytest.raises(IllegalTransition):
        apply(case("handling"), step("void", "supervisor", reason="out_of_scope"))


def test_reopening_a_closed_case_sends_it_to_verification_and_needs_a_reason():
    with pytest.raises(ReasonRequired):
        apply(case("closed"), step("reopen", "system"))
    outcome = apply(case("closed"), step("reopen", "system", reason="unsatisfied callback"))
    assert outcome.status == "verifying"


# --- refusals ---------------------------------------------------------------------

def test_a_refusal_names_the_case_its_status_the_action_and_the_role():
    with pytest.raises(IllegalTransition) as refused:
        apply(case("intake"), step("close", "inspector"))
    assert str(refused.value) == ("cannot close case 2606150001 (intake) as inspector: "
                                  "close is only possible from disposed")
    assert (refused.value.status, refused.value.action, refused.value.role) == ("intake", "close", "inspector")


def test_every_refusal_is_a_lifecycle_error():
    for error in (UnknownAction, IllegalTransition, RoleNotAllowed, ReasonRequired, NoteRequired,
                  ReviewDateRequired, DepartmentRequired, BadReason, BadTarget, DepartmentAlreadyReturned):
        assert issubclass(error, LifecycleError)


def test_an_unknown_action_is_refused():
    with pytest.raises(UnknownAction, match="no such action"):
        apply(case("filed"), step("escalate", "supervisor"))


def test_an_unknown_role_is_refused():
    with pytest.raises(RoleNotAllowed):
        apply(case("intake"), step("file", "mayor"))


def test_a_refused_step_changes_nothing():
    before = case("dispatched", department_code="WATER")
    snapshot = asdict(before)
    with pytest.raises(LifecycleError):
        apply(before, step("suspend", "supervisor", reason="demolition"))
    assert asdict(before) == snapshot


def test_a_transition_needs_an_aware_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        apply(case("intake"), step("file", "operator", at=datetime(2026, 6, 15, 10, 0)))


def test_the_event_is_shaped_like_a_case_event_row():
    outcome = apply(case("intake"), step("file", "operator"))
    assert set(asdict(outcome.event)) == {"at", "actor", "action", "from_status", "to_status", "note", "data"}


# --- the time-limit clock -------------------------------------------------------------

def test_filing_starts_the_clock_of_a_normal_case():
    assert not clock_starts_at_intake("normal")
    assert apply(case("intake"), step("file", "operator")).clock == START
    assert apply(case("intake"), step("verify", "operator")).clock is None


def test_an_urgent_case_is_timed_from_intake_so_filing_does_not_restart_it():
    assert clock_starts_at_intake("urgent")
    assert apply(case("intake", priority="urgent"), step("file", "operator")).clock is None


def test_disposal_stops_the_clock():
    assert apply(case("handling"), step("dispose", "department", note="done")).clock == STOP


def test_rework_keeps_the_original_due_time():
    assert apply(case("disposed"), step("rework", "inspector", note="still broken")).clock is None


def test_reactivating_a_suspended_case_restarts_the_clock_when_it_is_filed():
    assert apply(case("suspended"), step("reactivate", "supervisor", to="filed")).clock == START
    assert apply(case("suspended"), step("reactivate", "system")).clock is None
    assert apply(case("suspended", priority="urgent"), step("reactivate", "system")).clock == START


def test_reopening_restarts_an_urgent_clock_and_a_normal_one_at_the_next_filing():
    assert apply(case("closed", priority="urgent"), step("reopen", "system", reason="repeat")).clock == START
    assert apply(case("closed"), step("reopen", "system", reason="repeat")).clock is None


@pytest.mark.parametrize("action, to, priority, expected", [
    ("file", "filed", "high", START),
    ("dispatch", "dispatched", "normal", None),
    ("suspend", "suspended", "normal", None),
    ("dispose", "disposed", "urgent", STOP),
])
def test_clock_changes_by_action_and_priority(action, to, priority, expected):
    assert clock_change(action, to, priority) == expected


def test_a_disposal_at_or_before_the_due_time_is_on_time():
    due = NOW + timedelta(hours=4)
    assert disposed_on_time(due, due)
    assert disposed_on_time(due - timedelta(minutes=1), due)
    assert not disposed_on_time(due + timedelta(seconds=1), due)
    assert disposed_on_time(due, None)
