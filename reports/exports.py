"""CSV and XLSX from the report's tables (``reports.tables``): the same cells the page shows.

CSV holds each cell's text, as on the page (UTF-8 with a byte-order mark, so that Excel reads
the Chinese names). XLSX holds numbers as numbers and percentages as fractions formatted as
percentages, a bold header row, frozen below the header, one sheet per table.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Sequence

from reports.tables import Table

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.title for column in table.columns])
    for row in table.rows:
        writer.writerow([cell.text for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tables: Sequence[Table], title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title or (tables[0].title if tables else "")
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, used))
        sheet.append([column.title for column in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_value(cell.value) for cell in row])
            for column, cell in enumerate(row, start=1):
                if cell.number_format and cell.value is not None:
                    sheet.cell(row=sheet.max_row, column=column).number_format = cell.number_format
        sheet.freeze_panes = "A2"
        for column, header in enumerate(table.columns, start=1):
            width = max([len(header.title)] + [len(row[column - 1].text) for row in table.rows]) + 2
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 8), 48)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _value(value):
    if value is None or isinstance(value, (int, float)):
        return value
    return str(value)


def _sheet_name(title: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet's name, and no two alike."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title.split(" · ")[0]).strip()[:31] or "Sheet"
    name, number = base, 2
    while name in used:
        suffix = f" ({number})"
        name, number = base[:31 - len(suffix)] + suffix, number + 1
    used.add(name)
    return name
