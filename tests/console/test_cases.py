"""The case workbench: the list with its filters and search, each case's page,
the steps a role may take there, and department staff kept to their own cases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from accounts.services import create_api_key
from cases.models import Case
from database import db
from tests.console.conftest import csrf_token
from tests.support.factories import dispatched, report, step
from understanding.models import TrainingExample
from wiring import services


@pytest.fixture
def sewer(app, clock):
    """A blocked sewer reported and filed, waiting for dispatch (DRAIN's category)."""
    config = services(app).config
    with db.session_scope(app) as session:
        case = report(session, config, clock(), caller="+8613812345678")
        step(session, config, case, "file", clock(), "dispatcher")
        return case.number


@pytest.fixture
def pothole(app, clock):
    """Another department's case (ROADS), dispatched."""
    config = services(app).config
    with db.session_scope(app) as session:
        return dispatched(session, config, clock(), category="C0201", location="海陵区青年路12号",
                          description="路面有个大坑", caller="+8613900001111").number


def take(client, number: str, **fields):
    token = csrf_token(client, f"/console/cases/{number}")
    return client.post(f"/console/cases/{number}/steps", data={**fields, "csrf_token": token},
                       follow_redirects=True)


def status_of(app, number: str) -> str:
    with db.session_scope(app) as session:
        return session.scalars(select(Case.status).where(Case.number == number)).one()


def test_the_list_finds_a_case_by_number_words_or_the_last_digits_of_a_phone(client, sign_in, sewer, pothole):
    sign_in("disp1")
    for q in (sewer, "下水道", "十八亩", "5678"):
        page = client.get("/console/cases/", query_string={"q": q}).get_data(as_text=True)
        assert sewer in page and pothole not in page, q
    page = client.get("/console/cases/").get_data(as_text=True)
    assert sewer in page and pothole in page and "共 2 件" in page


def test_the_list_filters_by_status_department_category_and_date(client, sign_in, sewer, pothole):
    sign_in("disp1")

    def found(**args):
        page = client.get("/console/cases/", query_string=args).get_data(as_text=True)
        return {n for n in (sewer, pothole) if n in page}
    assert found(status="filed") == {sewer}
    assert found(department="ROADS") == {pothole}
    assert found(category="E0404") == {sewer}
    assert found(line="urban", channel="hotline", sort="due") == {sewer, pothole}
    assert found(**{"from": "2026-10-09", "to": "2026-10-09"}) == {sewer, pothole}
    assert found(**{"from": "2026-10-10"}) == set()
    assert found(overdue="1") == set() and found(needs_person="1") == set()


def test_department_staff_list_only_their_own_cases_and_get_404_for_another(client, sign_in, sewer, pothole):
    sign_in("drain1")
    page = client.get("/console/cases/").get_data(as_text=True)
    assert pothole not in page
    assert client.get(f"/console/cases/{pothole}").status_code == 404
    assert client.get("/console/cases/", query_string={"department": "ROADS"}).status_code == 404
    response = client.post(f"/console/cases/{pothole}/steps",
                           data={"action": "claim", "csrf_token": csrf_token(client, "/console/cases/")})
    assert response.status_code == 404


def test_the_case_page_shows_facts_masked_complainants_and_history_in_chinese(client, sign_in, sewer):
    sign_in("disp1")
    page = client.get(f"/console/cases/{sewer}").get_data(as_text=True)
    assert "下水道堵塞" in page and "海陵区海陵北路十八亩50号" in page and "已立案" in page
    assert "+86*******5678" in page and "+8613812345678" not in page
    assert "2026-10-09 10:00" in page                     # the centre's time, with the date
    assert 'data-action="dispatch"' in page and 'data-action="claim"' not in page


def test_showing_the_whole_number_takes_a_reason_and_is_audited(client, sign_in, sewer, own_session):
    sign_in("sup1")
    token = csrf_token(client, f"/console/cases/{sewer}")
    refused = client.post(f"/console/cases/{sewer}/numbers", data={"csrf_token": token, "reason": " "},
                          follow_redirects=True).get_data(as_text=True)
    assert "+8613812345678" not in refused
    page = client.post(f"/console/cases/{sewer}/numbers", data={"csrf_token": token, "reason": "回访核实"})
    assert "+8613812345678" in page.get_data(as_text=True)
    entry = own_session.scalars(select(AuditEntry).where(AuditEntry.action == "view_number")).one()
    assert entry.target == sewer and "回访核实" in entry.detail and entry.actor == "user:sup1"


@pytest.mark.parametrize("username, role, department", [
    ("op1", "operator", None), ("disp1", "dispatcher", None), ("sup1", "supervisor", None),
    ("drain1", "department", "DRAIN"), ("insp1", "inspector", None)])
def test_the_console_and_the_api_show_the_whole_number_to_the_same_roles(
        app, client, sign_in, sewer, username, role, department):
    with db.session_scope(app) as session:
        _, key = create_api_key(session, f"{role}-desk", role, department)
    api = client.get(f"/api/v1/cases/{sewer}", headers={"Authorization": f"Bearer {key}"}).get_json()
    api_shows = api["complainants"][0]["phone"] == "+8613812345678"

    sign_in(username)
    token = csrf_token(client, f"/console/cases/{sewer}")
    answer = client.post(f"/console/cases/{sewer}/numbers", data={"csrf_token": token, "reason": "回访核实"})
    console_shows = answer.status_code == 200 and "+8613812345678" in answer.get_data(as_text=True)
    assert console_shows == api_shows == (role in ("operator", "dispatcher", "supervisor"))
    if not console_shows:
        assert answer.status_code == 403


def test_dispatcher_dispatches_and_the_department_claims_and_disposes(app, client, sign_in, sewer):
    sign_in("disp1")
    page = take(client, sewer, action="dispatch", department="DRAIN").get_data(as_text=True)
    assert "已派遣" in page and status_of(app, sewer) == "dispatched"
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    sign_in("drain1")
    assert "处理中" in take(client, sewer, action="claim").get_data(as_text=True)
    assert status_of(app, sewer) == "handling"
    refused = take(client, sewer, action="dispose", note=" ").get_data(as_text=True)
    assert "请填写说明" in refused and status_of(app, sewer) == "handling"
    take(client, sewer, action="dispose", note="已疏通")
    assert status_of(app, sewer) == "disposed"


def test_a_department_returns_a_case_with_a_reason(app, client, sign_in, sewer):
    sign_in("disp1")
    take(client, sewer, action="dispatch", department="DRAIN")
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    sign_in("drain1")
    take(client, sewer, action="return", reason="不属于本部门")
    assert status_of(app, sewer) == "returned"


def test_a_refused_step_says_why_in_words(app, client, sign_in, sewer):
    sign_in("disp1")
    page = take(client, sewer, action="void", reason="prank").get_data(as_text=True)
    assert "您的角色（派遣员）不能作废此案件" in page and status_of(app, sewer) == "filed"
    sign_in("disp1", language="en_US")
    page = take(client, sewer, action="claim").get_data(as_text=True)
    assert "“claim” is not possible while the case is filed." in page


def test_supervisor_suspends_with_a_review_date_voids_and_reopens(app, client, sign_in, sewer, pothole):
    sign_in("sup1")
    assert "请填写复查日期" in take(client, sewer, action="suspend", reason="待拆迁").get_data(as_text=True)
    take(client, sewer, action="suspend", reason="待拆迁", review_date="2026-11-01")
    assert status_of(app, sewer) == "suspended"
    take(client, sewer, action="void", reason="duplicate")
    assert status_of(app, sewer) == "voided"
    config = services(app).config
    with db.session_scope(app) as session:
        case = session.scalars(select(Case).where(Case.number == pothole)).one()
        for action, role, details in (("claim", "department", {}), ("dispose", "department", {"note": "已修补"}),
                                      ("close", "inspector", {})):
            step(session, config, case, action, services(app).now(), role, **details)
    take(client, pothole, action="reopen", reason="市民反映仍有坑")
    assert status_of(app, pothole) == "verifying"


def test_correcting_the_category_teaches_the_classifier(app, client, sign_in, sewer, own_session):
    sign_in("disp1")
    take(client, sewer, action="recategorise", category="E0405")
    case = own_session.scalars(select(Case).where(Case.number == sewer)).one()
    assert case.category_code == "E0405"
    example = own_session.scalars(select(TrainingExample).where(TrainingExample.source == "correction")).one()
    assert example.category_code == "E0405"


def test_an_inspector_verifies_and_files(app, client, sign_in, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        number = report(session, config, clock(), category="C0101", location="海陵区西仓路银春旅馆门前",
                        description="两个上水井盖丢失").number
    assert status_of(app, number) == "verifying"
    sign_in("insp1")
    take(client, number, action="file")
    assert status_of(app, number) == "filed"


def test_the_lists_page_and_sort(app, client, sign_in, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        # No place: no report is taken for a repeat of another.
        numbers = [report(session, config, clock(), location=None, description=f"第{i}处下水道堵了", caller=None).number
                   for i in range(27)]
    sign_in("disp1")
    first = client.get("/console/cases/", query_string={"sort": "oldest"}).get_data(as_text=True)
    second = client.get("/console/cases/", query_string={"sort": "oldest", "page": 2}).get_data(as_text=True)
    assert numbers[0] in first and numbers[26] not in first and numbers[26] in second
    assert "第 2 / 2 页" in second


def test_a_called_in_case_shows_each_answer_before_the_hotline_s_reply_with_steps_in_chinese(
        app, client, sign_in, new_call):
    call = new_call()
    call.dial()
    call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    call.press("1")
    with db.session_scope(app) as session:
        number = session.scalars(select(Case.number)).one()
    sign_in("disp1")
    page = client.get(f"/console/cases/{number}").get_data(as_text=True)
    said, confirmation = page.index("“西仓路银春旅馆门前有两个上水井盖丢失”"), page.index("对吗")
    assert said < confirmation, "the caller's words come before the hotline's reply to them"
    assert "确认类别" in page and "confirm_category" not in page and "callback_change_offer" not in page
