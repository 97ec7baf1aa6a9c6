"""GET /cases (search, filters, pages), GET /cases/<number> and its events."""
from __future__ import annotations

from datetime import timedelta

import pytest

SEWER = {"category": "E0404", "location": "海陵区鼓楼南路88号", "description": "下水道堵了"}
RUBBISH = {"category": "E0102", "location": "东进西路12号", "description": "路边有暴露垃圾"}
LAMP = {"category": "C0118", "location": "五一路口", "description": "路灯不亮"}


def numbers(answer) -> list[str]:
    assert answer.status == 200, answer.json
    return [item["number"] for item in answer.json["items"]]


def test_cases_are_listed_newest_first_with_their_total(api_as, cases, clock):
    first = cases.report(**SEWER)
    clock.moment += timedelta(minutes=5)
    second = cases.report(**RUBBISH)
    answer = api_as("operator").get("/cases")
    assert numbers(answer) == [second, first]
    assert answer.json["total"] == 2 and answer.json["page"] == 1 and answer.json["pages"] == 1
    item = answer.json["items"][0]
    assert item["category"]["code"] == "E0102" and item["department"]["code"] == "SANIT"
    assert item["links"]["self"] == f"/api/v1/cases/{second}"


def test_pages_have_links_that_keep_the_filters(api_as, cases, clock, client):
    made = []
    for n in range(5):
        clock.moment += timedelta(minutes=1)
        made.append(cases.report(**SEWER | {"location": f"鼓楼南路{n + 1}号"}))
    made.reverse()
    api = api_as("dispatcher")
    first = api.get("/cases", per_page=2, category="E0404")
    assert numbers(first) == made[:2]
    assert (first.json["total"], first.json["pages"], first.json["per_page"]) == (5, 3, 2)
    links = first.json["links"]
    assert links["prev"] is None and "category=E0404" in links["next"] and "page=2" in links["next"]

    second = client.get(links["next"], headers={"Authorization": f"Bearer {api.key}"}).get_json()
    assert [item["number"] for item in second["items"]] == made[2:4]
    last = client.get(second["links"]["last"], headers={"Authorization": f"Bearer {api.key}"}).get_json()
    assert [item["number"] for item in last["items"]] == made[4:]
    assert last["links"]["next"] is None and last["page"] == 3
    beyond = api.get("/cases", per_page=2, page=9)
    assert beyond.status == 200 and beyond.json["items"] == [] and beyond.json["total"] == 5


@pytest.mark.parametrize("query,field", [
    ({"per_page": 101}, "per_page"), ({"per_page": 0}, "per_page"), ({"page": 0}, "page"),
    ({"page": "two"}, "page"), ({"status": "lost"}, "status"), ({"overdue": "maybe"}, "overdue"),
    ({"created_from": "yesterday"}, "created_from"), ({"created_to": "2026-10-09T10:00:00"}, "created_to"),
    ({"created_from": "2026-10-09", "created_to": "2026-10-01"}, "created_to"),
])
def test_a_bad_query_parameter_is_a_400_naming_it(api_as, query, field):
    answer = api_as("operator").get("/cases", **query)
    assert answer.status == 400
    assert answer.error["code"] == "bad_parameter" and answer.error["field"] == field


def test_search_finds_text_in_the_number_description_or_location(api_as, cases, clock):
    sewer = cases.report(**SEWER)
    rubbish = cases.report(**RUBBISH)
    api = api_as("operator")
    assert numbers(api.get("/cases", q="堵了")) == [sewer]
    assert numbers(api.get("/cases", q="东进西路")) == [rubbish]
    assert numbers(api.get("/cases", q=rubbish[-4:])) == [rubbish]
    assert numbers(api.get("/cases", q="%")) == [], "LIKE wildcards are searched for literally"


def test_cases_filter_by_status_department_category_line_and_channel(api_as, cases):
    sewer = cases.report(**SEWER, status="dispatched")
    rubbish = cases.report(**RUBBISH, status="filed")
    lamp = cases.report(**LAMP, channel="open311")
    conduct = cases.report(category="E9001", location="市政务中心", description="窗口工作人员态度差",
                           line="conduct")
    api = api_as("supervisor")
    assert numbers(api.get("/cases", status="dispatched")) == [sewer]
    assert set(numbers(api.get("/cases", status="dispatched,filed"))) == {sewer, rubbish}
    assert numbers(api.get("/cases", department="SANIT")) == [rubbish]
    assert numbers(api.get("/cases", category="C0118")) == [lamp]
    assert numbers(api.get("/cases", channel="open311")) == [lamp]
    assert numbers(api.get("/cases", line="conduct")) == [conduct]
    assert numbers(api.get("/cases", line="urban", status="dispatched", department="DRAIN")) == [sewer]


