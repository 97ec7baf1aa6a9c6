"""POST /cases/<number>/merge (并单) and /cases/<number>/split: the
duplicate joins the other case, a second problem becomes a case of its own,
both histories say so, and a refusal names its rule and changes nothing."""
from __future__ import annotations

SEWER = {"category": "E0404", "location": "海陵区鼓楼南路88号"}      # DRAIN
NEARBY = {"category": "E0404", "location": "海陵区凤凰路2号"}


def test_a_dispatcher_merges_a_duplicate_into_the_case_it_repeats(api_as, cases):
    target = cases.report(**SEWER, status="dispatched")
    duplicate = cases.report(**NEARBY, phone="+8613900001111", status="filed")
    dispatcher = api_as("dispatcher")
    assert "merge" in dispatcher.get(f"/cases/{duplicate}").json["links"]

    answer = dispatcher.post(f"/cases/{duplicate}/merge", {"into": target, "note": "同一个下水道"})
    assert answer.status == 200 and answer.json["number"] == target
    assert len(answer.json["complainants"]) == 2
    assert cases.snapshot(duplicate).status == "voided"
    merged = dispatcher.get(f"/cases/{duplicate}/events").json["items"][-1]
    assert (merged["action"], merged["to_status"], merged["data"]["merged_into"]) == ("void", "voided", target)
    joined = dispatcher.get(f"/cases/{target}/events").json["items"][-1]
    assert (joined["action"], joined["data"]["merged_from"], joined["note"]) == ("merged", duplicate, "同一个下水道")


def test_a_refused_merge_says_why_and_changes_nothing(api_as, cases):
    target = cases.report(**SEWER, status="filed")
    held = cases.report(**NEARBY, status="handling")
    before = (cases.snapshot(target), cases.snapshot(held))
    dispatcher = api_as("dispatcher")

    answer = dispatcher.post(f"/cases/{held}/merge", {"into": target})
    assert answer.status == 409 and answer.error["code"] == "duplicate_status"
    assert "returned first" in answer.error["message"]
    assert dispatcher.post(f"/cases/{target}/merge", {"into": target}).error["code"] == "same_case"
    assert dispatcher.post(f"/cases/{target}/merge", {}).error == {
        "code": "into_required", "message": "say which case this one duplicates: into is required", "field": "into"}
    assert dispatcher.post(f"/cases/{target}/merge", {"into": "0000000000"}).status == 404
    assert api_as("department", "DRAIN").post(f"/cases/{held}/merge", {"into": target}).status == 403
    refused = api_as("department", "ROADS").post(f"/cases/{held}/merge", {"into": target})
    assert refused.status == 404          # a department is told nothing of a case not its own
    assert api_as("operator").post(f"/cases/{target}/merge", {"into": held}).error["code"] == "role_not_allowed"
    assert (cases.snapshot(target), cases.snapshot(held)) == before


def test_an_operator_splits_a_second_problem_into_a_new_case(api_as, cases):
    number = cases.report(**SEWER, status="dispatched")
    operator = api_as("operator")
    answer = operator.post(f"/cases/{number}/split", {"description": "路口的路灯也不亮", "category": "C0118"})
    assert answer.status == 201 and answer.headers["Location"] == f"/api/v1/cases/{answer.json['number']}"
    new = answer.json
    assert (new["status"], new["category"]["code"], new["department"]["code"]) == ("intake", "C0118", "LIGHT")
    assert new["location"] == SEWER["location"] and len(new["complainants"]) == 1
    split = operator.get(f"/cases/{number}/events").json["items"][-1]
    assert (split["action"], split["data"]["new_case"]) == ("split", new["number"])
    assert cases.snapshot(number).status == "dispatched"


def test_a_refused_split_names_the_field_to_fix(api_as, cases):
    number = cases.report(**SEWER, status="filed")
    closed = cases.report(**NEARBY, status="closed")
    before = cases.snapshot(number)
    operator = api_as("operator")
    same = operator.post(f"/cases/{number}/split", {"description": "又堵了", "category": "E0404"})
    assert (same.status, same.error["code"], same.error["field"]) == (422, "same_problem", "category")
    missing = operator.post(f"/cases/{number}/split", {"category": "C0118"})
    assert (missing.status, missing.error["field"]) == (422, "description")
    assert operator.post(f"/cases/{closed}/split", {"description": "路灯不亮", "category": "C0118"}).status == 409
    assert api_as("inspector").post(f"/cases/{number}/split",
                                    {"description": "路灯不亮", "category": "C0118"}).status == 403
    assert cases.snapshot(number) == before
