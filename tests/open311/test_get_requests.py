"""GET requests and requests/<id>: cases as service requests, their status
in Open311's two words, and the spec's filters and defaults."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.open311.conftest import as_text, step, xml_as_json
from wiring import services


def ids(answer) -> list[str]:
    return [request["service_request_id"] for request in answer.data]


@pytest.fixture
def three(open311, clock):
    """A street lamp, exposed rubbish and street vending, a minute apart."""
    reported = {}
    for code, place in (("C0118", "海陵区凤凰路88号"), ("E0102", "海陵区鼓楼南路2号"), ("E0503", "高港区通江路9号")):
        reported[code] = open311.report(service_code=code, address_string=place, description=f"{code} 报告")
        clock.moment += timedelta(minutes=1)
    return reported


def test_a_request_shows_its_case(open311):
    number = open311.report(service_code="C0101", address_string="海陵区西仓路银春旅馆门前", lat="32.4551",
                            long="119.923", media_url="https://photos.example.org/cover.jpg",
                            description="两个上水井盖丢失，电话13912345678")
    answer = open311.get(f"requests/{number}")
    assert answer.status == 200
    [request] = answer.data
    assert request["service_request_id"] == number and request["service_code"] == "C0101"
    assert request["service_name"] == "上水井盖" and request["status"] == "open"
    assert request["status_notes"] == "正在现场核实", "urgent reports are verified on site at once"
    assert request["agency_responsible"] == "泰州市自来水有限公司"
    assert request["requested_datetime"] == "2026-10-09T10:00:00+08:00"
    assert request["expected_datetime"] == "2026-10-09T12:00:00+08:00", "2 working hours"
    assert request["address"] == "海陵区西仓路银春旅馆门前"
    assert (request["lat"], request["long"]) == (32.4551, 119.923)
    assert request["media_url"] == "https://photos.example.org/cover.jpg"
    assert "13912345678" not in request["description"] and request["description"].endswith("5678"), \
        "phone numbers in what people wrote are masked in the public listing"


def test_a_request_in_xml_mirrors_the_json(open311):
    number = open311.report()
    xml = open311.get(f"requests/{number}", "xml").data
    assert xml.tag == "service_requests" and [child.tag for child in xml] == ["request"]
    assert xml_as_json(xml) == as_text(open311.get(f"requests/{number}").data)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_not_found(open311, fmt):
    answer = open311.get("requests/2610099999", fmt)
    assert answer.status == 404
    errors = answer.data if fmt == "json" else xml_as_json(answer.data)
    assert [str(e["code"]) for e in errors] == ["404"] and "2610099999" in errors[0]["description"]


def test_a_voided_case_is_closed_with_the_reason_in_its_notes(open311, app, clock):
    number = open311.report()
    step(app, clock, number, "void", "supervisor", reason="duplicate", note="与2610090001重复")
    [request] = open311.get(f"requests/{number}").data
    assert request["status"] == "closed"
    assert request["status_notes"] == "已作废：与2610090001重复"


def test_a_closed_case_is_closed_and_a_suspended_one_still_open(open311, app, clock):
    closed = open311.report()
    for action, role, details in (("file", "operator", {}), ("dispatch", "dispatcher", {}),
                                  ("claim", "department", {}), ("dispose", "department", {"note": "换了灯泡"}),
                                  ("close", "inspector", {})):
        step(app, clock, closed, action, role, **details)
    suspended = open311.report(service_code="C0201", address_string="海陵北路十八亩50号")
    step(app, clock, suspended, "suspend", "supervisor", reason="该区域将拆迁", review_date=date(2026, 12, 1))

    by_id = {r["service_request_id"]: r for r in open311.get("requests").data}
    assert (by_id[closed]["status"], by_id[closed]["status_notes"]) == ("closed", "已办结")
    assert (by_id[suspended]["status"], by_id[suspended]["status_notes"]) == ("open", "暂缓办理：该区域将拆迁")


def test_all_requests_of_the_last_90_days_by_default_newest_first(open311, three):
    answer = open311.get("requests")
    assert answer.status == 200
    assert ids(answer) == [three["E0503"], three["E0102"], three["C0118"]]


def test_requests_in_xml_mirror_the_json(open311, three):
    xml = open311.get("requests", "xml").data
    assert [child.findtext("service_request_id") for child in xml] == ids(open311.get("requests"))
    assert xml_as_json(xml) == as_text(open311.get("requests").data)


def test_service_request_ids_comma_delimited_override_every_other_filter(open311, three):
    wanted = f"{three['C0118']}, {three['E0503']},2610099999"
    answer = open311.get("requests", service_request_id=wanted, service_code="E0102", status="closed",
                         start_date="2020-01-01T00:00:00Z", end_date="2020-01-02T00:00:00Z")
    assert sorted(ids(answer)) == sorted([three["C0118"], three["E0503"]])


def test_filter_by_service_codes(open311, three):
    assert ids(open311.get("requests", service_code="E0102")) == [three["E0102"]]
    assert ids(open311.get("requests", service_code="C0118,E0503")) == [three["E0503"], three["C0118"]]
    assert ids(open311.get("requests", service_code="X9999")) == []


def test_filter_by_status(open311, app, clock, three):
    step(app, clock, three["E0102"], "void", "supervisor", reason="prank")
    assert ids(open311.get("requests", status="closed")) == [three["E0102"]]
    assert ids(open311.get("requests", status="open")) == [three["E0503"], three["C0118"]]
    assert len(ids(open311.get("requests", status="open,closed"))) == 3


def test_filter_by_requested_datetime_inclusive(open311, three):
    # The three were reported at 10:00, 10:01 and 10:02 Shanghai time on 9 October.
    answer = open311.get("requests", start_date="2026-10-09T10:01:00+08:00", end_date="2026-10-09T02:02:00Z")
    assert ids(answer) == [three["E0503"], three["E0102"]]


def test_an_unencoded_plus_in_a_date_is_read_as_an_offset(client, open311, three):
    response = client.get("/open311/v2/requests.json?start_date=2026-10-09T10:02:00+08:00")
    assert response.status_code == 200
    assert [r["service_request_id"] for r in response.get_json()] == [three["E0503"]]


def test_the_default_window_leaves_out_requests_older_than_90_days(open311, clock):
    today = clock.moment
    clock.moment = today - timedelta(days=100)
    old = open311.report(address_string="海陵区凤凰路1号")
    clock.moment = today
    recent = open311.report(address_string="姜堰区人民路5号")
    assert ids(open311.get("requests")) == [recent]
    start = (today - timedelta(days=101)).isoformat()
    assert ids(open311.get("requests", start_date=start)) == [old], "90 days from start_date"
    end = (today - timedelta(days=99)).isoformat()
    assert ids(open311.get("requests", end_date=end)) == [old], "90 days up to end_date"


@pytest.mark.parametrize("params, says", [
    ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-10-01T00:00:00Z"}, "may not span more than 90 days"),
    ({"start_date": "2026-10-02T00:00:00Z", "end_date": "2026-10-01T00:00:00Z"}, "must not be after end_date"),
    ({"start_date": "yesterday"}, "start_date must be a date and time"),
    ({"end_date": "2026-10-01T00:00:00"}, "end_date needs a time zone"),
    ({"status": "pending"}, "status must be open or closed"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_malformed_filters_are_refused(open311, params, says, fmt):
    answer = open311.get("requests", fmt, **params)
    assert answer.status == 400
    errors = answer.data if fmt == "json" else xml_as_json(answer.data)
    assert [str(e["code"]) for e in errors] == ["400"] and says in errors[0]["description"]


def test_a_case_without_a_category_is_not_a_service_request(open311, app, clock):
    from cases.services import NewCase, open_case
    from database import db
    with db.session_scope(app) as session:
        case = open_case(session, services(app).config, NewCase(
            line_id="urban", channel="hotline", description="voicemail", location=None, category_code=None,
            caller_e164=None, callback_number=None, needs_operator=True), clock())
        number = case.number
    assert open311.get("requests").data == []
    assert open311.get(f"requests/{number}").status == 404


def test_xml_leaves_out_characters_it_cannot_carry(open311, app, clock):
    from cases.services import NewCase, open_case
    from database import db
    with db.session_scope(app) as session:
        number = open_case(session, services(app).config, NewCase(
            line_id="urban", channel="web", description="路灯\x0b不亮\n晚上很黑", location="凤凰路88号",
            category_code="C0118", caller_e164=None, callback_number=None), clock()).number
    xml = open311.get(f"requests/{number}", "xml").data
    assert xml.findtext("request/description") == "路灯不亮\n晚上很黑"


def test_requested_datetime_is_when_the_case_was_created(open311, clock):
    clock.moment = datetime.fromisoformat("2026-10-09T23:30:00+08:00")
    number = open311.report()
    [request] = open311.get(f"requests/{number}").data
    assert request["requested_datetime"] == "2026-10-09T23:30:00+08:00"
    assert request["updated_datetime"] == "2026-10-09T23:30:00+08:00"
