"""Notes the domain writes in English on a case's events are shown in the
reader's language; what a person wrote is shown as written."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from cases.workflow import flag_overdue
from console.notes import said
from database import db
from tests.support.factories import dispatched, report
from wiring import services


def test_the_history_says_the_domains_notes_in_chinese_and_in_english(app, client, sign_in, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        case = dispatched(session, config, clock(), caller="+8613812345678")
        report(session, config, clock() + timedelta(minutes=5), description="下水道又堵了")   # joins it
        number, due = case.number, case.due_at
    with db.session_scope(app) as session:
        assert flag_overdue(session, due + timedelta(hours=1))
    sign_in("sup1")
    page = client.get(f"/console/cases/{number}").get_data(as_text=True)
    assert "经电话反映" in page and "hotline report" not in page
    assert "经电话再次反映：下水道又堵了" in page
    assert f"已超过处置时限（应于 {local(due)} 前处置），已报值班长" in page     # in the centre's time
    assert "past its time limit" not in page

    client.post("/console/language", data={"language": "en_US", "csrf_token": _token(client, number)})
    page = client.get(f"/console/cases/{number}").get_data(as_text=True)
    assert "reported by phone" in page and "reported again by phone: 下水道又堵了" in page
    assert f"past its time limit (due {local(due)}); escalated to the supervisor" in page


def local(moment) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def _token(client, number):
    from tests.console.conftest import csrf_token
    return csrf_token(client, f"/console/cases/{number}")


def test_a_persons_note_is_shown_as_written(app):
    with app.test_request_context():
        assert said("bad report") == "bad report"
        assert said("已派人疏通") == "已派人疏通"
        assert said(None) == ""
