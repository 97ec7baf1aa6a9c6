"""Inspectors' tasks: listing the open ones and reporting what was found."""
from __future__ import annotations

from datetime import timedelta

SEWER = {"category": "E0404", "location": "海陵区鼓楼南路88号"}
BUILDING = {"category": "E0101", "location": "五一路口"}         # verified on site before filing


def test_open_tasks_are_listed_oldest_first_and_by_kind(api_as, cases, clock):
    verify = cases.report(**BUILDING)
    clock.moment += timedelta(minutes=5)
    check = cases.report(**SEWER, status="disposed")
    inspector = api_as("inspector")
    everything = inspector.get("/tasks")
    assert everything.status == 200
    assert [(t["kind"], t["case"]["number"]) for t in everything.json["items"]] == [
        ("verify", verify), ("check", check)]
    task = everything.json["items"][1]
    assert task["status"] == "open" and task["reason"] == "已疏通"
    assert task["case"]["location"] == "海陵区鼓楼南路88号" and task["case"]["department"] == "DRAIN"
    assert [t["case"]["number"] for t in inspector.get("/tasks", kind="check").json["items"]] == [check]
    assert inspector.get("/tasks", kind="verify", per_page=1).json["total"] == 1
    bad = inspector.get("/tasks", kind="repair")
    assert bad.status == 400 and bad.error["field"] == "kind"


def first_task(api, kind: str) -> int:
    return api.get("/tasks", kind=kind).json["items"][0]["id"]


def test_a_confirmed_verification_files_the_case(api_as, cases):
    number = cases.report(**BUILDING)
    inspector = api_as("inspector")
    answer = inspector.post(f"/tasks/{first_task(inspector, 'verify')}/result",
                            {"result": "confirmed", "note": "现场确有违建"})
    assert answer.status == 200
    assert answer.json["number"] == number and answer.json["status"] == "filed"
    assert [(t["kind"], t["status"], t["result"]) for t in answer.json["tasks"]] == [("verify", "done", "confirmed")]
    assert inspector.get("/tasks").json["items"] == []


def test_a_verification_that_finds_nothing_leaves_the_case_for_a_supervisor(api_as, cases):
    number = cases.report(**BUILDING)
    inspector = api_as("inspector")
    answer = inspector.post(f"/tasks/{first_task(inspector, 'verify')}/result", {"result": "not_found"})
    assert answer.status == 200 and answer.json["status"] == "verifying"
    assert "supervisor" in answer.json["status_reason"]
    assert cases.snapshot(number).events[-1] == ("inspection", "verifying")


def test_a_passed_check_closes_the_case_and_a_failed_one_sends_it_back(api_as, cases, clock):
    passed = cases.report(**SEWER, status="disposed")
    failed = cases.report(**SEWER | {"location": "鼓楼北路1号"}, status="disposed")
    inspector = api_as("inspector")
    tasks = {t["case"]["number"]: t["id"] for t in inspector.get("/tasks", kind="check").json["items"]}
    closed = inspector.post(f"/tasks/{tasks[passed]}/result", {"result": "passed"})
    assert closed.json["status"] == "closed"
    rework = inspector.post(f"/tasks/{tasks[failed]}/result", {"result": "failed", "note": "仍有积水"})
    assert rework.json["status"] == "dispatched" and rework.json["department"]["code"] == "DRAIN"


def test_a_bad_result_is_refused_and_changes_nothing(api_as, cases):
    number = cases.report(**SEWER, status="disposed")
    inspector = api_as("inspector")
    task = first_task(inspector, "check")
    before = cases.snapshot(number)
    wrong = inspector.post(f"/tasks/{task}/result", {"result": "confirmed"})
    assert wrong.status == 422 and wrong.error["code"] == "bad_result" and wrong.error["field"] == "result"
    assert "passed, failed" in wrong.error["message"]
    missing = inspector.post(f"/tasks/{task}/result", {"note": "看过了"})
    assert missing.status == 422 and missing.error["code"] == "result_required"
    unknown = inspector.post(f"/tasks/{task}/result", {"result": "passed", "photo": "x.jpg"})
    assert unknown.status == 422 and unknown.error["field"] == "photo"
    assert cases.snapshot(number) == before


def test_a_finished_or_unknown_task_is_refused(api_as, cases):
    number = cases.report(**SEWER, status="disposed")
    inspector = api_as("inspector")
    task = first_task(inspector, "check")
    assert inspector.post(f"/tasks/{task}/result", {"result": "passed"}).status == 200
    before = cases.snapshot(number)
    again = inspector.post(f"/tasks/{task}/result", {"result": "failed", "note": "x"})
    assert again.status == 409 and again.error["code"] == "task_closed"
    assert "already done" in again.error["message"]
    assert cases.snapshot(number) == before
    missing = inspector.post("/tasks/999999/result", {"result": "passed"})
    assert missing.status == 404 and missing.error["code"] == "task_not_found"
