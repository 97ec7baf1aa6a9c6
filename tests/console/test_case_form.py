"""The operator's case form: saving twice changes nothing the second time; a
call that repeats an earlier case joins it and the operator is told so; past
intake the form cannot change a case behind its workflow's back."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cases.models import Case, CaseEvent
from database import db
from tests.console.conftest import csrf_token
from tests.support.factories import report, step
from wiring import services

PLACE = "海陵区西仓路银春旅馆门前"


@pytest.fixture
def live_call(new_call):
    call = new_call(from_="+8613912345678")
    call.dial()
    call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    return call


@pytest.fixture
def form(client, sign_in, live_call):
    """The prefilled form, as the operator would post it back, and a way to post it."""
    sign_in("op1")
    page = client.get(f"/console/calls/{live_call.sid}/case").get_data(as_text=True)
    category = re.search(r'value="([^"]+)" selected', page).group(1)
    fields = {"description": "西仓路银春旅馆门前两个上水井盖丢失", "location": PLACE, "category_code": category,
              "callback_number": "13912345678"}

    def post(**changes):
        path = f"/console/calls/{live_call.sid}/case"
        return client.post(path, data={"csrf_token": csrf_token(client, path), **fields, **changes},
                           follow_redirects=True)
    post.fields = fields
    return post


def one_case(app) -> Case:
    with db.session_scope(app) as session:
        case = session.scalars(select(Case)).one()
        session.expunge_all()
        return case


def test_saving_the_form_twice_adds_no_second_complainant(app, form):
    form()
    again = form()
    assert again.status_code == 200
    with db.session_scope(app) as session:
        case = session.scalars(select(Case)).one()
        assert len(case.complainants) == 1
        assert [e.action for e in case.events].count("verify") == 1


@pytest.fixture
def closed_earlier(app, clock, form):
    """The same covers reported and fixed last week: a case closed within the repeat window."""
    config = services(app).config
    with db.session_scope(app) as session:
        case = report(session, config, clock(), category=form.fields["category_code"], location=PLACE,
                      caller="+8613700001111", description="上水井盖丢失")
        for action, role, details in (("file", "inspector", {}), ("dispatch", "dispatcher", {}),
                                      ("claim", "department", {}), ("dispose", "department", {"note": "已补装"}),
                                      ("close", "inspector", {})):
            step(session, config, case, action, clock(), role, **details)
        return case.number


def test_a_call_that_repeats_a_closed_case_joins_it_and_the_operator_is_told(app, form, closed_earlier):
    answer = form().get_data(as_text=True)
    assert f"已并入案件 {closed_earlier} 并重新办理" in answer
    with db.session_scope(app) as session:
        [case] = session.scalars(select(Case)).all()
        assert case.number == closed_earlier and case.status == "verifying"
        assert [c.phone_e164 for c in case.complainants] == ["+8613700001111", "+8613912345678"]


def test_saving_a_joined_case_again_adds_no_second_complainant(app, form, closed_earlier):
    form()
    second = form().get_data(as_text=True)
    assert f"已并入案件 {closed_earlier}" in second
    with db.session_scope(app) as session:
        case = session.scalars(select(Case)).one()
        assert len(case.complainants) == 2
        assert [e.action for e in case.events].count("repeat_report") == 1


def test_a_joined_call_may_correct_its_own_callback_number_audited(app, form, closed_earlier):
    form()
    form(callback_number="13512345678")
    with db.session_scope(app) as session:
        case = session.scalars(select(Case)).one()
        assert [c.callback_number for c in case.complainants] == ["+8613700001111", "+8613512345678"]
        [edit] = [e for e in case.events if e.action == "edit"]
        assert edit.data == {"callback_number": {"from": "+8613912345678", "to": "+8613512345678"}}


def test_the_form_of_a_joined_call_shows_this_callers_number_not_the_first_reporters(client, form, closed_earlier,
                                                                                    live_call):
    form()
    page = client.get(f"/console/calls/{live_call.sid}/case").get_data(as_text=True)
    assert "13912345678" in page and "13700001111" not in page


def test_past_intake_the_form_cannot_change_the_case(app, form):
    form()                                      # filed (verifying: the covers are urgent)
    before = one_case(app)
    assert before.status == "verifying"
    refused = form(location="海陵区另一条路1号", description="改过的描述").get_data(as_text=True)
    assert "不能在此修改地点、问题描述" in refused or "不能在此修改问题描述、地点" in refused
    assert "past intake" in refused
    after = one_case(app)
    assert (after.location_text, after.description) == (before.location_text, before.description)


def test_at_intake_corrections_are_an_audited_event(app, clock, form, live_call):
    """A case the IVR left at intake (a keypad caller, say), corrected by the operator before filing."""
    form()
    with db.session_scope(app) as session:
        case = session.scalars(select(Case)).one()
        case.status = "intake"                 # as if the IVR had stopped at intake
        session.add(case)
    form(location="海陵区西仓路银春旅馆北门")
    with db.session_scope(app) as session:
        [edit] = session.scalars(select(CaseEvent).where(CaseEvent.action == "edit")).all()
        assert edit.actor == "user:op1"
        assert edit.data["location_text"] == {"from": PLACE, "to": "海陵区西仓路银春旅馆北门"}


def test_a_nul_in_the_form_is_refused_in_chinese_and_english_and_changes_nothing(app, client, form, live_call):
    path = f"/console/calls/{live_call.sid}/case"
    answer = client.post(path, data={"csrf_token": csrf_token(client, path), **form.fields, "location": "西仓路\x00"})
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "请求含有空字符" in text and "location holds control characters (NUL)" in text
    with db.session_scope(app) as session:
        assert session.scalars(select(Case)).all() == []


def test_an_operator_who_files_another_category_than_the_ivr_understood_teaches_the_classifier(app, form):
    from understanding.models import TrainingExample
    assert form.fields["category_code"] == "C0101"          # what the IVR understood
    form(category_code="C0111", description="西仓路银春旅馆门前两个燃气井盖丢失")
    with db.session_scope(app) as session:
        example = session.scalars(select(TrainingExample)).one()
        assert (example.category_code, example.source) == ("C0111", "correction")
        assert example.actor == "user:op1"


def test_filing_the_category_the_ivr_understood_is_a_confirmation(app, form):
    from understanding.models import TrainingExample
    form()
    with db.session_scope(app) as session:
        example = session.scalars(select(TrainingExample)).one()
        assert (example.category_code, example.source) == ("C0101", "confirmation")


def transfer_choice(page: str) -> str | None:
    """The department chosen at first in the transfer form's list."""
    options = re.search(r'<select name="department">(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option value="([^"]+)" selected', options)
    return chosen.group(1) if chosen else None


def test_the_transfer_list_starts_at_the_department_of_the_case_category(client, form, live_call):
    config = services(client.application).config
    # C0102 (sewage manhole cover) is the drainage office's, not the first department on the list.
    assert config.categories["C0102"].department == "DRAIN" != next(iter(config.departments))
    form(category_code="C0102")
    page = client.get(f"/console/calls/{live_call.sid}/case").get_data(as_text=True)
    assert transfer_choice(page) == "DRAIN"
