"""``flask --app app report``: the month's assessment as a table, CSV or JSON."""
from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.fixture
def run(app):
    def invoke(*args: str):
        return app.test_cli_runner().invoke(args=["report", *args], catch_exceptions=False)
    return invoke


def test_the_table_ranks_departments_and_ends_with_the_total(run, october):
    result = run("--month", "2026-10")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Monthly assessment 2026-10 · departments · ranked by 处置率")
    body = [line for line in lines if "(SANIT)" in line or "(DRAIN)" in line or line.lstrip().startswith("全部案件")]
    assert body[0].split()[:2] == ["1", "市环境卫生管理处"] and "100.00%" in body[0]
    assert body[1].split()[:2] == ["2", "市排水管理处"] and "33.33%" in body[1]
    assert body[-1].split()[0] == "全部案件" and "50.00%" in body[-1] and "75.00%" not in body[-1]


def test_one_department_with_its_place_and_targets(run, october):
    result = run("--month", "2026-10", "--department", "DRAIN")
    assert result.exit_code == 0, result.output
    assert "Place: 2 of 2" in result.output
    disposal = next(line for line in result.output.splitlines() if line.startswith("处置率"))
    assert disposal.split()[1:] == ["33.33%", "1", "3", "≥", "90%", "MISSES", "TARGET"]


def test_csv_is_the_exported_table(run, client, sign_in, october):
    result = run("--month", "2026-10", "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.output)))
    sign_in("sup1")
    exported = client.get("/console/reports/2026-10/departments.csv").get_data(as_text=True).lstrip("\ufeff")
    assert rows == list(csv.reader(io.StringIO(exported)))
    assert rows[0][:3] == ["名次", "专业部门", "派遣准确率 %"]      # in Chinese, the default


def test_json_carries_numerators_denominators_and_counts(run, october):
    document = json.loads(run("--month", "2026-10", "--view", "hotline", "--format", "json").output)
    assert document["month"] == "2026-10" and document["view"] == "hotline"
    drain = next(row for row in document["rows"] if row["key"] == "DRAIN")
    assert drain["indicators"]["disposal_rate"] == {"percent": "33.33%", "numerator": 1, "denominator": 3}
    assert drain["counts"]["reworked"] == 1 and drain["place"] == 1
    assert document["all"]["indicators"]["filing_rate"] == {"percent": "66.67%", "numerator": 2, "denominator": 3}


def test_by_channel(run, october):
    document = json.loads(run("--month", "2026-10", "--view", "channels", "--format", "json").output)
    assert [row["key"] for row in document["rows"]] == ["hotline", "open311"]


@pytest.mark.parametrize("args, complaint", [
    (("--month", "2026-13"), "YYYY-MM"),
    (("--month", "2026-10", "--department", "NOPE"), "no department 'NOPE'"),
    (("--month", "2026-10", "--department", "DRAIN", "--view", "channels"), "--department goes with"),
])
def test_mistakes_are_explained(app, args, complaint):
    result = app.test_cli_runner().invoke(args=["report", *args])
    assert result.exit_code == 2 and complaint in result.output


def test_trend_counts_and_keeps_the_settled_months_and_refresh_forgets_one(app, run, october, clock):
    from sqlalchemy import select

    from database import db
    from reports.models import MonthFigures

    def kept() -> list[str]:
        with db.session_scope(app) as session:
            return list(session.scalars(select(MonthFigures.month).order_by(MonthFigures.month)))

    clock.set_local(2026, 11, 20, 9, 0)
    result = run("--month", "2026-10", "--trend")
    assert result.exit_code == 0 and "12 months counted (2025-11 to 2026-10)" in result.output
    assert kept() == [f"2025-{m}" for m in ("11", "12")] + [f"2026-{m:02d}" for m in range(1, 11)]
    assert run("--month", "2026-10", "--refresh").exit_code == 0
    assert "2026-10" not in kept() and len(kept()) == 11
