"""Console sign-in: hashed passwords, CSRF on every form, roles, safe redirects."""
from __future__ import annotations

import re

from sqlalchemy import select

from accounts.models import User
from tests.console.conftest import PASSWORD, csrf_token


def test_unauthenticated_visitor_is_sent_to_sign_in(client):
    response = client.get("/console/")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_sign_in_with_the_right_password(client, sign_in):
    response = sign_in("op1", language="en_US")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")
    assert "Welcome, op1" in client.get("/console/").get_data(as_text=True)


def test_the_console_speaks_chinese_until_a_user_chooses_english(client, sign_in):
    sign_in("op1")
    page = client.get("/console/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "欢迎，op1" in page and "实时看板" in page


def test_wrong_password_is_refused(client, sign_in):
    response = sign_in("op1", "wrong password!")
    assert response.status_code == 401 and "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_after_a_wrong_password_the_user_name_stays_filled_in(client, sign_in):
    page = sign_in("op1", "wrong password!").get_data(as_text=True)
    assert re.search(r'<input name="username"[^>]*value="op1"', page)
    # The cursor waits in the password field, the one to type again.
    assert re.search(r'<input name="password"[^>]*autofocus', page)


def test_passwords_are_stored_hashed(own_session, users):
    user = own_session.scalars(select(User).where(User.username == "op1")).one()
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("pbkdf2:")


def test_users_created_by_the_service_get_scrypt(own_session):
    from accounts.services import create_user
    user = create_user(own_session, "op7", "long enough pw", "operator")
    assert user.password_hash.startswith("scrypt:")


def test_sign_in_without_csrf_token_is_refused(client, users):
    response = client.post("/console/login", data={"username": "op1", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302


def test_sign_out_needs_the_csrf_token(client, sign_in):
    sign_in("op1")
    assert client.post("/console/logout").status_code == 400
    assert client.get("/console/").status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    assert client.get("/console/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, sign_in):
    response = sign_in("op1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_redirect_after_sign_in_stays_in_the_console(client, users):
    token = csrf_token(client)
    response = client.post("/console/login", data={"username": "op1", "password": PASSWORD, "csrf_token": token,
                                                   "next": "https://evil.example.com/"})
    assert response.headers["Location"].endswith("/console/")


def test_deactivated_user_is_signed_out_at_once(client, sign_in, app):
    sign_in("op1")
    from database import db
    with db.session_scope(app) as session:
        session.scalars(select(User).where(User.username == "op1")).one().active = False
    assert client.get("/console/").status_code == 302


def test_user_create_command(app):
    result = app.test_cli_runner().invoke(args=["user", "create", "op9", "--role", "operator",
                                                "--device", "client:op9", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    too_short = app.test_cli_runner().invoke(args=["user", "create", "op10", "--role", "operator",
                                                   "--password", "short"])
    assert too_short.exit_code != 0 and "at least 10 characters" in too_short.output


def test_api_key_command_prints_a_key_once(app, own_session):
    result = app.test_cli_runner().invoke(args=["api-key", "create", "--name", "city app"])
    key = result.output.strip()
    assert result.exit_code == 0 and key.startswith("hk_") and len(key) > 40
    from accounts.models import ApiKey
    stored = own_session.scalars(select(ApiKey)).one()
    assert stored.key_hash != key and key not in stored.key_hash
