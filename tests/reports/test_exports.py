"""CSV and XLSX exports of every table parse, and say what the page says."""
from __future__ import annotations

import csv
import io

import pytest

from tests.reports.pages import tables

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed (pip install openpyxl==3.1.5)")

TABLES = ("summary", "departments", "hotline", "others", "departments-counts", "channels", "lines", "categories")


def page_values(table) -> list[list[str]]:
    """The page's cells as the exports write them: a figure's cell holds percent, numerator, denominator."""
    values = []
    for row in table.rows:
        cells = []
        for cell in row:
            if "figure" in cell.classes:
                percent, *fraction = cell.text.split()
                counted, of = (fraction[0].split("/") if fraction else ("0", "0"))
                cells += [percent, counted, of]
            else:
                cells.append(cell.text)
        values.append(cells)
    return values


def shown(client) -> dict:
    """Every table as the console shows it: the report page, and the pages by line and by category."""
    page = tables(client.get("/console/reports/2026-10").get_data(as_text=True))
    for view in ("lines", "categories"):
        page.update(tables(client.get(f"/console/reports/2026-10/by/{view}").get_data(as_text=True)))
    return page


def test_each_tables_csv_parses_and_matches_the_page(client, sign_in, october):
    sign_in("sup1")
    page = shown(client)
    for name in TABLES:
        response = client.get(f"/console/reports/2026-10/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert f"assessment-2026-10-{name}.csv" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows[1:] == page_values(page[name]), name


def test_each_tables_xlsx_holds_numbers_that_match_the_page(client, sign_in, october):
    sign_in("sup1")
    page = shown(client)
    for name in TABLES:
        response = client.get(f"/console/reports/2026-10/{name}.xlsx")
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
        header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert len(rows) == len(page[name].rows)
        for written, on_page in zip(rows, page_values(page[name]), strict=True):
            assert [_as_page(value, title) for value, title in zip(written, header, strict=True)] == on_page, name


def test_the_workbook_holds_every_table_and_percentages_are_fractions(client, sign_in, october):
    sign_in("sup1")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/console/reports/2026-10/report.xlsx").data))
    assert len(workbook.worksheets) == len(TABLES)
    sheet = workbook["各部门（全部渠道）"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("处置率 %") + 1
    drain = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "市排水管理处 (DRAIN)")
    assert drain[column - 1].value == pytest.approx(0.3333) and drain[column - 1].number_format == "0.00%"
    assert drain[column].value == 1 and drain[column + 1].value == 3


def test_a_drill_down_list_exports_the_same_cases(client, sign_in, october):
    sign_in("sup1")
    url = "/console/reports/2026-10/cases?view=departments&key=DRAIN&indicator=disposal_rate&part=denominator"
    page = tables(client.get(url).get_data(as_text=True))["figures case-list"]
    rows = list(csv.reader(io.StringIO(client.get(url + "&format=csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "案件" and rows[1:] == [[cell.text for cell in row] for row in page.rows]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx").data)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [row[0].text for row in page.rows]


HOURS = "平均处置时长（小时）"     # "Average handling hours", in Chinese as the exports are by default


def _as_page(value, title: str) -> str:
    """An XLSX cell written as the page writes it."""
    if value is None:   # an empty cell: no figure (shown as a dash), or nothing at all (no place)
        return "–" if title.endswith(" %") or title == HOURS else ""
    if title.endswith(" %"):
        return f"{value * 100:.2f}%"
    if title == HOURS:
        return f"{value:.1f}"
    return str(value)


@pytest.mark.parametrize("language", ["zh_CN", "en_US"])
def test_pages_sheet_names_and_headers_are_in_the_readers_language_and_sheet_names_fit_excel(
        client, sign_in, october, language):
    sign_in("sup1", language=language)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/console/reports/2026-10/report.xlsx").data))
    names = workbook.sheetnames
    assert len(names) == len(TABLES) == len(set(names))
    assert all(0 < len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names), names
    departments = [sheet for sheet in workbook.worksheets if sheet.cell(1, 2).value in ("专业部门", "Department")][0]
    header = [cell.value for cell in departments[1]]
    page = client.get("/console/reports/2026-10").get_data(as_text=True)
    notice = client.get("/console/reports/2026-10/notice/DRAIN").get_data(as_text=True)
    if language == "zh_CN":
        assert "<h1>月度考核 · 2026-10" in page and "月度考核通报" in notice
    else:
        assert "<h1>Monthly assessment · 2026-10" in page and "Monthly assessment notice" in notice
        assert "Disposal rate" in page and "目标" not in page and "Oct" in page
    if language == "zh_CN":
        assert "各部门（全部渠道）" in names and "处置率 %" in header and "平均处置时长（小时）" in header
    else:
        assert "Departments, all channels" in names and "Disposal rate %" in header
        assert "Average handling hours" in header and not any("处置率" in str(title) for title in header)


def test_long_titles_are_cut_to_excels_31_characters_and_kept_apart():
    from reports.exports import _sheet_name
    used: set[str] = set()
    first = _sheet_name("Departments, other channels and every line of the city · 2026-10", used)
    second = _sheet_name("Departments, other channels and every line of the city · 2026-11", used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
