"""Whole phone numbers through the API: shown only on a single case, only to
the roles that call complainants back, and every time with an audit entry;
every list masks them, inside free text too (docs/api.md)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from database import db

WORDS = "下水道堵了，请回电13912345678或一三七零零零零一一一一"
PLACE = "海陵区鼓楼南路88号，门卫电话0523-88012319"


@pytest.fixture
def number(cases):
    return cases.report(description=WORDS, location=PLACE)


def audits(app) -> list[tuple[str, str, str, str]]:
    with db.session_scope(app) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(a.actor, a.action, a.target, a.detail) for a in entries]


@pytest.mark.parametrize("role", ["operator", "dispatcher", "supervisor", "admin"])
def test_a_list_masks_numbers_in_free_text_for_everyone(api_as, number, role, app):
    [item] = api_as(role).get("/cases").json["items"]
    assert item["description"] == "下水道堵了，请回电*******5678或*******1111"
    assert item["location"] == "海陵区鼓楼南路88号，门卫电话********2319"
    assert item["caller"] == "+86*******5678"
    assert audits(app) == []


def test_whole_numbers_on_a_single_case_leave_an_audit_entry(api_as, number, app):
    answer = api_as("dispatcher").get(f"/cases/{number}")
    assert answer.json["caller"] == "+8613812345678" and answer.json["description"] == WORDS
    assert audits(app) == [("api:dispatcher", "view_number", number, "api")]


def test_a_step_that_answers_with_whole_numbers_is_audited_too(api_as, number, app):
    assert api_as("dispatcher").step(number, "file").status == 200
    assert audits(app) == [("api:dispatcher", "view_number", number, "api")]


def test_department_staff_see_a_case_masked_and_leave_no_entry(api_as, cases, app):
    number = cases.report(description=WORDS, location=PLACE, status="dispatched")
    answer = api_as("department", "DRAIN").get(f"/cases/{number}")
    assert answer.status == 200
    assert answer.json["caller"] == "+86*******5678"
    assert answer.json["description"] == "下水道堵了，请回电*******5678或*******1111"
    assert audits(app) == []


def test_the_history_masks_numbers_in_notes(api_as, cases):
    number = cases.report(description=WORDS, location=PLACE, status="filed")
    api_as("supervisor").step(number, "suspend", reason="来电人13912345678要求暂缓", review_date="2027-01-15")
    events = api_as("dispatcher").get(f"/cases/{number}/events").json["items"]
    assert "13912345678" not in str(events)
    assert any("*******5678" in (event["note"] or "") for event in events)


def test_a_case_without_numbers_leaves_no_entry(api_as, cases, app):
    number = cases.report(phone=None, description="下水道堵了", location="海陵区鼓楼南路88号")
    assert api_as("dispatcher").get(f"/cases/{number}").status == 200
    assert audits(app) == []


def test_numbers_nested_in_an_events_data_are_masked(api_as, cases, app, clock):
    from cases.models import CaseEvent
    from cases.services import find_case
    number = cases.report()
    with db.session_scope(app) as session:
        case = find_case(session, number)
        case.events.append(CaseEvent(
            at=clock(), actor="user:op1", role="operator", action="edit", from_status="intake", to_status="intake",
            data={"callback_number": {"from": "+8613912345678", "to": "+8613512345678"}}))
    events = api_as("supervisor").get(f"/cases/{number}/events").json["items"]
    assert events[-1]["data"] == {"callback_number": {"from": "+86*******5678", "to": "+86*******5678"}}
