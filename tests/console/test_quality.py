"""Quality review (质检) in the console: supervisors see the week's sample
of operators' recorded calls, hear a call through the console's recording
proxy beside its step transcript and case, score it on the checklist (the
review is audited), and read each operator's averages for the month."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from database import db
from quality.models import QualityReview
from tests.console.conftest import csrf_token
from tests.quality.support import answered_call
from wiring import services

FULL = {"greeting": "10", "identity": "20", "category": "30", "courtesy": "25", "closure": "15"}


def score(client, call_sid: str, scores: dict, comment: str = ""):
    token = csrf_token(client, f"/console/quality/calls/{call_sid}")
    return client.post(f"/console/quality/calls/{call_sid}", data={
        **{f"score-{key}": value for key, value in scores.items()}, "comment": comment, "csrf_token": token})


def test_only_supervisors_and_admins_open_quality_review(client, sign_in, users):
    sign_in("op1")
    assert client.get("/console/quality/").status_code == 403
    assert "/console/quality/" not in client.get("/console/").get_data(as_text=True)
    sign_in("disp1")
    assert client.get("/console/quality/summary").status_code == 403
    sign_in("sup1")
    page = client.get("/console/").get_data(as_text=True)
    assert 'href="/console/quality/"' in page and "质检" in page
    assert client.get("/console/quality/").status_code == 200
    sign_in("admin1")
    assert client.get("/console/quality/").status_code == 200


def test_signed_out_the_pages_send_to_sign_in(client, users):
    response = client.get("/console/quality/")
    assert response.status_code == 302 and "/console/login" in response.location


def test_the_sample_draws_each_operators_quota_of_the_weeks_recorded_calls(app, client, sign_in, clock, users):
    now = clock()
    # op1: 4 recorded calls this week (quota 3); disp1's seat took one; one call unrecorded; one last week.
    op1 = [answered_call(app, "op1", now - timedelta(hours=h)) for h in (1, 2, 3, 4)]
    other = answered_call(app, "disp1", now - timedelta(hours=5))
    answered_call(app, "op1", now - timedelta(hours=6), recorded=False)
    last_week = answered_call(app, "op1", now - timedelta(days=7))
    sign_in("sup1")

    page = client.get("/console/quality/").get_data(as_text=True)
    drawn = re.findall(r'<tr data-call="(CA[0-9a-f]+)">', page)
    assert len(drawn) == 4 and other in drawn and last_week not in drawn
    assert len(set(drawn) & set(op1)) == 3
    assert "2026-10-05" in page                    # the week starts on Monday, in the centre's zone
    assert "本周话务员录音通话 5 个；已评 0 个；抽检待评 4 个。" in page
    # The same sample for everyone, whenever they look.
    assert re.findall(r'<tr data-call="(CA[0-9a-f]+)">', client.get("/console/quality/").get_data(as_text=True)) \
        == drawn
    # Last week's call is in last week's sample.
    earlier = client.get("/console/quality/?week=2026-09-28").get_data(as_text=True)
    assert re.findall(r'<tr data-call="(CA[0-9a-f]+)">', earlier) == [last_week]
    assert client.get("/console/quality/?week=yesterday").status_code == 404


def test_the_review_page_plays_the_recording_through_the_console_beside_the_transcript_and_case(
        app, client, sign_in, clock, users, carrier):
    sid = answered_call(app, "op1", clock() - timedelta(hours=1), seconds=3, carrier=carrier)
    sign_in("sup1")
    page = client.get(f"/console/quality/calls/{sid}").get_data(as_text=True)

    source = re.search(r'<audio controls preload="none" src="([^"]+)"', page).group(1)
    assert re.fullmatch(rf"/console/quality/calls/{sid}/recordings/\d+", source)
    assert "127.0.0.1" not in page and "/Recordings/" not in page       # nothing of Twilio reaches the browser
    audio = client.get(source)
    assert audio.status_code == 200 and audio.data[:4] == b"RIFF"
    assert audio.data[22:24] == b"\x02\x00"                             # two channels
    assert len(audio.data) == 44 + 3 * 8000 * 2 * 2                     # three seconds of 8 kHz 16-bit stereo
    # The step transcript, numbers masked (a review needs none); the case the call made.
    assert "青年路的路灯不亮了，我的电话*******5678" in page and "您反映的是路灯问题，对吗？" in page
    assert "13812345678" not in page
    assert re.search(r'<ul class="plain" id="cases">\s*<li><a href="/console/cases/\d+">', page)
    assert "双声道录音" in page and 'name="score-identity" min="0" max="20"' in page
    # Another call's recording is not served under this one.
    second = answered_call(app, "op1", clock() - timedelta(hours=2), carrier=carrier)
    other_id = re.search(r'/recordings/(\d+)"', client.get(f"/console/quality/calls/{second}")
                         .get_data(as_text=True)).group(1)
    assert client.get(f"/console/quality/calls/{sid}/recordings/{other_id}").status_code == 404
    assert client.get(f"/console/quality/calls/CA{'0' * 32}").status_code == 404


def test_a_supervisor_scores_a_call_and_the_review_is_kept_and_audited(app, client, sign_in, clock, users):
    sid = answered_call(app, "op1", clock() - timedelta(hours=1))
    sign_in("sup1")
    response = score(client, sid, {**FULL, "identity": "12", "closure": "10"}, "没有核实来电人身份")
    assert response.status_code == 302 and response.location.endswith("/console/quality/")
    assert "op1 的通话已评分：87 / 100 分。" in client.get(response.location).get_data(as_text=True)
    with db.session_scope(app) as session:
        review = session.scalars(select(QualityReview)).one()
        assert (review.call_sid, review.operator, review.reviewer, review.total, review.possible) == \
            (sid, "op1", "sup1", 87, 100)
        assert review.scores == {"greeting": 10, "identity": 12, "category": 30, "courtesy": 25, "closure": 10}
        assert review.comment == "没有核实来电人身份" and review.reviewed_at == clock()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "quality_review")).one()
        assert (entry.actor, entry.target, entry.detail) == ("user:sup1", sid, "op1: 87/100")
    # Reviewed: out of the sample.  Saved again by the same supervisor: replaced, not doubled.
    assert sid not in client.get("/console/quality/").get_data(as_text=True)
    assert score(client, sid, FULL).status_code == 302
    with db.session_scope(app) as session:
        assert [r.total for r in session.scalars(select(QualityReview))] == [100]
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "quality_review")).all()[-1].detail \
            == "op1: 100/100 (again)"


@pytest.mark.parametrize("change, message", [
    ({"identity": "21"}, "“身份核实”请给 0 至 20 的整数分。"),
    ({"closure": ""}, "“结束语”请给 0 至 15 的整数分。"),
    ({"courtesy": "很好"}, "“服务态度”请给 0 至 25 的整数分。"),
])
def test_a_score_off_the_checklist_is_refused_and_nothing_is_kept(app, client, sign_in, clock, users, change,
                                                                    message):
    sid = answered_call(app, "op1", clock() - timedelta(hours=1))
    sign_in("sup1")
    response = score(client, sid, {**FULL, **change}, "留着的评语")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert "留着的评语" in page and 'value="30"' in page               # what was typed is kept on the form
    with db.session_scope(app) as session:
        assert session.scalars(select(QualityReview)).all() == []


def test_a_supervisor_cannot_review_their_own_call_nor_a_call_without_a_recording(app, client, sign_in, clock,
                                                                                    users):
    own = answered_call(app, "sup1", clock() - timedelta(hours=1))
    unrecorded = answered_call(app, "op1", clock() - timedelta(hours=2), recorded=False)
    sign_in("sup1")
    assert "不能评自己的通话。" in client.get(f"/console/quality/calls/{own}").get_data(as_text=True)
    assert score(client, own, FULL).status_code == 422
    assert "该通话还没有可供质检的录音。" in score(client, unrecorded, FULL).get_data(as_text=True)
    with db.session_scope(app) as session:
        assert session.scalars(select(QualityReview)).all() == []


def test_the_months_summary_averages_each_operator_overall_and_item_by_item(app, client, sign_in, clock, users):
    now = clock()
    first = answered_call(app, "op1", now - timedelta(hours=1))
    second = answered_call(app, "op1", now - timedelta(hours=2))
    other = answered_call(app, "disp1", now - timedelta(hours=3))
    september = answered_call(app, "op1", now - timedelta(days=20))
    sign_in("sup1")
    score(client, first, FULL)                                           # 100
    score(client, second, {**FULL, "category": "0", "closure": "5"})    # 60
    score(client, other, {**FULL, "courtesy": "10"})                    # 85
    score(client, september, {**FULL, "greeting": "0"})                 # 90, in September
    sign_in("admin1")
    score(client, first, {**FULL, "identity": "5"})                     # 85: a second reviewer of op1's first call

    page = client.get("/console/quality/summary?month=2026-10").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-operator="(\w+)">(.*?)</tr>', page, re.S))
    cells = {name: [c.strip() for c in re.findall(r'<td class="num[^"]*">(.*?)</td>', row, re.S)]
             for name, row in rows.items()}
    # op1: 2 calls, 3 reviews (100, 60, 85) -> 81.7; items: greeting 10, identity (20+20+5)/3 = 15,
    # category (30+0+30)/3 = 20, courtesy 25, closure (15+5+15)/3 = 11.7
    assert cells["op1"] == ["2", "3", "81.7", "10.0", "15.0", "20.0", "25.0", "11.7"]
    assert cells["disp1"] == ["1", "1", "85.0", "10.0", "20.0", "30.0", "10.0", "15.0"]
    september_page = client.get("/console/quality/summary?month=2026-09").get_data(as_text=True)
    assert re.findall(r'<td class="num average">(.*?)</td>', september_page) == ["90.0"]
    assert client.get("/console/quality/summary?month=October").status_code == 404
    assert "本月接听的通话尚无质检评分。" in client.get("/console/quality/summary?month=2026-08").get_data(as_text=True)


def test_the_pages_speak_english_beside_chinese(app, client, sign_in, clock, users):
    sid = answered_call(app, "op1", clock() - timedelta(hours=1))
    sign_in("sup1", language="en_US")
    page = client.get(f"/console/quality/calls/{sid}").get_data(as_text=True)
    assert "Identity check" in page and "身份核实" in page and "Save the review" in page
    assert "Quality review" in client.get("/console/quality/").get_data(as_text=True)
    assert services(app).quality.possible == 100
