"""Sign-in is throttled per user name and per address: after too many wrong
passwords the name (or the address) is locked out for a while, the right
password does not help meanwhile, and the audit log says so."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import AuditEntry, SignInFailure
from tests.console.conftest import PASSWORD, csrf_token


@pytest.fixture
def attempt(client, users):
    def post(username: str, password: str, address: str = "203.0.113.7"):
        token = csrf_token(client)
        return client.post("/console/login", data={"username": username, "password": password, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address})
    return post


def test_five_wrong_passwords_lock_the_user_out_with_an_audit_entry(attempt, own_session, client):
    answers = [attempt("op1", f"wrong password {n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    locked = attempt("op1", PASSWORD)
    assert locked.status_code == 429 and "密码错误次数过多" in locked.get_data(as_text=True)
    assert 'name="username" autocomplete="username" value="op1"' in locked.get_data(as_text=True)
    assert client.get("/console/").status_code == 302
    [entry] = own_session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.target, entry.role) == ("sign_in_locked", "user:op1", "system")
    assert entry.data["address"] == "203.0.113.7"


def test_fifty_wrong_passwords_are_not_all_tried(attempt, own_session):
    for n in range(50):
        attempt("op1", f"guess {n}")
    assert own_session.scalar(select(func.count()).select_from(SignInFailure)) == 5


def test_the_lockout_ends_after_its_time(attempt, clock):
    for n in range(5):
        attempt("op1", f"wrong password {n}")
    clock.moment += timedelta(minutes=14)
    assert attempt("op1", PASSWORD).status_code == 429
    clock.moment += timedelta(minutes=2)
    assert attempt("op1", PASSWORD).status_code == 302


def test_signing_in_clears_the_count(attempt):
    for n in range(4):
        attempt("op1", f"wrong password {n}")
    assert attempt("op1", PASSWORD).status_code == 302
    assert [attempt("op1", f"again {n}").status_code for n in range(4)] == [401] * 4


def test_an_address_trying_many_names_is_locked_out_but_others_are_not(attempt, own_session):
    for n in range(20):
        attempt(f"nobody{n}", "wrong password")
    assert attempt("op1", PASSWORD).status_code == 429
    assert attempt("op1", PASSWORD, address="198.51.100.9").status_code == 302
    entries = own_session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in_locked")).all()
    assert [entry.target for entry in entries] == ["address:203.0.113.7"]


def test_one_user_locked_out_leaves_the_others_alone(attempt):
    for n in range(5):
        attempt("op1", f"wrong password {n}")
    assert attempt("sup1", PASSWORD).status_code == 302
