"""Lines, departments and categories as rows, synced from the YAML
configuration by ``flask --app app init`` so that other tables' foreign keys
(cases, calls, callbacks, accounts) can refer to them.

The configuration (``config.catalog``) is what the service reads at run time;
these rows only give the keys a table to point at.  Rows no longer in the
YAML are marked inactive, never deleted: old cases still refer to them.
"""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from database import Base
from database.setup import sync_rows


class Line(Base):
    __tablename__ = "line"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    numbers: Mapped[list] = mapped_column(JSON, default=list)
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)


class Department(Base):
    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    calendar: Mapped[str] = mapped_column(String(64))
    duty_number: Mapped[str | None] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)


class Category(Base):
    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    priority: Mapped[str] = mapped_column(String(16))
    time_limit: Mapped[str] = mapped_column(String(32))
    verify_first: Mapped[bool] = mapped_column(default=False)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)


def sync_configuration(session: Session, config) -> dict[str, int]:
    """Make the line, department and category rows match ``config`` (a
    ``config.catalog.HotlineConfig``); the counts loaded, by kind."""
    counts = {}
    counts["lines"] = sync_rows(session, Line, "id", {
        line.id: dict(name=line.name("zh-CN"), numbers=list(line.numbers), time_zone=line.time_zone)
        for line in config.lines.values()
    })
    counts["departments"] = sync_rows(session, Department, "code", {
        d.code: dict(name=d.name("zh-CN"), names=dict(d.names), calendar=d.calendar,
                     duty_number=d.duty_number, district=d.district)
        for d in config.departments.values()
    })
    counts["categories"] = sync_rows(session, Category, "code", {
        c.code: dict(kind=c.kind, name=c.name("zh-CN"), names=dict(c.names), department_code=c.department,
                     priority=c.priority, time_limit=str(c.time_limit), verify_first=c.verify_first,
                     lines=list(c.lines))
        for c in config.categories.values()
    })
    session.flush()
    return counts
