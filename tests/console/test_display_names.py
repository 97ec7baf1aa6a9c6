"""Display names given at ``user create`` are what the console calls people:
in the header, on the live board, in a case's history."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.models import User
from call_log.models import Call as CallRow
from database import db
from tests.support.factories import report, step
from wiring import services


@pytest.fixture
def named(app, users):
    """op1 and disp1 have display names; sup1 keeps none beyond the user name."""
    with db.session_scope(app) as session:
        for username, name in (("op1", "王芳"), ("disp1", "李强")):
            session.scalars(select(User).where(User.username == username)).one().display_name = name
    return users


def test_the_header_names_the_signed_in_person(client, sign_in, named):
    sign_in("op1")
    page = client.get("/console/").get_data(as_text=True)
    assert '<span class="who">王芳 ·' in page
    sign_in("sup1")
    assert '<span class="who">sup1 ·' in client.get("/console/").get_data(as_text=True)


def test_the_board_names_who_holds_a_taken_over_call(client, sign_in, named, new_call, own_session, clock):
    call = new_call(from_="+8613912345678")
    call.dial()
    row = own_session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one()
    row.operator, row.operator_joined_at = "op1", clock()
    own_session.commit()
    sign_in("sup1")
    [shown] = client.get("/console/board.json").get_json()["calls"]
    assert (shown["operator"], shown["operator_name"]) == ("op1", "王芳")


def test_case_history_names_console_users_and_keeps_other_actors(app, client, sign_in, named, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        case = report(session, config, clock(), caller="+8613812345678")
        step(session, config, case, "file", clock(), "dispatcher", actor="user:disp1")
        number = case.number
    sign_in("sup1")
    history = client.get(f"/console/cases/{number}").get_data(as_text=True).split('id="history"')[1]
    assert "李强" in history and "user:disp1" not in history
