"""The call log: calls, their status callbacks, IVR steps and recordings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import Base, utcnow


class Call(Base):
    """One Twilio call, keyed by its CallSid."""

    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    line_id: Mapped[str | None] = mapped_column(ForeignKey("line.id"))
    direction: Mapped[str] = mapped_column(String(32), default="inbound")
    from_raw: Mapped[str | None] = mapped_column(String(64))
    to_number: Mapped[str | None] = mapped_column(String(32))
    # The caller as parsed by phonenumbers; None when anonymous or unparseable.
    caller_e164: Mapped[str | None] = mapped_column(String(32), index=True)
    caller_region: Mapped[str | None] = mapped_column(String(8))
    caller_location: Mapped[str | None] = mapped_column(String(100))
    caller_carrier: Mapped[str | None] = mapped_column(String(100))
    caller_time_zone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="ringing")
    last_sequence: Mapped[int | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    # The last time Twilio told us anything about the call (a webhook, a
    # status callback, a queue wait round).  A call quiet for long is gone,
    # even if its final status callback was lost.
    last_seen_at: Mapped[datetime | None] = mapped_column(index=True)
    duration_seconds: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(16))
    # The IVR's state between webhooks (ivr.flow.CallState as JSON).
    ivr_state: Mapped[dict | None] = mapped_column(JSON)
    ivr_step: Mapped[int] = mapped_column(default=0)
    via_fallback: Mapped[bool] = mapped_column(default=False)
    # Waiting for a person: which queue, since when, how it ended.
    queue_name: Mapped[str | None] = mapped_column(String(64))
    queued_at: Mapped[datetime | None] = mapped_column()
    queue_position: Mapped[int | None] = mapped_column()
    queue_ended_at: Mapped[datetime | None] = mapped_column()
    queue_result: Mapped[str | None] = mapped_column(String(32))
    # Asked for a person and refused by the operators' desk (closed,
    # queue_full, wait_too_long): the first refusal of the call, when and
    # why; a later refusal in the same call changes nothing.
    operator_refused_at: Mapped[datetime | None] = mapped_column()
    operator_refused_reason: Mapped[str | None] = mapped_column(String(16))
    # The operator who took the call over or answered it from the queue.
    operator: Mapped[str | None] = mapped_column(String(100))
    operator_joined_at: Mapped[datetime | None] = mapped_column()
    # The conference every operator bridge goes through (hotline-<CallSid>):
    # Twilio's sid once it started, the operator's side of it (talking,
    # holding, consulting, three_way, handed_over: operators.conference) and
    # the department a warm transfer consults.
    conference_name: Mapped[str | None] = mapped_column(String(100))
    conference_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    conference_state: Mapped[str | None] = mapped_column(String(16))
    transfer_department: Mapped[str | None] = mapped_column(String(32))

    steps: Mapped[list["IvrStep"]] = relationship(back_populates="call", order_by="IvrStep.sequence")
    status_events: Mapped[list["CallStatusEvent"]] = relationship(
        back_populates="call", order_by="CallStatusEvent.id")
    recordings: Mapped[list["Recording"]] = relationship(back_populates="call")


class CallParticipant(Base):
    """One leg in a call's conference: the caller, the operator, a
    supervisor or a department; its mode (talk, listen, coach, barge), hold
    and mute as Twilio last reported them, and when it joined and left.
    The centre's figures (handling, supervision, transfers) come from here."""

    __tablename__ = "call_participant"
    __table_args__ = (UniqueConstraint("conference_name", "call_leg_sid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    conference_name: Mapped[str] = mapped_column(String(100))
    conference_sid: Mapped[str | None] = mapped_column(String(64))
    call_leg_sid: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # Who: the operator's or supervisor's user name, the department's code.
    who: Mapped[str | None] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16), default="talk")
    muted: Mapped[bool] = mapped_column(default=False)
    hold: Mapped[bool] = mapped_column(default=False)
    # dialling, joined, left, failed (never joined: not answered, busy)
    status: Mapped[str] = mapped_column(String(16), default="dialling")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column()
    left_at: Mapped[datetime | None] = mapped_column()
    last_sequence: Mapped[int | None] = mapped_column()


class CallStatusEvent(Base):
    """One status callback as Twilio sent it."""

    __tablename__ = "call_status_event"
    __table_args__ = (UniqueConstraint("call_id", "sequence_number", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32))
    sequence_number: Mapped[int] = mapped_column()
    twilio_timestamp: Mapped[str | None] = mapped_column(String(64))
    duration_seconds: Mapped[int | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    params: Mapped[dict] = mapped_column(JSON, default=dict)

    call: Mapped[Call] = relationship(back_populates="status_events")


class IvrStep(Base):
    """One webhook turn of the IVR: what the caller did and what they heard.

    ``sequence`` is the step number carried in the action URL, so a retried
    webhook finds its row and gets the same TwiML back.
    """

    __tablename__ = "ivr_step"
    __table_args__ = (UniqueConstraint("call_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column()
    node: Mapped[str] = mapped_column(String(64))
    digits: Mapped[str | None] = mapped_column(String(64))
    speech: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column()
    said: Mapped[str] = mapped_column(Text, default="")
    twiml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="steps")


class Recording(Base):
    """A recording the caller left, with a transcript when one exists, or a
    recording of an operator's call (``purpose`` operator_call, two
    channels: the caller on one, the operator on the other)."""

    __tablename__ = "recording"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(500))
    duration_seconds: Mapped[int | None] = mapped_column()
    status: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32), default="voicemail")
    channels: Mapped[int | None] = mapped_column()
    transcript: Mapped[str | None] = mapped_column(Text)
    transcription_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call | None] = relationship(back_populates="recordings")


Index("ix_call_status_started", Call.status, Call.started_at)
# The calls that joined a queue in a period: the call-centre figures and the wallboard.
Index("ix_call_queued_at", Call.queued_at)
# The calls refused a person in a period: the call-centre figures and the wallboard.
Index("ix_call_operator_refused_at", Call.operator_refused_at)
