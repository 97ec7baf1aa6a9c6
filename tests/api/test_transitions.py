"""POST /cases/<number>/transitions: one lifecycle step, as the key's role.
Every refusal is a JSON error that names what was wrong, and changes
nothing."""
from __future__ import annotations

import pytest

SEWER = {"category": "E0404", "location": "海陵区鼓楼南路88号"}      # DRAIN
RUBBISH = {"category": "E0102", "location": "东进西路12号"}          # SANIT


def test_a_dispatcher_files_and_dispatches_a_case_to_where_routing_sends_it(api_as, cases):
    number = cases.report(**SEWER)
    dispatcher = api_as("dispatcher")

    filed = dispatcher.step(number, "file", note="情况属实")
    assert filed.status == 200
    assert filed.json["status"] == "filed" and filed.json["suggested_department"] == "DRAIN"
    assert filed.json["due_at"] is not None, "filing starts the time limit"
    assert "dispatch" in filed.json["allowed_actions"]

    dispatched = dispatcher.step(number, "dispatch")
    assert dispatched.status == 200
    assert dispatched.json["status"] == "dispatched"
    assert dispatched.json["department"]["code"] == "DRAIN"
    assert dispatched.json["allowed_actions"] == [], "only the department or a supervisor moves it on now"

    events = dispatcher.get(f"/cases/{number}/events").json["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("intake", None, "intake"), ("file", "intake", "filed"), ("dispatch", "filed", "dispatched")]
    assert events[-1]["actor"] == "api:dispatcher" and events[-1]["role"] == "dispatcher"
    assert events[-1]["data"]["department"] == "DRAIN"


def test_a_dispatcher_may_choose_the_department(api_as, cases):
    number = cases.report(**SEWER, status="filed")
    answer = api_as("dispatcher").step(number, "dispatch", department="HAILING")
    assert answer.status == 200 and answer.json["department"]["code"] == "HAILING"


def test_an_admin_acts_as_a_supervisor_and_suspends_with_a_reason_and_review_date(api_as, cases):
    number = cases.report(**SEWER, status="dispatched")
    answer = api_as("admin").step(number, "suspend", reason="该片区已列入拆迁计划", review_date="2026-12-31")
    assert answer.status == 200
    assert answer.json["status"] == "suspended"
    assert answer.json["status_reason"] == "该片区已列入拆迁计划"
    assert answer.json["review_date"] == "2026-12-31"
    event = cases.snapshot(number).events[-1]
    assert event == ("suspend", "suspended")


def test_the_department_claims_disposes_and_returns_through_transitions(api_as, cases):
    drain = api_as("department", "DRAIN")
    number = cases.report(**SEWER, status="dispatched")
    assert drain.step(number, "claim").json["claimed_by"] == "api:drain-desk"
    disposed = drain.step(number, "dispose", note="已疏通管道")
    assert disposed.status == 200 and disposed.json["status"] == "disposed"
    assert [(t["kind"], t["status"]) for t in disposed.json["tasks"]] == [("check", "open")]

    other = cases.report(**SEWER | {"location": "鼓楼北路1号"}, status="dispatched")
    returned = drain.step(other, "return", reason="属于供水部门")
    assert returned.status == 200 and returned.json["status"] == "returned"


def test_the_allowed_actions_are_those_of_the_callers_role(api_as, cases):
    number = cases.report(**SEWER, status="filed")
    assert api_as("dispatcher").get(f"/cases/{number}").json["allowed_actions"] == ["dispatch", "recategorise"]
    assert api_as("supervisor").get(f"/cases/{number}").json["allowed_actions"] == [
        "dispatch", "suspend", "void", "recategorise"]
    assert api_as("admin").get(f"/cases/{number}").json["allowed_actions"] == [
        "dispatch", "suspend", "void", "recategorise"]
    assert api_as("inspector").get(f"/cases/{number}").json["allowed_actions"] == ["recategorise"]


# status of the case, role of the key, body -> HTTP status, error code, field, words in the message
REFUSALS = [
    pytest.param("filed", "department", {"action": "claim"}, 409, "illegal_transition", "action",
                 "claim is only possible from dispatched", id="illegal: claim a filed case"),
    pytest.param("intake", "dispatcher", {"action": "close"}, 409, "illegal_transition", "action",
                 "close is only possible from disposed", id="illegal: close at intake"),
    pytest.param("closed", "supervisor", {"action": "suspend", "reason": "x", "review_date": "2027-01-01"}, 409,
                 "illegal_transition", "action", "suspend is only possible from", id="illegal: suspend closed"),
    pytest.param("filed", "dispatcher", {"action": "suspend", "reason": "拆迁", "review_date": "2026-12-31"},
                 403, "role_not_allowed", "action", "only supervisor may suspend", id="role: dispatcher suspends"),
    pytest.param("filed", "operator", {"action": "dispatch"}, 403, "role_not_allowed", "action",
                 "only dispatcher, supervisor or system may dispatch", id="role: operator dispatches"),
    pytest.param("filed", "dispatcher", {"action": "void", "reason": "prank"}, 403, "role_not_allowed",
                 "action", "only supervisor may void", id="role: dispatcher voids"),
    pytest.param("dispatched", "department", {"action": "suspend", "reason": "拆迁", "review_date": "2026-12-31"},
                 403, "role_not_allowed", "action", "only supervisor may suspend", id="role: department suspends"),
    pytest.param("filed", "supervisor", {"action": "suspend", "review_date": "2026-12-31"}, 422,
                 "reason_required", "reason", "suspend needs a reason", id="suspend without reason"),
    pytest.param("filed", "supervisor", {"action": "suspend", "reason": "   ", "review_date": "2026-12-31"}, 422,
                 "reason_required", "reason", "suspend needs a reason", id="suspend with a blank reason"),
    pytest.param("filed", "supervisor", {"action": "suspend", "reason": "拆迁"}, 422, "review_date_required",
                 "review_date", "suspend needs a review date", id="suspend without review date"),
    pytest.param("filed", "supervisor", {"action": "suspend", "reason": "拆迁", "review_date": "2026-10-01"}, 422,
                 "bad_review_date", "review_date", "in the past", id="suspend with a past review date"),
    pytest.param("filed", "supervisor", {"action": "suspend", "reason": "拆迁", "review_date": "next week"}, 422,
                 "bad_field", "review_date", "YYYY-MM-DD", id="suspend with an unreadable review date"),
    pytest.param("filed", "supervisor", {"action": "void", "reason": "because"}, 422, "bad_reason", "reason",
                 "the reason must be one of duplicate, out_of_scope, prank", id="void with a bad reason"),
    pytest.param("filed", "supervisor", {"action": "void"}, 422, "reason_required", "reason",
                 "void needs a reason", id="void without reason"),
    pytest.param("filed", "supervisor", {"action": "void", "reason": "other"}, 422, "note_required", "note",
                 "needs a note", id="void as other without a note"),
    pytest.param("dispatched", "department", {"action": "return"}, 422, "reason_required", "reason",
                 "return needs a reason", id="return without reason"),
    pytest.param("handling", "department", {"action": "dispose"}, 422, "note_required", "note",
                 "dispose needs a note", id="dispose without note"),
    pytest.param("filed", "dispatcher", {"action": "dispatch", "department": "NOWHERE"}, 422,
                 "unknown_department", "department", "NOWHERE", id="dispatch to an unknown department"),
    pytest.param("returned", "dispatcher", {"action": "dispatch", "department": "DRAIN"}, 409,
                 "department_already_returned", "department", "DRAIN returned this case",
                 id="dispatch back to the department that returned it"),
    pytest.param("suspended", "supervisor", {"action": "reactivate", "to": "closed"}, 422, "bad_target", "to",
                 "reactivate leads to verifying or filed, not closed", id="reactivate to a bad status"),
    pytest.param("filed", "dispatcher", {"action": "teleport"}, 422, "unknown_action", "action",
                 "no such action", id="unknown action"),
    pytest.param("filed", "dispatcher", {"note": "x"}, 422, "action_required", "action", "action is required",
                 id="no action"),
    pytest.param("filed", "dispatcher", {"action": "dispatch", "departement": "DRAIN"}, 422, "bad_field",
                 "departement", "unknown field", id="misspelt field"),
    pytest.param("filed", "dispatcher", {"action": "dispatch", "department": 7}, 422, "bad_field", "department",
                 "department must be a string", id="field of the wrong type"),
    pytest.param("filed", "dispatcher", ["dispatch"], 400, "bad_body", None, "JSON object", id="not an object"),
]


@pytest.mark.parametrize("status,role,body,http,code,field,words", REFUSALS)
def test_a_refused_step_is_a_clear_json_error_and_changes_nothing(api_as, cases, status, role, body, http, code,
                                                                  field, words):
    number = cases.report(**SEWER, status=status)
    before = cases.snapshot(number)
    answer = api_as(role, "DRAIN" if role == "department" else None).post(
        f"/cases/{number}/transitions", body)
    assert answer.status == http, answer.json
    assert answer.error["code"] == code
    assert answer.error.get("field") == field
    assert words in answer.error["message"]
    assert cases.snapshot(number) == before


def test_the_lifecycle_message_names_the_case_its_status_the_step_and_the_role(api_as, cases):
    number = cases.report(**SEWER, status="filed")
    answer = api_as("dispatcher").step(number, "void", reason="prank")
    assert answer.error["message"] == (f"cannot void case {number} (filed) as dispatcher: "
                                       "only supervisor may void")


def test_a_body_that_is_not_json_is_refused(api_as, cases):
    number = cases.report(**SEWER, status="filed")
    api = api_as("dispatcher")
    answer = api.post(f"/cases/{number}/transitions", data="action=dispatch",
                      content_type="application/x-www-form-urlencoded")
    assert answer.status == 400 and answer.error["code"] == "bad_body"
    empty = api.post(f"/cases/{number}/transitions")
    assert empty.status == 400 and empty.error["code"] == "bad_body"
    assert cases.snapshot(number).status == "filed"


def test_an_unknown_case_is_404(api_as):
    answer = api_as("supervisor").step("2610099999", "file")
    assert answer.status == 404
    assert answer.error == {"code": "case_not_found", "message": "no case numbered 2610099999"}


def test_department_staff_cannot_touch_another_departments_case(api_as, cases):
    number = cases.report(**RUBBISH, status="dispatched")           # SANIT's
    before = cases.snapshot(number)
    answer = api_as("department", "DRAIN").step(number, "claim")
    assert answer.status == 404 and answer.error["code"] == "case_not_found"
    assert cases.snapshot(number) == before
    assert api_as("department", "SANIT").step(number, "claim").status == 200


def test_no_key_acts_as_the_system(api_as, cases):
    """The system reactivates suspended cases on a repeat report; a key's
    reactivation is a supervisor's, and a dispatcher may not do it at all."""
    number = cases.report(**SEWER, status="suspended")
    refused = api_as("dispatcher").step(number, "reactivate")
    assert refused.status == 403
    answer = api_as("supervisor").step(number, "reactivate", to="filed")
    assert answer.status == 200 and answer.json["status"] == "filed"
    assert cases.snapshot(number).events[-1] == ("reactivate", "filed")
