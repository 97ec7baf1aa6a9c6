"""The printable notice's late-case list says, for each case, the deadline it missed and how
late it was disposed (or that it is not disposed yet)."""
from __future__ import annotations

import re


def late_rows(html: str) -> dict[str, list[str]]:
    """The late-case table's rows by case number, each as its cells' text."""
    section = html[html.index("未按期处置案件"):]
    table = section[section.index("<table"):section.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells
    return rows


def test_each_late_case_shows_its_deadline_and_how_late_it_was(client, sign_in, october):
    sign_in("sup1")
    html = client.get("/console/reports/2026-10/notice/DRAIN").get_data(as_text=True)
    assert "处置时限" in html and "超期" in html
    rows = late_rows(html)
    # A: due 13 Oct 09:30, disposed 14 Oct 15:00.
    story = rows[october.numbers["story"]]
    assert "2026-10-13 09:30" in story and "1天 5小时 30分钟" in story
    # C: due 6 Oct 10:10, never disposed.
    misrouted = rows[october.numbers["misrouted"]]
    assert "2026-10-06 10:10" in misrouted
    assert any(cell.startswith("尚未处置，已超期") for cell in misrouted)
