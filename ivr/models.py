"""Lines as rows, synced from the YAML configuration."""
from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from database import Base


class Line(Base):
    __tablename__ = "line"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    numbers: Mapped[list] = mapped_column(JSON, default=list)
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
