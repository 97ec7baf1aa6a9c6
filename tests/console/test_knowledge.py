"""The knowledge base in the console: operators search it; supervisors edit
it, with every change kept; edits survive a restart and reach the phone."""
from __future__ import annotations

from sqlalchemy import select

from database import db
from knowledge.models import ArticleChange
from tests.console.conftest import csrf_token

ARTICLE = "street-vending-permit"
NEW_SPOKEN = "摆摊请先向所在区城管局申请临时占道许可，批准后在划定地点经营。"


def edit(client, article: str = ARTICLE, **fields):
    page = client.get(f"/console/knowledge/{article}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, f"/console/knowledge/{article}")}
    for name in ("title_zh-CN", "title_en-US", "spoken_zh-CN", "spoken_en-US", "answer_zh-CN", "answer_en-US"):
        data[name] = _field(page, name)
    data["asks"] = _field(page, "asks")
    data.update(fields)
    return client.post(f"/console/knowledge/{article}", data=data, follow_redirects=True)


def _field(page: str, name: str) -> str:
    import html
    import re
    found = re.search(rf'<input name="{re.escape(name)}" value="([^"]*)"', page) or \
        re.search(rf'<textarea name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_an_operator_searches_in_the_callers_words(client, sign_in):
    sign_in("op1")
    page = client.get("/console/knowledge/", query_string={"q": "摆摊要办什么手续", "line": "urban"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "知识库" in text
    first = text.index("<tbody>")
    assert f"/console/knowledge/{ARTICLE}" in text[first:first + 600]


def test_an_english_question_is_searched_in_english(client, sign_in):
    # The English search knows the article by how English callers ask it; the Chinese one would not.
    sign_in("op1")
    page = client.get("/console/knowledge/", query_string={"q": "my kitchen is on fire, which number do I call",
                                                           "line": "urban"})
    text = page.get_data(as_text=True)
    first = text.index("<tbody>")
    assert page.status_code == 200 and "/console/knowledge/emergency-numbers" in text[first:first + 600]


def test_an_operator_reads_but_may_not_edit(client, sign_in):
    sign_in("op1")
    page = client.get(f"/console/knowledge/{ARTICLE}").get_data(as_text=True)
    assert "语音播报内容" in page and 'id="edit-article"' not in page
    refused = client.post(f"/console/knowledge/{ARTICLE}", data={"spoken_zh-CN": "x",
                                                                  "csrf_token": csrf_token(client, "/console/")})
    assert refused.status_code == 403


def test_a_supervisor_edits_and_the_change_is_kept_with_who_when_and_what(client, sign_in, app):
    sign_in("sup1")
    saved = edit(client, **{"spoken_zh-CN": NEW_SPOKEN})
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "已保存" in text and NEW_SPOKEN in text
    assert "sup1" in text and "2026-10-09 10:00" in text and "<del>" in text
    with db.session_scope(app) as session:
        [change] = session.scalars(select(ArticleChange)).all()
        assert change.after["spoken"]["zh-CN"] == NEW_SPOKEN and change.before["spoken"]["zh-CN"] != NEW_SPOKEN
    assert edit(client).status_code == 200          # nothing changed: no new history
    with db.session_scope(app) as session:
        assert len(session.scalars(select(ArticleChange)).all()) == 1


def test_an_edit_that_breaks_an_article_is_refused(client, sign_in, app):
    sign_in("sup1")
    refused = edit(client, **{"spoken_zh-CN": "长" * 81})
    assert refused.status_code == 400 and "未保存" in refused.get_data(as_text=True)
    emptied = edit(client, **{"answer_zh-CN": ""})
    assert emptied.status_code == 400
    with db.session_scope(app) as session:
        assert session.scalars(select(ArticleChange)).first() is None


def test_an_edit_survives_a_restart_and_callers_hear_it(client, sign_in, app, migrated, tmp_path, understanding,
                                                         clock, new_call):
    sign_in("sup1")
    edit(client, **{"spoken_zh-CN": NEW_SPOKEN})
    from app import create_app
    from tests.support.caller import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, Call, Webhooks
    again = create_app({"database_url": migrated, "public_url": PUBLIC_URL, "twilio_account_sid": ACCOUNT_SID,
                        "twilio_auth_token": AUTH_TOKEN, "instance_dir": tmp_path / "again", "clock": clock,
                        "env": "testing", "understanding": understanding})
    try:
        call = Call(Webhooks(again.test_client()))
        call.dial()
        heard = call.say("请问摆摊要办什么手续")
        assert heard.text.startswith(NEW_SPOKEN), heard.text
    finally:
        db.engine(again).dispose()
