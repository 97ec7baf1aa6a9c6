"""Story 2 of the Taizhou report (README, "Repeat reports"), end to end through the public interfaces: the signed
voice webhooks for the two callers, the JSON API for everyone at the centre.

In June a blocked sewer at 18 Mu No. 50, Hailing North Road is reported and
dispatched to the drainage department; the area is due for demolition, so
a supervisor suspends the case.  At the end of October a second caller
reports the same sewer: the report joins the suspended case and sends it to
on-site verification; the inspector finds residents still living there, and
the case is filed and dispatched again.
"""
from __future__ import annotations

from datetime import datetime

from tests.support.twiml import Document

FIRST_CALLER = "+8613805230001"
SECOND_CALLER = "+8613905230002"
DEMOLITION = "该片区已列入拆迁计划，管网改造暂缓"


def case_number_heard(document: Document) -> str:
    """The digits the caller hears read slowly, one at a time."""
    say_as = [el for el in document.root.iter("say-as") if el.get("interpret-as") == "digits"]
    assert say_as, "the case number is read with <say-as interpret-as='digits'>"
    return say_as[0].text


def phone_in_report(new_call, caller: str, complaint: str, location: str) -> str:
    """The caller says the problem and the place in one breath and confirms once."""
    call = new_call(from_=caller)
    call.dial()
    heard = call.say(complaint)
    if "哪一类" in heard.text:            # likely, not sure: offered by name, the sewer first
        assert "下水道堵塞，请按1" in heard.text
    else:                                 # sure: the category and the place read back together
        assert "下水道堵塞" in heard.text and location in heard.text
    done = call.press("1")                # the calling number is the callback number
    assert call.silence().hangs_up
    return case_number_heard(done)


def test_story_2_a_repeat_report_of_a_suspended_sewer_is_verified_and_dispatched_again(
        new_call, api_as, clock):
    dispatcher, supervisor = api_as("dispatcher"), api_as("supervisor")
    drain, inspector = api_as("department", "DRAIN"), api_as("inspector")

    # June: the first caller reports the blocked sewer by phone.
    clock.set_local(2026, 6, 10, 9, 0)
    number = phone_in_report(new_call, FIRST_CALLER, "海陵区海陵北路十八亩50号下水道堵了", "海陵区海陵北路十八亩50号")
    found = dispatcher.get("/cases", q="十八亩", status="intake").json
    assert [item["number"] for item in found["items"]] == [number]
    case = dispatcher.get(f"/cases/{number}").json
    assert case["category"]["code"] == "E0404" and case["suggested_department"] is None
    assert case["location"] == "海陵区海陵北路十八亩50号" and case["channel"] == "hotline"

    # The dispatcher files it and dispatches it where routing sends it.
    assert dispatcher.step(number, "file").json["suggested_department"] == "DRAIN"
    dispatched = dispatcher.step(number, "dispatch")
    assert dispatched.json["status"] == "dispatched" and dispatched.json["department"]["code"] == "DRAIN"

    # The drainage department finds it in its queue and claims it.
    clock.set_local(2026, 6, 10, 10, 0)
    assert [item["number"] for item in drain.get("/departments/DRAIN/queue").json["items"]] == [number]
    assert drain.post(f"/cases/{number}/claim").json["status"] == "handling"

    # The area is due for demolition: a supervisor suspends the case.
    clock.set_local(2026, 6, 11, 14, 0)
    refused = drain.step(number, "suspend", reason=DEMOLITION, review_date="2026-12-31")
    assert refused.status == 403, "suspending needs a supervisor"
    suspended = supervisor.step(number, "suspend", reason=DEMOLITION, review_date="2026-12-31")
    assert suspended.status == 200
    assert suspended.json["status"] == "suspended" and suspended.json["status_reason"] == DEMOLITION
    assert drain.get("/departments/DRAIN/queue").json["total"] == 0

    # End of October: another caller reports the same sewer, in other words.
    clock.set_local(2026, 10, 28, 15, 30)
    heard = phone_in_report(new_call, SECOND_CALLER, "海陵北路十八亩五十号门前污水冒出来", "海陵北路十八亩五十号门前")
    assert heard == number, "the second caller is given the number of the case their report joined"

    # It joins the suspended case, which goes to on-site verification.
    assert dispatcher.get("/cases", q="十八亩").json["total"] == 1, "no second case"
    case = dispatcher.get(f"/cases/{number}").json
    assert case["status"] == "verifying"
    assert [c["phone"] for c in case["complainants"]] == [FIRST_CALLER, SECOND_CALLER]
    assert [(t["kind"], t["status"]) for t in case["tasks"]] == [("verify", "open")]

    # The inspector goes there: residents still live there.
    tasks = inspector.get("/tasks", kind="verify").json["items"]
    assert [task["case"]["number"] for task in tasks] == [number]
    clock.set_local(2026, 10, 29, 9, 0)
    verified = inspector.post(f"/tasks/{tasks[0]['id']}/result",
                              {"result": "confirmed", "note": "居民仍在居住，下水道堵塞属实"})
    assert verified.status == 200 and verified.json["status"] == "filed"
    assert verified.json["suggested_department"] == "DRAIN"

    # The dispatcher dispatches it again, with a new time limit.
    clock.set_local(2026, 10, 29, 9, 30)
    again = dispatcher.step(number, "dispatch")
    assert again.status == 200
    assert again.json["status"] == "dispatched" and again.json["department"]["code"] == "DRAIN"
    assert datetime.fromisoformat(again.json["due_at"]) > clock(), "the months it was parked are not DRAIN's"
    assert [item["number"] for item in drain.get("/departments/DRAIN/queue").json["items"]] == [number]

    # The history tells the story.
    events = dispatcher.get(f"/cases/{number}/events").json["items"]
    assert [(e["action"], e["from_status"], e["to_status"], e["actor"]) for e in events] == [
        ("intake", None, "intake", "ivr"),
        ("file", "intake", "filed", "api:dispatcher"),
        ("dispatch", "filed", "dispatched", "api:dispatcher"),
        ("claim", "dispatched", "handling", "api:drain-desk"),
        ("suspend", "handling", "suspended", "api:supervisor"),
        ("repeat_report", "suspended", "suspended", "ivr"),
        ("reactivate", "suspended", "verifying", "system"),
        ("file", "verifying", "filed", "api:inspector"),
        ("dispatch", "filed", "dispatched", "api:dispatcher"),
    ]
    by_action = {e["action"]: e for e in events}
    assert by_action["suspend"]["data"]["reason"] == DEMOLITION
    assert by_action["suspend"]["data"]["review_date"] == "2026-12-31"
    assert by_action["repeat_report"]["data"]["location"] == "海陵北路十八亩五十号门前"
    assert by_action["repeat_report"]["at"].startswith("2026-10-28")
    assert by_action["reactivate"]["role"] == "system"
    assert events[7]["note"] == "居民仍在居住，下水道堵塞属实" and events[7]["role"] == "inspector"
    assert events[-1]["data"]["department"] == "DRAIN"
