"""直办率 beside the cases: enquiries answered from the knowledge base over
all enquiries, per line and month, in the CLI and on the report page; the
month cut at local midnight like every other figure."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from database import db
from knowledge.models import Enquiry
from reports.enquiries import direct_answers
from routing.periods import month

SHANGHAI = ZoneInfo("Asia/Shanghai")


def asked(session, line: str, outcome: str, at: datetime) -> None:
    session.add(Enquiry(line_id=line, language="zh-CN", question="请问……", outcome=outcome,
                        article_id="street-vending-permit" if outcome != "operator" else None,
                        asked_at=at.astimezone(ZoneInfo("UTC"))))


@pytest.fixture
def enquiries(app):
    october = datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
    with db.session_scope(app) as session:
        for outcome in ("answered", "answered", "answered", "escalated", "operator"):
            asked(session, "urban", outcome, october)
        asked(session, "conduct", "answered", october)
        asked(session, "conduct", "operator", october)
        # 07:30 on 1 November in Taizhou is still 31 October in UTC: November's.
        asked(session, "urban", "operator", datetime(2026, 11, 1, 7, 30, tzinfo=SHANGHAI))
        asked(session, "urban", "answered", datetime(2026, 9, 30, 23, 59, tzinfo=SHANGHAI))


def test_the_rate_per_line_and_in_all(app, enquiries):
    with db.session_scope(app) as session:
        rows = {row.line: row for row in direct_answers(session, month("2026-10", "Asia/Shanghai"))}
    assert (rows["urban"].answered, rows["urban"].enquiries, rows["urban"].percent()) == (3, 5, "60.00%")
    assert (rows["conduct"].answered, rows["conduct"].enquiries, rows["conduct"].percent()) == (1, 2, "50.00%")
    assert (rows["all"].answered, rows["all"].escalated, rows["all"].operator) == (4, 1, 2)
    assert rows["all"].percent() == "57.14%"


def test_a_month_without_enquiries_has_no_rate(app, enquiries):
    with db.session_scope(app) as session:
        [total] = direct_answers(session, month("2026-08", "Asia/Shanghai"))
    assert total.enquiries == 0 and total.rate() is None and total.percent() == "–"


def test_the_cli_gives_the_same_figures(app, enquiries):
    result = app.test_cli_runner().invoke(args=["report", "--month", "2026-10", "--view", "enquiries",
                                                "--format", "json"], catch_exceptions=False)
    document = json.loads(result.output)
    assert [(r["line"], r["enquiries"], r["direct_answer_rate"]) for r in document["rows"]] == [
        ("conduct", 2, "50.00%"), ("urban", 5, "60.00%"), ("all", 7, "57.14%")]


def test_the_report_page_shows_it_to_the_centre_not_to_departments(client, sign_in, enquiries, clock):
    clock.moment = clock.moment + timedelta(days=40)
    sign_in("sup1")
    page = client.get("/console/reports/2026-10").get_data(as_text=True)
    assert "直办率" in page and "57.14%" in page and "60.00%" in page
    sign_in("drain1")
    response = client.get("/console/reports/2026-10")
    assert response.status_code == 200 and "市排水管理处" in response.get_data(as_text=True)
    assert "直办率" not in response.get_data(as_text=True)
