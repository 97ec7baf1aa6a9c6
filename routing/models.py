"""Departments and categories as rows, synced from the YAML configuration so
cases, queues and reports can refer to them."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from database import Base


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
