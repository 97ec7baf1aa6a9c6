"""Each role's start page: the dispatcher's lists, the department's queue
with its steps, and the cases a person last worked on."""
from __future__ import annotations

import re

from sqlalchemy import select

from cases.models import Case
from database import db
from tests.console.conftest import csrf_token
from tests.support.factories import dispatched, report, step
from wiring import services


def section(page: str, table_id: str) -> str:
    return re.search(rf'<table id="{table_id}".*?</table>', page, re.S).group(0)


def test_the_dispatcher_s_home_lists_what_to_file_and_what_to_dispatch(app, client, sign_in, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        to_file = report(session, config, clock()).number
        to_dispatch = report(session, config, clock(), category="C0201", location="海陵区青年路12号",
                             description="路面有个大坑").number
        step(session, config, session.scalars(select(Case).where(Case.number == to_dispatch)).one(), "file",
             clock(), "dispatcher")
    sign_in("disp1")
    page = client.get("/console/").get_data(as_text=True)
    assert to_file in section(page, "to-file") and to_dispatch not in section(page, "to-file")
    assert to_dispatch in section(page, "to-dispatch") and "待立案" in page and "待派遣" in page
    assert "没有等待人工处理的来电者。" in section(page, "needs-person")


def test_the_department_s_home_is_its_queue_with_claim_dispose_and_return(app, client, sign_in, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        ours = dispatched(session, config, clock()).number
        theirs = dispatched(session, config, clock(), category="C0201", location="海陵区青年路12号",
                            description="路面有个大坑").number
    sign_in("drain1")
    page = client.get("/console/").get_data(as_text=True)
    queue = section(page, "queue")
    assert ours in queue and theirs not in page and 'data-action="claim"' in queue
    client.post(f"/console/cases/{ours}/steps", data={"action": "claim", "csrf_token": csrf_token(client, "/console/")})
    client.post(f"/console/cases/{ours}/steps", data={"action": "dispose", "note": "已疏通",
                                                       "csrf_token": csrf_token(client, "/console/")})
    with db.session_scope(app) as session:
        assert session.scalars(select(Case.status).where(Case.number == ours)).one() == "disposed"
    page = client.get("/console/").get_data(as_text=True)
    assert ours not in section(page, "queue") and ours in section(page, "recent")
