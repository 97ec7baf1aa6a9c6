"""POST requests: a 311 app's report becomes a case through the IVR's
intake; every refusal says why and changes nothing."""
from __future__ import annotations

import pytest

from tests.open311.conftest import xml_as_json

GOOD = {"service_code": "C0118", "address_string": "海陵区凤凰路88号", "description": "路灯不亮"}


def stored_case(app, number):
    """The case as stored, with its complainants and events loaded."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from cases.models import Case
    from database import db
    with db.session_scope(app) as session:
        case = session.scalars(select(Case).where(Case.number == number).options(
            selectinload(Case.complainants), selectinload(Case.events))).one()
    return case


def phones(case):
    return [(c.phone_e164, c.callback_number) for c in case.complainants]


def test_a_report_becomes_a_case_on_the_open311_channel(open311, app, case_count):
    answer = open311.post(service_code="C0118", lat="32.4551", long="119.9230",
                          address_string="海陵区凤凰路88号门前", description="路灯不亮，晚上很黑",
                          phone="139 1234 5678", media_url="https://photos.example.org/lamp.jpg",
                          email="citizen@example.org", first_name="Li", last_name="Wei",
                          device_id="tt222111", account_id="123456", jurisdiction_id="taizhou.gov.cn")
    assert answer.status == 200, answer.data
    [receipt] = answer.data
    assert set(receipt) == {"service_request_id", "token", "service_notice", "account_id"}
    assert receipt["account_id"] is None and receipt["service_notice"]
    assert case_count() == 1

    case = stored_case(app, receipt["service_request_id"])
    assert case.channel == "open311" and case.category_code == "C0118" and case.department_code == "LIGHT"
    assert case.line_id == "urban" and case.status == "intake"
    assert case.location_text == "海陵区凤凰路88号门前" and (case.latitude, case.longitude) == (32.4551, 119.9230)
    assert case.description == "路灯不亮，晚上很黑" and case.media_url == "https://photos.example.org/lamp.jpg"
    assert phones(case) == [("+8613912345678", "+8613912345678")]
    assert case.open311_token == receipt["token"]
    assert [(e.action, e.actor) for e in case.events] == [("intake", "api:city app")]


def test_a_report_answers_in_xml_too(open311, case_count):
    answer = open311.post("xml", **GOOD)
    assert answer.status == 200
    assert answer.data.tag == "service_requests"
    [request] = xml_as_json(answer.data)
    assert request["service_request_id"] and request["token"] and request["account_id"] is None
    assert case_count() == 1


def test_an_urgent_report_goes_to_on_site_verification_like_a_call(open311, app):
    number = open311.report(service_code="C0101", address_string="海陵区西仓路银春旅馆门前",
                            description="两个上水井盖丢失")
    case = stored_case(app, number)
    assert case.priority == "urgent" and case.status == "verifying" and case.due_at is not None


def test_a_second_report_of_the_same_problem_joins_the_first_case(open311, app, case_count):
    first = open311.report(phone="13912345678")
    second = open311.report(phone="13812345678", description="凤凰路88号的路灯还是不亮")
    assert second == first and case_count() == 1
    assert [phone for phone, _ in phones(stored_case(app, first))] == ["+8613912345678", "+8613812345678"]


@pytest.mark.parametrize("location", [
    {"lat": "32.4551", "long": "119.9230"},
    {"address_string": "海陵区凤凰路88号"},
    {"address_id": "545483"},
])
def test_any_one_of_the_three_locations_is_enough(open311, app, location):
    answer = open311.post(service_code="C0118", description="路灯不亮", **location)
    assert answer.status == 200, answer.data
    case = stored_case(app, answer.data[0]["service_request_id"])
    if "address_id" in location:
        assert case.location_text == "address_id 545483"
    assert phones(case) == [(None, None)], "no phone, no callback number"


def test_a_4000_character_description_is_accepted(open311, app):
    answer = open311.post(**{**GOOD, "description": "灯" * 4000})
    assert answer.status == 200
    assert len(stored_case(app, answer.data[0]["service_request_id"]).description) == 4000


REFUSED = [
    ({"service_code": None}, "service_code is required"),
    ({"service_code": "X9999"}, "'X9999' is not a service"),
    ({"address_string": None}, "a location is required"),
    ({"address_string": "   "}, "a location is required"),
    ({"address_string": None, "lat": "32.4551"}, "lat and long must be sent together"),
    ({"lat": "north", "long": "119.9"}, "lat must be a number"),
    ({"lat": "91", "long": "119.9"}, "lat must be a number of degrees from -90 to 90"),
    ({"lat": "32.4", "long": "nan"}, "long must be a number"),
    ({"description": "灯" * 4001}, "description has 4001 characters; at most 4000"),
    ({"address_string": "路" * 201}, "address_string has 201 characters"),
    ({"phone": "12345"}, "phone '12345' is not a phone number"),
    ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https URL"),
    ({"attribute[WIDTH]": "3"}, "attribute[WIDTH] is not an attribute of service C0118"),
    ({"description": "路灯\x00不亮"}, "description holds control characters"),
    ({"address_string": "凤凰路\x0b88号"}, "address_string holds control characters"),
]


@pytest.mark.parametrize("change, says", REFUSED, ids=[says for _, says in REFUSED])
def test_a_malformed_report_is_refused_and_creates_nothing(open311, case_count, change, says):
    form = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    answer = open311.post(**form)
    assert answer.status == 400
    assert answer.error_codes == [400] and says in answer.descriptions
    assert case_count() == 0


def test_every_problem_is_listed_at_once(open311, case_count):
    answer = open311.post(service_code="X9999", description="灯" * 4001, phone="1")
    assert answer.status == 400
    assert len(answer.data) == 4, answer.descriptions    # code, location, description, phone
    assert set(answer.error_codes) == {400}
    assert case_count() == 0


@pytest.mark.parametrize("api_key", [None, "", "hk_not-a-real-key", "wrong"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_or_wrong_api_key_is_forbidden_and_creates_nothing(open311, case_count, api_key, fmt):
    answer = open311.post(fmt, api_key=api_key, **GOOD)
    assert answer.status == 403
    errors = answer.data if fmt == "json" else xml_as_json(answer.data)
    assert [str(e["code"]) for e in errors] == ["403"] and "api_key" in errors[0]["description"]
    assert case_count() == 0


def test_a_bad_key_is_refused_before_the_report_is_checked(open311, case_count):
    answer = open311.post(api_key="hk_wrong", service_code="X9999")
    assert answer.status == 403 and case_count() == 0


def test_a_refusal_in_xml_is_an_errors_document(open311, case_count):
    answer = open311.post("xml", service_code="C0118")
    assert answer.status == 400
    assert answer.data.tag == "errors"
    assert [(e.findtext("code"), "location" in e.findtext("description")) for e in answer.data] == [("400", True)]
    assert case_count() == 0


def test_a_deactivated_key_is_forbidden(open311, app, case_count):
    from sqlalchemy import update

    from accounts.models import ApiKey
    from database import db
    with db.session_scope(app) as session:
        session.execute(update(ApiKey).values(active=False))
    assert open311.post(**GOOD).status == 403 and case_count() == 0


def test_an_unexpected_failure_answers_with_an_error_list_and_saves_nothing(open311, case_count, monkeypatch):
    from open311 import services

    def broken_receipt(case, config):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(services, "receipt_of", broken_receipt)
    answer = open311.post(**GOOD)
    assert answer.status == 500 and answer.error_codes == [500]
    assert "nothing was saved" in answer.descriptions and "fire" not in answer.descriptions
    assert case_count() == 0, "the case opened before the failure is rolled back"
