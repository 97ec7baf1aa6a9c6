"""Lines, departments and categories as rows, synced from the YAML
configuration by ``flask --app app init`` so that other tables' foreign keys
(cases, calls, callbacks, accounts) can refer to them.

There is one run-time representation of lines, departments and categories:
the configuration (``config.catalog``).  These rows hold nothing else than
the key a foreign key points at and whether the YAML still has it: rows no
longer in the YAML are marked inactive, never deleted, since old cases still
refer to them.
"""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from database import Base
from database.setup import sync_rows


class Line(Base):
    __tablename__ = "line"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)


class Department(Base):
    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)


class Category(Base):
    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)


def sync_configuration(session: Session, config) -> dict[str, int]:
    """Make the line, department and category rows match ``config`` (a
    ``config.catalog.HotlineConfig``); the counts loaded, by kind."""
    counts = {}
    counts["lines"] = sync_rows(session, Line, "id", {line_id: {} for line_id in config.lines})
    counts["departments"] = sync_rows(session, Department, "code", {code: {} for code in config.departments})
    counts["categories"] = sync_rows(session, Category, "code", {code: {} for code in config.categories})
    session.flush()
    return counts
