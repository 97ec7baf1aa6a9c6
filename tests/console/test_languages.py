"""Chinese first, English on request: the switch, kept on the user; the
console's own error pages in the reader's language."""
from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from tests.console.conftest import csrf_token


def test_the_sign_in_page_is_chinese_and_can_switch_to_english_before_signing_in(client):
    page = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "用户名" in page and "密码" in page
    client.post("/console/language", data={"language": "en_US", "next": "/console/login",
                                           "csrf_token": csrf_token(client)})
    page = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="en-US">' in page and "User name" in page and 'aria-pressed="true"' in page


def test_a_user_s_language_is_kept_on_the_user_across_sign_ins(client, sign_in, own_session):
    sign_in("disp1", language="en_US")
    assert own_session.scalars(select(User.language).where(User.username == "disp1")).one() == "en_US"
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    sign_in("disp1")
    assert "Welcome, disp1" in client.get("/console/").get_data(as_text=True)


def test_an_unknown_language_changes_nothing(client, sign_in):
    sign_in("disp1")
    client.post("/console/language", data={"language": "fr_FR", "csrf_token": csrf_token(client, "/console/")})
    assert '<html lang="zh-CN">' in client.get("/console/").get_data(as_text=True)


def test_the_console_s_own_error_pages_speak_the_reader_s_language(client, sign_in):
    sign_in("drain1")
    forbidden = client.get("/console/board")
    assert forbidden.status_code == 403 and "无权访问" in forbidden.get_data(as_text=True)
    missing = client.get("/console/no-such-page")
    assert missing.status_code == 404 and "未找到" in missing.get_data(as_text=True)
    sign_in("drain1", language="en_US")
    missing = client.get("/console/cases/2610099999")
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)


def test_errors_outside_the_console_keep_their_own_answers(client):
    assert client.get("/api/v1/no-such-thing").is_json
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "未找到" not in response.get_data(as_text=True)
