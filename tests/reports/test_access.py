"""Who may see the monthly assessment: the centre's supervisors, dispatchers and administrators
everything; department staff their own department only; operators and inspectors nothing."""
from __future__ import annotations

import pytest

from tests.reports.pages import tables

PAGES = ("/console/reports/2026-10", "/console/reports/2026-10/departments.csv",
         "/console/reports/2026-10/report.xlsx", "/console/reports/2026-10/notice/DRAIN",
         "/console/reports/2026-10/cases?view=departments&key=DRAIN&indicator=disposal_rate&part=denominator")


def test_signed_out_visitors_are_sent_to_sign_in(client, october):
    response = client.get("/console/reports/2026-10")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


@pytest.mark.parametrize("username", ["op1", "insp1"])
def test_operators_and_inspectors_are_refused(client, sign_in, october, username):
    sign_in(username)
    for page in PAGES:
        assert client.get(page).status_code == 403, page


@pytest.mark.parametrize("username", ["sup1", "disp1", "admin1"])
def test_the_centre_sees_every_department(client, sign_in, october, username):
    sign_in(username)
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    page = tables(client.get("/console/reports/2026-10").get_data(as_text=True))
    assert {row[1].text.split()[0] for row in page["departments"].rows} >= {"市排水管理处", "市环境卫生管理处"}
    assert {"summary", "channels"} <= set(page)
    for view in ("lines", "categories"):
        assert view in tables(client.get(f"/console/reports/2026-10/by/{view}").get_data(as_text=True))


def test_department_staff_see_only_their_own_department(client, sign_in, october):
    sign_in("drain1")
    html = client.get("/console/reports/2026-10").get_data(as_text=True)
    page = tables(html)
    assert [row[1].text for row in page["departments"].rows] == ["市排水管理处 (DRAIN)"]
    assert page["departments"].rows[0][0].text == "第 2 名（共 2 个）"        # its place, without the others' names
    assert "SANIT" not in html and "市环境卫生管理处" not in html
    assert not {"summary", "channels"} & set(page)
    assert client.get("/console/reports/2026-10/notice/DRAIN").status_code == 200
    refused = ["/console/reports/2026-10/notice/SANIT", "/console/reports/2026-10/channels.csv",
               "/console/reports/2026-10/cases?view=departments&key=SANIT&indicator=disposal_rate",
               "/console/reports/2026-10/cases?view=departments&key=all&indicator=disposal_rate",
               "/console/reports/2026-10/cases?view=channels&key=hotline&indicator=disposal_rate",
               "/console/reports/2026-10/by/categories"]
    for url in refused:
        assert client.get(url).status_code == 403, url
    csv = client.get("/console/reports/2026-10/departments.csv").get_data(as_text=True)
    assert "DRAIN" in csv and "SANIT" not in csv and "All cases" not in csv


def test_the_console_menu_offers_reports_to_those_who_may_see_them(client, sign_in, users):
    sign_in("sup1")
    assert "/console/reports/" in client.get("/console/").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": _token(client)})
    sign_in("op1")
    assert "/console/reports/" not in client.get("/console/").get_data(as_text=True)


def test_the_report_index_opens_the_last_month_that_has_ended(client, sign_in, users, clock):
    clock.set_local(2026, 11, 3, 9, 0)
    sign_in("sup1")
    assert client.get("/console/reports/").headers["Location"].endswith("/console/reports/2026-10")


def test_a_malformed_month_is_not_found(client, sign_in, users):
    sign_in("sup1")
    assert client.get("/console/reports/2026-13").status_code == 404
    assert client.get("/console/reports/October").status_code == 404


def _token(client) -> str:
    import re
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console/").get_data(as_text=True)).group(1)
