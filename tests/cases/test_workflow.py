"""The workflow service records each step: event, clock, tasks, queue."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cases.inspections import TaskError, open_tasks, report_result
from cases.lifecycle import IllegalTransition, ReviewDateRequired, RoleNotAllowed
from cases.models import Case, CaseEvent
from cases.workflow import flag_overdue
from dispatch.services import NotInQueue, claim, claim_next, queue
from tests.support.factories import dispatched, report, step
from wiring import services


@pytest.fixture
def config(app):
    return services(app).config


def test_filing_starts_the_clock_on_the_department_calendar(session, config, clock):
    case = report(session, config, clock(), category="E0404")          # blocked sewer: 1 working day
    assert case.status == "intake" and case.due_at is None
    step(session, config, case, "file", clock(), "dispatcher")
    assert case.clock_started_at == clock()
    # One working day is 12 hours of DRAIN's 08:00-20:00 shifts: Friday 10:00
    # to 20:00 is ten, Saturday 08:00 to 10:00 the other two.
    assert case.due_at == clock() + timedelta(days=1)
    filing = case.events[-1]
    assert filing.action == "file" and filing.data["due_at"] == case.due_at.isoformat()


def test_dispatch_without_a_department_uses_routing(session, config, clock):
    case = dispatched(session, config, clock(), category="E0503", location="高港区口岸老街")
    assert case.status == "dispatched" and case.department_code == "GAOGANG"
    assert case.events[-1].department_code == "GAOGANG"


def test_refused_step_changes_nothing(session, config, clock):
    case = report(session, config, clock())
    events = len(case.events)
    with pytest.raises(RoleNotAllowed):
        step(session, config, case, "suspend", clock(), "dispatcher", reason="拆迁", review_date=date(2026, 12, 1))
    with pytest.raises(ReviewDateRequired):
        step(session, config, case, "suspend", clock(), "supervisor", reason="拆迁")
    with pytest.raises(IllegalTransition):
        step(session, config, case, "close", clock(), "inspector")
    assert case.status == "intake" and len(case.events) == events


def test_queue_orders_by_priority_then_due_time(session, config, clock):
    later = dispatched(session, config, clock(), category="E0404", location="凤凰路1号")
    urgent = dispatched(session, config, clock(), category="E0405", location="凤凰路2号")   # flooded road
    assert [c.number for c in queue(session, "DRAIN")] == [urgent.number, later.number]


def test_claim_next_takes_the_top_case_and_then_the_next(session, config, clock):
    first = dispatched(session, config, clock(), location="东风路1号")
    second = dispatched(session, config, clock(), location="东风路9号")
    assert claim_next(session, config, "DRAIN", "drain-staff", clock()).number == first.number
    assert claim_next(session, config, "DRAIN", "drain-staff", clock()).number == second.number
    assert claim_next(session, config, "DRAIN", "drain-staff", clock()) is None
    assert first.status == "handling" and first.claimed_by == "drain-staff"


def test_claiming_another_departments_case_is_refused(session, config, clock):
    case = dispatched(session, config, clock())
    with pytest.raises(NotInQueue):
        claim(session, config, case.number, "WATER", "water-staff", clock())


def test_return_then_redispatch_goes_elsewhere_or_asks_a_person(session, config, clock):
    case = dispatched(session, config, clock(), category="E0503", location="高港区口岸老街")
    step(session, config, case, "return", clock(), "department", reason="not our district")
    assert case.status == "returned"
    step(session, config, case, "dispatch", clock(), "dispatcher")
    assert case.department_code == "ENFORCE"           # the category's own department
    redispatch = case.events[-1]
    assert redispatch.data["redispatch"] is True and redispatch.data["previous_department"] == "GAOGANG"


def test_disposal_creates_a_check_and_a_passed_check_closes(session, config, clock):
    case = dispatched(session, config, clock())
    step(session, config, case, "claim", clock(), "department")
    step(session, config, case, "dispose", clock(), "department", note="疏通完毕")
    [task] = [t for t in open_tasks(session, "check") if t.case_id == case.id]
    report_result(session, config, task.id, "passed", "inspector-9", clock(), note="现场已通畅")
    assert case.status == "closed" and task.status == "done" and task.result == "passed"


def test_failed_check_sends_it_back_for_rework(session, config, clock):
    case = dispatched(session, config, clock())
    step(session, config, case, "dispose", clock(), "department", note="done")
    task = open_tasks(session, "check")[0]
    report_result(session, config, task.id, "failed", "inspector-9", clock(), note="仍然堵塞")
    assert case.status == "dispatched" and case.department_code == "DRAIN"
    with pytest.raises(TaskError):
        report_result(session, config, task.id, "passed", "inspector-9", clock())


def test_urgent_report_sends_an_inspector_and_a_false_report_awaits_a_supervisor(session, config, clock):
    case = report(session, config, clock(), category="C0101", location="西仓路银春旅馆门前")
    assert case.status == "verifying"
    task = open_tasks(session, "verify")[0]
    report_result(session, config, task.id, "not_found", "inspector-3", clock(), note="井盖完好")
    assert case.status == "verifying" and task.status == "done"
    assert "supervisor" in case.status_reason
    step(session, config, case, "void", clock(), "supervisor", reason="no_such_problem")
    assert case.status == "voided"


def test_repeat_report_of_an_open_case_attaches_the_complainant(session, config, clock):
    case = dispatched(session, config, clock(), location="海陵区海陵北路十八亩50号")
    again = report(session, config, clock() + timedelta(days=2), location="海陵北路十八亩五十号门前",
                   caller="+8613900000009")
    assert again.number == case.number
    assert [c.phone_e164 for c in case.complainants] == ["+8613812345678", "+8613900000009"]
    assert case.status == "dispatched" and case.events[-1].action == "repeat_report"
    assert len(session.scalars(select(Case)).all()) == 1


def test_repeat_report_of_a_suspended_case_sends_it_to_verification(session, config, clock):
    case = dispatched(session, config, clock(), location="海陵北路十八亩50号")
    step(session, config, case, "suspend", clock(), "supervisor", reason="该区域即将拆迁",
         review_date=date(2027, 1, 31))
    report(session, config, clock() + timedelta(days=120), location="海陵区海陵北路十八亩五十号",
           caller="+8613900000009")
    assert case.status == "verifying" and case.review_date is None
    assert [t.kind for t in case.tasks if t.status == "open"] == ["verify"]


def test_repeat_report_of_a_recently_closed_case_reopens_it(session, config, clock):
    case = dispatched(session, config, clock(), location="东进西路12号")
    step(session, config, case, "dispose", clock(), "department", note="done")
    step(session, config, case, "close", clock(), "supervisor")
    report(session, config, clock() + timedelta(days=5), location="东进西路12号", caller="+8613900000009")
    assert case.status == "verifying" and case.events[-1].action == "reopen"


def test_a_different_house_number_is_a_new_case(session, config, clock):
    case = dispatched(session, config, clock(), location="东进西路12号")
    other = report(session, config, clock(), location="东进西路14号")
    assert other.number != case.number


def test_overdue_cases_are_flagged_once(app, session, config, clock):
    case = dispatched(session, config, clock())
    session.commit()
    assert flag_overdue(session, clock()) == []
    later = clock() + timedelta(days=3)
    assert [c.number for c in flag_overdue(session, later)] == [case.number]
    assert flag_overdue(session, later) == []
    assert session.scalars(select(CaseEvent).where(CaseEvent.action == "overdue")).one().case_id == case.id


def test_overdue_command_reports_what_it_flagged(app, session, config, clock):
    case = dispatched(session, config, clock())
    session.commit()
    clock.moment = clock() + timedelta(days=3)
    result = app.test_cli_runner().invoke(args=["case", "overdue"])
    assert result.exit_code == 0 and case.number in result.output and "1 case(s) flagged" in result.output
