"""What the knowledge base keeps in the database: every enquiry a caller
made and how it was answered, and the supervisors' edits of the articles
(the YAML is the shipped text; an edit is stored here as an override, with
the history of every change)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from database import Base


class Enquiry(Base):
    """A question a caller asked, never a case.  ``outcome``:

    * ``answered``: an article was read out, and the caller asked for no one;
    * ``escalated``: an article was read out, but the caller pressed 0 or
      went on to say their problem;
    * ``operator``: no article was sure enough, so a person took it.

    直办率 (direct-answer rate) is answered over all of them.
    """

    __tablename__ = "enquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[str] = mapped_column(ForeignKey("line.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), default="hotline")
    language: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str | None] = mapped_column(String(80))
    lead: Mapped[float | None] = mapped_column(Float)             # the best article's lead over the second
    outcome: Mapped[str] = mapped_column(String(16))             # answered | escalated | operator
    asked_at: Mapped[datetime]
    escalated_at: Mapped[datetime | None]
    # The caller asked for the full answer by SMS: the number and when.  The
    # SMS outbox sends it (knowledge.services.send_answer_by_sms).
    sms_to: Mapped[str | None] = mapped_column(String(32))
    sms_requested_at: Mapped[datetime | None]


Index("ix_enquiry_line_id_asked_at", Enquiry.line_id, Enquiry.asked_at)


class ArticleOverride(Base):
    """A supervisor's version of an article, which wins over the YAML's."""

    __tablename__ = "knowledge_article"

    article_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    content: Mapped[dict] = mapped_column(JSON)                  # title, asks, spoken, answer (per language)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))


class ArticleChange(Base):
    """One edit of an article: who, when, and the text before and after."""

    __tablename__ = "knowledge_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)


Index("ix_knowledge_change_article_id_at", ArticleChange.article_id, ArticleChange.at)
