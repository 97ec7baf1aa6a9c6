"""The JSON answers validate against the spec's own JSON Schemas, read from
../shared/open311/.  Without that folder these tests skip and say why."""
from __future__ import annotations

from datetime import date

from tests.open311.conftest import step


def test_the_service_list_and_each_service_validate(open311, schemas):
    services = open311.get("services").data
    schemas.validate("services.json", services)
    for service in services:
        schemas.validate("service.json", service)


def test_requests_in_every_state_validate(open311, app, clock, schemas):
    urgent = open311.report(service_code="C0101", address_string="海陵区西仓路银春旅馆门前", lat="32.4551",
                            long="119.923", media_url="https://photos.example.org/cover.jpg")
    bare = open311.report(service_code="E0102", address_string=None, address_id="545483", description=None,
                          phone=None)
    voided = open311.report(service_code="E0503", address_string="高港区通江路9号")
    step(app, clock, voided, "void", "supervisor", reason="prank")
    suspended = open311.report(service_code="C0201", address_string="海陵北路十八亩50号")
    step(app, clock, suspended, "suspend", "supervisor", reason="该区域将拆迁", review_date=date(2026, 12, 1))
    closed = open311.report()
    for action, role, details in (("file", "operator", {}), ("dispatch", "dispatcher", {}),
                                  ("claim", "department", {}), ("dispose", "department", {"note": "换了灯泡"}),
                                  ("close", "inspector", {})):
        step(app, clock, closed, action, role, **details)

    listed = open311.get("requests").data
    assert len(listed) == 5
    schemas.validate("requests.json", listed)
    for number in (urgent, bare, voided, suspended, closed):
        one = open311.get(f"requests/{number}").data
        schemas.validate("requests.json", one)
        schemas.validate("request.json", one[0])
    assert {r["status"] for r in listed} == {"open", "closed"}


def test_an_empty_list_validates(open311, schemas):
    schemas.validate("requests.json", open311.get("requests", status="closed").data)
