"""The supervisor's overdue list (督办) and hotspots: who may see them, what
they list, and *remind* and *mark as supervised* written in the case's
history, the audit log and (for a department with a system) the outbox."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from cases.models import Case, CaseEvent
from database import db
from notifications.models import OutboxMessage
from tests.console.conftest import csrf_token
from tests.support.factories import dispatched, report
from wiring import services


@pytest.fixture
def watched(app, clock):
    """Two DRAIN cases (blocked sewers, one working day each), one late and
    one due within the day, and a bus shelter reported now, due in two working
    days; the clock ends on Friday 2026-10-09 10:00 in Shanghai."""
    config = services(app).config
    numbers = {}
    with db.session_scope(app) as session:
        for name, moment, category, place in (("late", (2026, 10, 6, 10, 0), "E0404", "海陵区海陵北路1号"),
                                              ("soon", (2026, 10, 8, 14, 0), "E0404", "海陵区青年路88号"),
                                              ("far", (2026, 10, 9, 10, 0), "C0205", "海陵区东风路3号")):
            clock.set_local(*moment)
            numbers[name] = dispatched(session, config, clock(), category=category, location=place,
                                       caller="+8613812345678").number
    clock.set_local(2026, 10, 9, 10, 0)
    with db.session_scope(app) as session:
        due = dict(session.execute(select(Case.number, Case.due_at).where(Case.number.in_(numbers.values()))).all())
    now = clock()
    assert due[numbers["late"]] < now < due[numbers["soon"]] <= now + timedelta(hours=24) < due[numbers["far"]]
    return numbers


def remind(client, number: str, **fields):
    token = csrf_token(client, "/console/overdue/")
    return client.post(f"/console/overdue/{number}/remind", data={"csrf_token": token, **fields},
                       follow_redirects=True)


def test_the_overdue_page_lists_late_and_nearly_due_cases_by_department_in_the_centres_time(
        client, sign_in, watched):
    sign_in("sup1")
    response = client.get("/console/overdue/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>督办" in page and "市排水管理处" in page
    assert watched["late"] in page and watched["soon"] in page and watched["far"] not in page
    assert page.index(watched["late"]) < page.index(watched["soon"])        # soonest due first
    assert "前超时" not in page and "超时" in page and "剩余" in page      # late, and time left, in words


def test_reminding_notifies_the_department_through_the_outbox_and_shows_in_the_history(
        app, client, sign_in, watched, own_session):
    base = services(app).config
    drain = replace(base.departments["DRAIN"], notify_url="http://127.0.0.1:9/hotline-events", notify_secret="s")
    services(app).config = replace(base, departments={**base.departments, "DRAIN": drain})
    sign_in("sup1")
    page = remind(client, watched["late"], note="请今天处理完").get_data(as_text=True)
    assert "已提醒" in page

    message = own_session.scalars(select(OutboxMessage).where(OutboxMessage.event_type == "case.remind")).one()
    assert message.department_code == "DRAIN" and message.payload["case"]["number"] == watched["late"]
    assert message.payload["event"]["note"] == "请今天处理完"
    event = own_session.scalars(select(CaseEvent).where(CaseEvent.action == "remind")).one()
    assert event.actor == "user:sup1" and event.data["notified"] is True and event.data["late"] is True
    entry = own_session.scalars(select(AuditEntry).where(AuditEntry.action == "remind_department")).one()
    assert entry.target == watched["late"] and entry.detail == "DRAIN"
    own_session.close()

    history = client.get(f"/console/cases/{watched['late']}").get_data(as_text=True)
    assert "催办部门" in history and "请今天处理完" in history
    again = remind(client, watched["late"]).get_data(as_text=True)
    assert "几分钟前" in again                  # a second reminder at once is refused, in words


def test_a_department_without_a_system_is_reminded_by_phone_and_the_reminder_is_kept(
        client, sign_in, watched, own_session):
    sign_in("sup1")
    page = remind(client, watched["soon"]).get_data(as_text=True)
    assert "+8652386210002" in page                                          # DRAIN's duty line
    assert own_session.scalars(select(OutboxMessage).where(OutboxMessage.event_type == "case.remind")).all() == []
    event = own_session.scalars(select(CaseEvent).where(CaseEvent.action == "remind")).one()
    assert event.data["notified"] is False


def test_marking_a_case_as_supervised_is_audited_and_shown(client, sign_in, watched, own_session):
    sign_in("sup1")
    token = csrf_token(client, "/console/overdue/")
    page = client.post(f"/console/overdue/{watched['late']}/supervise", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "已督办" in page
    row = page[page.index(f'data-case="{watched["late"]}"'):]
    assert 'data-action="supervise"' not in row[:row.index("</tr>")]       # done: the button is gone
    assert own_session.scalars(select(AuditEntry).where(AuditEntry.action == "supervise_case")).one().target \
        == watched["late"]
    own_session.close()
    assert "标记为已督办" in client.get(f"/console/cases/{watched['late']}").get_data(as_text=True)


def test_an_unknown_case_or_one_whose_limit_is_not_running_is_refused_in_words(app, client, sign_in, watched,
                                                                              clock, own_session):
    with db.session_scope(app) as session:
        fresh = report(session, services(app).config, clock(), location="海陵区鼓楼路5号").number   # not filed yet
    sign_in("sup1")
    token = csrf_token(client, "/console/overdue/")
    page = client.post("/console/overdue/2610099999/supervise", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "没有案件 2610099999" in page
    page = client.post(f"/console/overdue/{fresh}/remind", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert f"案件 {fresh} 的处置时限未在计时" in page
    assert own_session.scalars(select(CaseEvent).where(CaseEvent.action.in_(("remind", "supervise")))).all() == []


@pytest.mark.parametrize("username", ["drain1", "op1", "disp1", "insp1"])
def test_only_supervisors_see_the_overdue_page_or_remind(client, sign_in, watched, username, own_session):
    sign_in(username)
    assert client.get("/console/overdue/").status_code == 403
    token = csrf_token(client, "/console/")
    assert client.post(f"/console/overdue/{watched['late']}/remind", data={"csrf_token": token}).status_code == 403
    assert own_session.scalars(select(CaseEvent).where(CaseEvent.action == "remind")).all() == []
    assert "/console/overdue/" not in client.get("/console/").get_data(as_text=True)


def test_the_supervisors_home_and_menu_lead_to_the_overdue_page_and_the_hotspots(client, sign_in, watched):
    sign_in("sup1")
    home = client.get("/console/").get_data(as_text=True)
    assert 'href="/console/overdue/"' in home and 'href="/console/hotspots/"' in home
    assert "1 件已超过处置时限" in home and "共 2 件已超时或一天内到期" in home     # the late and the nearly due


@pytest.fixture
def reported_again(app, clock):
    """The same blocked sewer reported four times over three weeks (one case
    and its repeat reports), and one report elsewhere."""
    config = services(app).config
    with db.session_scope(app) as session:
        for moment in ((2026, 9, 22, 9, 0), (2026, 9, 29, 9, 0), (2026, 10, 6, 9, 0), (2026, 10, 8, 9, 0)):
            clock.set_local(*moment)
            number = report(session, config, clock(), location="海陵区海陵北路十八亩50号",
                            description="下水道又堵了").number
        clock.set_local(2026, 10, 8, 11, 0)
        other = report(session, config, clock(), category="C0201", location="海陵区青年路12号",
                       description="路面有个大坑").number
    clock.set_local(2026, 10, 9, 10, 0)
    return number, other


def test_hotspots_show_the_place_reported_again_and_again_with_its_chain_and_a_weekly_chart(
        client, sign_in, reported_again):
    number, other = reported_again
    sign_in("sup1")
    page = client.get("/console/hotspots/").get_data(as_text=True)
    places = page[page.index('id="hotspot-places"'):page.index('id="hotspot-categories"')]
    assert "海陵北路十八亩50号" in places and number in places and "4 次反映" in places
    assert other not in places and "青年路" not in places                     # reported once
    assert page.count("<svg") == 2 and "每周反映次数" in page                  # places and categories
    assert "下水道堵塞" in page[page.index('id="hotspot-categories"'):]


@pytest.mark.parametrize("username, status", [("disp1", 200), ("drain1", 403), ("op1", 403), ("insp1", 403)])
def test_hotspots_are_for_supervisors_and_dispatchers(client, sign_in, users, username, status):
    sign_in(username)
    assert client.get("/console/hotspots/").status_code == status
