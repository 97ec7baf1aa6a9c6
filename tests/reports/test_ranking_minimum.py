"""A department is placed in the ranking only with enough cases behind its figure: six
departments with one case out of one must not outrank one with 376 out of 395. The minimum is a
setting (``minimum_to_rank`` in assessment.yaml); the departments below it are listed after the
ranking with the reason, on the page, in the exports, in the notice and on the command line."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from reports import Indicator, Measure, month, rank, report_from_sets
from reports.indicators import NO_FIGURE, TOO_FEW
from reports.settings import AssessmentSettings, SettingsError, load, parse
from tests.reports.pages import tables
from wiring import services


def disposal_report():
    """BIG disposed 376 of its 395 cases due; six small departments 1 of 1 each; IDLE had none due."""
    groups = {"BIG": ({Measure.DUE_FOR_DISPOSAL: set(range(395)), Measure.DISPOSAL_MISSED: set(range(376, 395))}, {})}
    for number in range(6):
        groups[f"SMALL{number}"] = ({Measure.DUE_FOR_DISPOSAL: {1000 + number}}, {})
    groups["IDLE"] = ({Measure.REPORTED: {2000}}, {})
    return report_from_sets(month("2026-10", "Asia/Shanghai"), "department", groups)


def test_six_departments_with_one_of_one_do_not_outrank_376_of_395():
    placings = rank(disposal_report(), Indicator.DISPOSAL_RATE, minimum=10)
    assert [(p.place, p.key, p.unplaced) for p in placings] == [
        (1, "BIG", None),
        *[(None, f"SMALL{number}", TOO_FEW) for number in range(6)],
        (None, "IDLE", NO_FIGURE)]
    assert placings[0].figure.percent == "95.19%"


def test_without_a_minimum_one_of_one_comes_first():
    placings = rank(disposal_report(), Indicator.DISPOSAL_RATE)
    assert [p.place for p in placings][:7] == [1, 1, 1, 1, 1, 1, 7]


def test_the_minimum_is_a_setting_with_a_default(tmp_path):
    assert AssessmentSettings().minimum_to_rank == 10
    (tmp_path / "assessment.yaml").write_text("assessment:\n  minimum_to_rank: 30\n", encoding="utf-8")
    assert load(tmp_path).minimum_to_rank == 30


@pytest.mark.parametrize("value", [0, -3, 2.5, "ten", True])
def test_a_minimum_that_is_not_a_whole_number_of_cases_is_refused(value):
    with pytest.raises(SettingsError, match="minimum_to_rank must be a whole number"):
        parse({"minimum_to_rank": value})


@pytest.fixture
def minimum_of_two(app):
    """October's story with a minimum of two: DRAIN (3 cases due) is placed, SANIT (1) is not."""
    services(app).assessment = replace(services(app).assessment, minimum_to_rank=2)


def test_the_page_lists_unplaced_departments_below_the_ranking_with_the_reason(client, sign_in, october,
                                                                             minimum_of_two):
    sign_in("sup1")
    html = client.get("/console/reports/2026-10").get_data(as_text=True)
    departments = tables(html)["departments"]
    assert departments.header[-1] == "未排名原因"
    names = [row[1].text for row in departments.rows]
    assert names[:2] == ["市排水管理处 (DRAIN)", "市环境卫生管理处 (SANIT)"]
    drain, sanit = departments.rows[0], departments.rows[1]
    assert drain[0].text == "1" and drain[-1].text == ""
    assert sanit[0].text == "" and sanit[-1].text == "未排名：仅 1 件案件，不足 2 件"
    assert "unplaced" in departments.row_classes[1]
    assert "少于 2 件的部门不排名" in html
    # The export says the same.
    exported = list(csv.reader(io.StringIO(
        client.get("/console/reports/2026-10/departments.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert exported[0][-1] == "未排名原因"
    sanit_row = next(row for row in exported if row[1] == "市环境卫生管理处 (SANIT)")
    assert sanit_row[0] == "" and sanit_row[-1].startswith("未排名：仅 1 件案件")
    # And the notice.
    notice = client.get("/console/reports/2026-10/notice/SANIT").get_data(as_text=True)
    assert "未排名：仅 1 件案件，不足 2 件" in notice


def test_the_command_gives_the_reason_too(app, october, minimum_of_two):
    runner = app.test_cli_runner()
    text = runner.invoke(args=["report", "--month", "2026-10", "--department", "SANIT"]).output
    assert "Place: 未排名：仅 1 件案件，不足 2 件" in text
    document = json.loads(runner.invoke(args=["report", "--month", "2026-10", "--format", "json"]).output)
    rows = {row["key"]: row for row in document["rows"]}
    assert rows["DRAIN"]["place"] == 1 and rows["DRAIN"]["not_placed"] is None
    assert rows["SANIT"]["place"] is None and rows["SANIT"]["not_placed"].startswith("未排名：仅 1 件案件")
    assert document["minimum_to_rank"] == 2
