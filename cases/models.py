"""Cases (案件), their complainants and their audited events."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import Base, utcnow


class Case(Base):
    __tablename__ = "case_file"  # 案卷; "case" is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    line_id: Mapped[str | None] = mapped_column(ForeignKey("line.id"))
    channel: Mapped[str] = mapped_column(String(32), default="hotline")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    category_code: Mapped[str | None] = mapped_column(ForeignKey("category.code"))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    location_text: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    status: Mapped[str] = mapped_column(String(32), default="intake")
    # The disposal time limit: when the clock started and when it falls due.
    clock_started_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    overdue_flagged_at: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column()
    # Why the case left the main path (suspend, void, return), and when a
    # suspended case is to be looked at again.
    status_reason: Mapped[str | None] = mapped_column(Text)
    review_date: Mapped[date | None] = mapped_column(Date)
    address_key: Mapped[str | None] = mapped_column(String(200), index=True)
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    media_url: Mapped[str | None] = mapped_column(String(500))
    attributes: Mapped[dict | None] = mapped_column(JSON)
    open311_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    needs_operator: Mapped[bool] = mapped_column(default=False)
    after_hours: Mapped[bool] = mapped_column(default=False)
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recording.id", ondelete="SET NULL"))
    speech_confidence: Mapped[float | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the services from the app's clock on every change (the repeat
    # window of closed cases is measured from it).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    complainants: Mapped[list["Complainant"]] = relationship(
        back_populates="case", order_by="Complainant.id", cascade="all, delete-orphan")
    tasks: Mapped[list["InspectorTask"]] = relationship(
        back_populates="case", order_by="InspectorTask.id", cascade="all, delete-orphan")
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan")
    photos: Mapped[list["CasePhoto"]] = relationship(
        back_populates="case", order_by="CasePhoto.id", cascade="all, delete-orphan")


Index("ix_case_status_due", Case.status, Case.due_at)
Index("ix_case_category_created", Case.category_code, Case.created_at)
Index("ix_case_department_status", Case.department_code, Case.status)


class Complainant(Base):
    """A person who reported the case; several repeat reporters may share one."""

    __tablename__ = "complainant"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    phone_e164: Mapped[str | None] = mapped_column(String(32), index=True)
    callback_number: Mapped[str | None] = mapped_column(String(32))
    callback_declined: Mapped[bool] = mapped_column(default=False)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="complainants")


class CaseEvent(Base):
    """An audited step in a case's life: who, when, from, to, and why."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    # The department the case was with after this event, for the indicators.
    department_code: Mapped[str | None] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="events")


# For the monthly assessment (reports.statement.concerned): the cases moved in a month, from the
# index alone; and (PostgreSQL only) the cases falling due in a month, by the deadline each event
# set: the migration writes its expression, data ->> 'due_at'.
Index("ix_case_event_at_case_id", CaseEvent.at, CaseEvent.case_id)
_DUE_AT = CaseEvent.data["due_at"].as_string()
Index("ix_case_event_due_at", _DUE_AT, postgresql_where=_DUE_AT.isnot(None)).ddl_if(dialect="postgresql")


class CaseNumberSequence(Base):
    """The last case number issued on each day, for short daily numbers."""

    __tablename__ = "case_number_sequence"
    __table_args__ = (UniqueConstraint("day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    last: Mapped[int] = mapped_column(default=0)


class InspectorTask(Base):
    """A field inspector's task: verify a report before filing, or check a
    disposal before closing."""

    __tablename__ = "inspector_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))          # verify | check
    status: Mapped[str] = mapped_column(String(16), default="open")   # open | done | cancelled
    reason: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()

    case: Mapped[Case] = relationship(back_populates="tasks")


Index("ix_inspector_task_status_kind", InspectorTask.status, InspectorTask.kind)


class CasePhoto(Base):
    """A photo kept with a case: an inspector's, taken on site.  The file is
    under the photo directory (settings.photos) as ``stored_name``; the row
    says whose it is and what it is."""

    __tablename__ = "case_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("inspector_task.id", ondelete="SET NULL"))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="photos")
