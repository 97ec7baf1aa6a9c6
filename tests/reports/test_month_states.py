"""A month in the future, or one no case concerned, says so in words (Chinese by default) instead of
showing tables of dashes; a month still running says its figures will change."""
from __future__ import annotations


def test_a_month_in_the_future_says_it_has_not_begun(client, sign_in, october, clock):
    clock.set_local(2026, 11, 15, 9, 0)
    sign_in("sup1")
    html = client.get("/console/reports/2027-03").get_data(as_text=True)
    assert "2027-03 尚未开始，还没有可考核的数据。" in html
    assert 'id="table-departments"' not in html
    notice = client.get("/console/reports/2027-03/notice/DRAIN").get_data(as_text=True)
    assert "2027-03 尚未开始" in notice


def test_a_month_without_cases_says_there_is_no_data(client, sign_in, october, clock):
    clock.set_local(2026, 11, 15, 9, 0)
    sign_in("sup1")
    html = client.get("/console/reports/2026-06").get_data(as_text=True)
    assert "2026-06 没有案件数据" in html
    assert 'id="table-departments"' not in html
    notice = client.get("/console/reports/2026-06/notice/DRAIN").get_data(as_text=True)
    assert "2026-06 本部门没有案件数据。" in notice


def test_the_month_under_way_is_shown_with_a_warning(client, sign_in, october, clock):
    clock.set_local(2026, 10, 20, 9, 0)
    sign_in("sup1")
    html = client.get("/console/reports/2026-10").get_data(as_text=True)
    assert "本月尚未结束，数字还会变化。" in html and 'id="table-departments"' in html
    clock.set_local(2026, 11, 15, 9, 0)
    ended = client.get("/console/reports/2026-09").get_data(as_text=True)
    assert 'id="table-departments"' in ended and "本月尚未结束" not in ended
