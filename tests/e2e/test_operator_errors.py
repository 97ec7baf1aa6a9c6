"""An operator acts on a call the caller has just left, through the local
carrier: Twilio (and the carrier) answer ``calls(sid).update`` with 400
21220, and the operator reads 「来电人已挂机」 instead of an error page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from accounts.services import create_user
from call_log.models import Call as CallRow
from carrier import ScriptedParty, hang_up, say
from database import db
from tests.carrier.support import finished
from tests.support.caller import URBAN

CITIZEN = "+8613912345678"
PASSWORD = "operator password 1"


@pytest.fixture
def console(service):
    with db.session_scope(service.app) as session:
        create_user(session, "wang", PASSWORD, "operator", device="client:operator", hash_method="pbkdf2:sha256:1000")
    client = service.app.test_client()
    client.post("/console/login", data={"username": "wang", "password": PASSWORD,
                                        "csrf_token": _token(client, "/console/login")})
    return client


def _token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def hung_up(service) -> str:
    """A caller who spoke and hung up; the call log has not yet heard the
    final status callback (Twilio's may take a while), so the board still
    shows the call as live."""
    call = finished(service.carrier.call_in(ScriptedParty(CITIZEN, say("路灯不亮"), hang_up()), URBAN), timeout=120)
    with db.session_scope(service.app) as session:
        row = session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one()
        row.status, row.ended_at = "in-progress", None
    return call.sid


def test_taking_over_a_call_the_caller_left_says_the_caller_hung_up(service, console, hung_up):
    response = console.post(f"/console/calls/{hung_up}/takeover",
                            data={"csrf_token": _token(console, "/console/board")}, follow_redirects=True)
    assert response.status_code == 200
    assert "来电人已挂机" in response.get_data(as_text=True)
    with db.session_scope(service.app) as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "takeover")).all() == []
        assert session.scalars(select(CallRow.operator).where(CallRow.call_sid == hung_up)).one() is None


def test_transferring_a_call_the_caller_left_says_the_caller_hung_up(service, console, hung_up):
    response = console.post(f"/console/calls/{hung_up}/transfer", follow_redirects=True, data={
        "csrf_token": _token(console, f"/console/calls/{hung_up}/case"), "department": "WATER"})
    assert response.status_code == 200
    assert "来电人已挂机" in response.get_data(as_text=True)
    with db.session_scope(service.app) as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "transfer")).all() == []
