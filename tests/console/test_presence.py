"""An operator whose live board is open is on duty: the board reports in,
and the operator queue is sized by how many are."""
from __future__ import annotations

from datetime import timedelta

from operators.presence import operators_on_duty
from tests.console.conftest import csrf_token


def on_duty(app, clock) -> int:
    from database import db
    with db.session_scope(app) as session:
        return operators_on_duty(session, clock())


def test_an_open_board_puts_its_operator_on_duty(app, client, sign_in, clock):
    sign_in("op1")
    token = csrf_token(client, "/console/board")
    assert on_duty(app, clock) == 0
    assert client.post("/console/presence", headers={"X-CSRFToken": token}).status_code == 204
    assert on_duty(app, clock) == 1
    clock.moment += timedelta(minutes=3)
    assert on_duty(app, clock) == 0


def test_reporting_in_needs_the_csrf_token_and_an_answering_role(app, client, sign_in, clock):
    sign_in("op1")
    assert client.post("/console/presence").status_code == 400
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/board")})
    sign_in("drain1")
    assert client.post("/console/presence", headers={"X-CSRFToken": csrf_token(client, "/console/")}).status_code \
        == 403
    assert on_duty(app, clock) == 0
