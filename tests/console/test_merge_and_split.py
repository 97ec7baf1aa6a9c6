"""Merge (并单) and split on the case page: offered to the roles that may,
done through the same services as the API, and refused in words."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cases.models import Case
from database import db
from tests.console.conftest import csrf_token
from tests.support.factories import dispatched, report
from wiring import services


@pytest.fixture
def pair(app, clock):
    """A dispatched sewer case, and a second report of it filed a little way off."""
    config = services(app).config
    with db.session_scope(app) as session:
        target = dispatched(session, config, clock(), caller="+8613812345678")
        duplicate = report(session, config, clock(), location="海陵区海陵北路十八亩52号", caller="+8613900001111")
        return target.number, duplicate.number


def post(client, number: str, what: str, **fields):
    token = csrf_token(client, f"/console/cases/{number}")
    return client.post(f"/console/cases/{number}/{what}", data={**fields, "csrf_token": token},
                       follow_redirects=True)


def case(app, number: str) -> tuple[str, int, list[str]]:
    with db.session_scope(app) as session:
        found = session.scalars(select(Case).where(Case.number == number)).one()
        return found.status, len(found.complainants), [e.action for e in found.events]


def test_a_dispatcher_merges_a_duplicate_from_its_page(app, client, sign_in, pair):
    target, duplicate = pair
    sign_in("disp1")
    page = client.get(f"/console/cases/{duplicate}").get_data(as_text=True)
    assert 'id="merge"' in page and "并单" in page
    answer = post(client, duplicate, "merge", into=target, note="同一个下水道")
    text = answer.get_data(as_text=True)
    assert f"案件 {duplicate} 已并入案件 {target}" in text and f"案件 {target}" in text
    assert "重复案件并入" in text                                   # the target's history says so
    assert case(app, duplicate)[0] == "voided" and case(app, duplicate)[2][-1] == "void"
    status, complainants, actions = case(app, target)
    assert (status, complainants, actions[-1]) == ("dispatched", 2, "merged")
    history = client.get(f"/console/cases/{duplicate}").get_data(as_text=True)
    assert "作废" in history and "同一个下水道" in history and f"案件 {target}" in history


def test_a_refused_merge_says_why_and_changes_nothing(app, client, sign_in, pair):
    target, duplicate = pair
    sign_in("disp1")
    text = post(client, target, "merge", into=duplicate).get_data(as_text=True)
    assert "只有仍在中心手中的案件才能并单" in text and "须先由部门回退" in text
    assert "没有编号为 0000000000 的案件" in post(client, duplicate, "merge", into="0000000000").get_data(as_text=True)
    assert "案件不能并入它自己" in post(client, duplicate, "merge", into=duplicate).get_data(as_text=True)
    assert case(app, target)[0] == "dispatched" and case(app, duplicate)[0] == "intake"


def test_the_forms_are_offered_only_to_roles_that_may_use_them(client, sign_in, pair):
    target, duplicate = pair
    sign_in("op1")
    page = client.get(f"/console/cases/{duplicate}").get_data(as_text=True)
    assert 'id="merge"' not in page and 'id="split"' in page
    refused = post(client, duplicate, "merge", into=target).get_data(as_text=True)
    assert "不能并单或拆单" in refused


def test_an_operator_splits_a_second_problem_off(app, client, sign_in, pair):
    target, _ = pair
    sign_in("op1")
    text = post(client, target, "split", description="路口的路灯也不亮", category="C0118").get_data(as_text=True)
    assert "第二个问题已成为案件" in text and "拆出第二个问题" in text
    with db.session_scope(app) as session:
        new = session.scalars(select(Case).where(Case.category_code == "C0118")).one()
        assert (new.status, new.department_code, new.events[-1].action) == ("intake", "LIGHT", "split_from")
    same = post(client, target, "split", description="又堵了", category="E0404").get_data(as_text=True)
    assert "这是同一个问题" in same
