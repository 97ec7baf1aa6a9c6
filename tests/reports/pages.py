"""Reading the report pages' tables back out of their HTML, for the tests."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageCell:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)   # (text, href)
    classes: str = ""


@dataclass
class PageTable:
    id: str
    header: list[str] = field(default_factory=list)
    rows: list[list[PageCell]] = field(default_factory=list)
    row_classes: list[str] = field(default_factory=list)

    def row(self, first: str) -> list[PageCell]:
        """The row whose key cell (the first one, or the second after a place) starts with ``first``."""
        for row in self.rows:
            if any(cell.text.startswith(first) for cell in row[:2]):
                return row
        raise KeyError(first)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, PageTable] = {}
        self.section: str | None = None
        self.table: PageTable | None = None
        self.cell: PageCell | None = None
        self.link: list | None = None
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("id") or "").startswith("table-"):
            self.section = attrs["id"].removeprefix("table-")
        elif tag == "table":
            key = self.section or attrs.get("class", "table")
            self.table = self.tables.setdefault(key, PageTable(key))
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and self.table is not None and not self.in_head:
            self.table.rows.append([])
            self.table.row_classes.append(attrs.get("class") or "")
        elif tag in ("td", "th") and self.table is not None:
            self.cell = PageCell(classes=attrs.get("class") or "")
        elif tag == "a" and self.cell is not None:
            self.link = ["", attrs.get("href", "")]

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None and self.cell is not None:
            self.cell.links.append((self.link[0].strip(), self.link[1]))
            self.link = None
        elif tag in ("td", "th") and self.cell is not None and self.table is not None:
            self.cell.text = " ".join(self.cell.text.split())
            if self.in_head:
                self.table.header.append(self.cell.text)
            else:
                self.table.rows[-1].append(self.cell)
            self.cell = None
        elif tag == "thead":
            self.in_head = False
        elif tag == "table":
            self.table = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.text += data
        if self.link is not None:
            self.link[0] += data


def tables(html: str) -> dict[str, PageTable]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables
