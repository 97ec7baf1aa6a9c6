"""A department's queue, claiming the next case and claiming one by number."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

SEWER = {"category": "E0404", "location": "海陵区鼓楼南路88号"}        # DRAIN, high priority
COVER = {"category": "C0102", "location": "鼓楼南路90号"}              # DRAIN, urgent
GRATING = {"category": "C0104", "location": "青年南路3号"}             # DRAIN, high


def test_the_queue_puts_urgent_cases_first_then_the_soonest_due(api_as, cases, clock):
    late_high = cases.report(**SEWER, status="dispatched")
    clock.moment += timedelta(hours=1)
    urgent = cases.report(**COVER, status="dispatched")
    clock.moment += timedelta(hours=1)
    cases.report(**SEWER | {"location": "鼓楼北路1号"}, status="filed")        # not dispatched yet
    answer = api_as("dispatcher").get("/departments/DRAIN/queue")
    assert answer.status == 200
    assert [item["number"] for item in answer.json["items"]] == [urgent, late_high]
    assert answer.json["total"] == 2


def test_the_queue_pages_and_filters_by_status(api_as, cases, clock):
    made = []
    for n in range(3):
        clock.moment += timedelta(minutes=10)
        made.append(cases.report(**SEWER | {"location": f"鼓楼南路{n + 1}号"}, status="dispatched"))
    handling = cases.report(**GRATING, status="handling")
    api = api_as("supervisor")
    page = api.get("/departments/DRAIN/queue", per_page=2, status="dispatched")
    assert [item["number"] for item in page.json["items"]] == made[:2]
    assert page.json["total"] == 3 and page.json["pages"] == 2
    assert "status=dispatched" in page.json["links"]["next"]
    assert [i["number"] for i in api.get("/departments/DRAIN/queue", status="handling").json["items"]] == [handling]
    bad = api.get("/departments/DRAIN/queue", status="closed")
    assert bad.status == 400 and bad.error["field"] == "status"


def test_an_unknown_department_has_no_queue(api_as):
    answer = api_as("dispatcher").get("/departments/NOWHERE/queue")
    assert answer.status == 404 and answer.error["code"] == "department_not_found"


def test_department_staff_see_and_claim_only_their_own_queue(api_as, cases):
    rubbish = cases.report(category="E0102", location="东进西路12号", status="dispatched")    # SANIT
    before = cases.snapshot(rubbish)
    drain = api_as("department", "DRAIN")
    assert drain.get("/departments/DRAIN/queue").status == 200
    for answer in (drain.get("/departments/SANIT/queue"), drain.post("/departments/SANIT/queue/claim")):
        assert answer.status == 403 and answer.error["code"] == "forbidden"
        assert "may only see DRAIN's" in answer.error["message"]
    claimed = drain.post(f"/cases/{rubbish}/claim")
    assert claimed.status == 404 and claimed.error["code"] == "not_in_queue"
    assert cases.snapshot(rubbish) == before


def test_claiming_the_next_case_takes_the_head_of_the_queue(api_as, cases, clock):
    high = cases.report(**SEWER, status="dispatched")
    clock.moment += timedelta(hours=1)
    urgent = cases.report(**COVER, status="dispatched")
    drain = api_as("department", "DRAIN")
    first = drain.post("/departments/DRAIN/queue/claim")
    assert first.status == 200
    assert first.json["number"] == urgent and first.json["status"] == "handling"
    assert first.json["claimed_by"] == "api:drain-desk"
    assert first.json["allowed_actions"] == ["return", "dispose"]
    second = drain.post("/departments/DRAIN/queue/claim")
    assert second.json["number"] == high
    empty = drain.post("/departments/DRAIN/queue/claim")
    assert empty.status == 204 and empty.json is None
    assert cases.snapshot(high).events[-1] == ("claim", "handling")


def test_a_case_is_claimed_by_its_number_once(api_as, cases):
    number = cases.report(**SEWER, status="dispatched")
    drain = api_as("department", "DRAIN")
    claimed = drain.post(f"/cases/{number}/claim")
    assert claimed.status == 200 and claimed.json["status"] == "handling"
    before = cases.snapshot(number)
    again = drain.post(f"/cases/{number}/claim")
    assert again.status == 409 and again.error["code"] == "illegal_transition"
    assert "claim is only possible from dispatched" in again.error["message"]
    assert cases.snapshot(number) == before
    missing = drain.post("/cases/2610099999/claim")
    assert missing.status == 404 and missing.error["code"] == "case_not_found"


def test_many_claimers_at_once_never_claim_a_case_twice(app, new_key, cases, clock):
    """Four department desks empty one queue together through the API
    (SKIP LOCKED on PostgreSQL, serialised writers on SQLite)."""
    made = set()
    for n in range(12):
        clock.moment += timedelta(minutes=1)
        made.add(cases.report(**SEWER | {"location": f"鼓楼南路{n + 1}号"}, status="dispatched"))
    keys = [new_key("department", "DRAIN", name=f"desk-{n}") for n in range(4)]

    def claim_until_empty(key: str) -> list[str]:
        client, claimed = app.test_client(), []
        while True:
            response = client.post("/api/v1/departments/DRAIN/queue/claim",
                                   headers={"Authorization": f"Bearer {key}"})
            if response.status_code == 204:
                return claimed
            assert response.status_code == 200, response.get_json()
            claimed.append(response.get_json()["number"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(claim_until_empty, keys))
    everything = [number for claimed in results for number in claimed]
    assert len(everything) == len(set(everything)) == 12, "no case claimed twice"
    assert set(everything) == made, "none left behind"
    assert {cases.snapshot(number).status for number in made} == {"handling"}
