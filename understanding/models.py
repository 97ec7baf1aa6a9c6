"""What the understanding package keeps in the database: the models it has
trained, and the centre's own labelled cases it learns from."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from database import Base


class TrainingExample(Base):
    """A case whose category a person confirmed or corrected: what the caller
    said, and the category it really was.  One per case; the latest word wins."""

    __tablename__ = "training_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="SET NULL"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))          # correction | confirmation
    actor: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]


class ClassifierModel(Base):
    """A trained ``Understanding``, pickled.  Every web worker loads the
    newest at start; ``version`` is the digest of what it learnt from."""

    __tablename__ = "classifier_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    trained_at: Mapped[datetime]
    examples: Mapped[int]
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    model: Mapped[bytes] = mapped_column(LargeBinary)


Index("ix_classifier_model_trained_at", ClassifierModel.trained_at)