def test_overdue_cases_are_those_past_their_due_time_and_not_yet_disposed(api_as, cases, clock):
    late = cases.report(**SEWER, status="dispatched")              # 1 working day from filing
    done = cases.report(**SEWER | {"location": "鼓楼北路1号"}, status="disposed")
    waiting = cases.report(**RUBBISH)                               # intake: no clock yet
    clock.moment += timedelta(days=7)
    api = api_as("supervisor")
    assert numbers(api.get("/cases", overdue="true")) == [late]
    assert set(numbers(api.get("/cases", overdue="false"))) == {done, waiting}


def test_cases_filter_by_the_day_they_were_created_in_the_hotlines_time_zone(api_as, cases, clock):
    clock.set_local(2026, 6, 30, 23, 30)           # 15:30 UTC: still 30 June in Taizhou
    june = cases.report(**SEWER)
    clock.set_local(2026, 7, 1, 0, 30)
    july = cases.report(**RUBBISH)
    api = api_as("operator")
    assert numbers(api.get("/cases", created_to="2026-06-30")) == [june]
    assert numbers(api.get("/cases", created_from="2026-07-01")) == [july]
    assert numbers(api.get("/cases", created_from="2026-06-30T23:00:00+08:00",
                           created_to="2026-07-01T00:00:00+08:00")) == [june]


def test_department_staff_list_only_their_own_departments_cases(api_as, cases):
    sewer = cases.report(**SEWER, status="dispatched")
    cases.report(**RUBBISH, status="dispatched")
    drain = api_as("department", "DRAIN")
    assert numbers(drain.get("/cases")) == [sewer]
    assert numbers(drain.get("/cases", department="DRAIN")) == [sewer]
    refused = drain.get("/cases", department="SANIT")
    assert refused.status == 403 and "DRAIN" in refused.error["message"]


def test_a_case_shows_full_numbers_only_to_the_centres_staff(api_as, cases):
    number = cases.report(**SEWER, phone="+8613812345678", status="dispatched")
    for role in ("operator", "dispatcher", "supervisor", "admin"):
        case = api_as(role).get(f"/cases/{number}").json
        assert case["complainants"][0]["phone"] == "+8613812345678", role
        assert case["callback_number"] == "+8613812345678"
    for role, department in (("department", "DRAIN"), ("inspector", None)):
        case = api_as(role, department).get(f"/cases/{number}").json
        assert case["complainants"][0]["phone"] != "+8613812345678", role
        assert case["complainants"][0]["phone"].endswith("5678") and "*" in case["complainants"][0]["phone"]
        assert "13812345678" not in str(case)
    listed = api_as("supervisor").get("/cases").json["items"][0]
    assert "13812345678" not in str(listed), "lists always mask"


def test_a_case_shows_its_status_reason_review_date_and_tasks(api_as, cases):
    number = cases.report(**SEWER, status="suspended")
    case = api_as("supervisor").get(f"/cases/{number}").json
    assert case["status"] == "suspended" and case["status_reason"] == "该片区已列入拆迁计划"
    assert case["review_date"] == "2027-01-15"
    assert case["allowed_actions"] == ["reactivate", "void"]
    assert case["links"]["events"] == f"/api/v1/cases/{number}/events"
    verifying = cases.report(category="E0101", location="五一路口")
    tasks = api_as("supervisor").get(f"/cases/{verifying}").json["tasks"]
    assert [(t["kind"], t["status"]) for t in tasks] == [("verify", "open")]


def test_an_unknown_case_and_another_departments_case_are_404(api_as, cases):
    rubbish = cases.report(**RUBBISH, status="dispatched")
    drain = api_as("department", "DRAIN")
    for path in (f"/cases/{rubbish}", f"/cases/{rubbish}/events", "/cases/2610099999",
                 "/cases/2610099999/events"):
        answer = drain.get(path)
        assert answer.status == 404 and answer.error["code"] == "case_not_found", path
    assert api_as("department", "SANIT").get(f"/cases/{rubbish}").status == 200


def test_a_cases_events_tell_who_did_what_when_and_why(api_as, cases, clock):
    number = cases.report(**SEWER, status="suspended")
    events = api_as("operator").get(f"/cases/{number}/events").json["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("intake", None, "intake"), ("file", "intake", "filed"), ("suspend", "filed", "suspended")]
    suspend = events[-1]
    assert suspend["actor"] == "test:supervisor" and suspend["role"] == "supervisor"
    assert suspend["note"] == "该片区已列入拆迁计划"
    assert suspend["data"]["review_date"] == "2027-01-15"
    assert suspend["at"] == clock().isoformat()


def test_answers_are_utf8_json_with_chinese_left_readable(api_as, cases, client):
    cases.report(**SEWER)
    key = api_as("operator").key
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {key}"})
    assert response.mimetype == "application/json"
    assert "下水道堵了" in response.data.decode("utf-8")
