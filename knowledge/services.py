"""The knowledge base's use cases: answer a caller's question and log the
enquiry, follow what became of it, and let supervisors search and edit the
articles with every change kept.

The shipped articles are ``config/knowledge/articles.yaml``; a supervisor's
edit is stored in the database as an override of the YAML's article
(``ArticleOverride``), so it survives restarts and reaches every web
worker: each rebuilds its search index when the newest change is not the
one it was built from.  The YAML itself is never written.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from call_log.phones import mask
from knowledge.articles import Article, edited_article
from knowledge.models import ArticleChange, ArticleOverride, Enquiry
from knowledge.search import CHINESE, Hit, Index, answer_margin, margin

log = logging.getLogger(__name__)

ANSWERED, ESCALATED, OPERATOR = "answered", "escalated", "operator"
EDITABLE = ("title", "asks", "spoken", "answer")


class KnowledgeBase:
    """The articles as the centre has them now (the YAML's, with the
    supervisors' edits over them) and a search index over them, built once
    per worker (at start in production) and rebuilt on the first search
    after an edit: a few seconds, once per worker per edit."""

    def __init__(self, shipped: tuple[Article, ...], send_answer: Callable[..., None] | None = None) -> None:
        self.shipped = shipped
        # Puts an article's full answer in the SMS outbox (sms.receipts.Receipts.enquiry_answer, wired
        # by create_app); without it the wish stays recorded on the enquiry.
        self.send_answer = send_answer
        # (revision, articles, an index per language built so far)
        self._built: tuple[int | None, tuple[Article, ...], dict[str, Index]] | None = None

    def _current(self, session: Session, language: str = CHINESE) -> tuple[tuple[Article, ...], Index]:
        revision = session.scalar(select(func.max(ArticleChange.id)))
        built = self._built
        if built is None or built[0] != revision:
            articles = self._merged(session) if revision is not None else self.shipped
            built = (revision, articles, {})
            self._built = built
        indexes = built[2]
        if language not in indexes:
            indexes[language] = Index(built[1], language)
        return built[1], indexes[language]

    def _merged(self, session: Session) -> tuple[Article, ...]:
        overrides = {o.article_id: o for o in session.scalars(select(ArticleOverride))}
        return tuple(_overridden(a, overrides[a.id]) if a.id in overrides else a for a in self.shipped)

    def warm(self, session: Session, languages: tuple[str, ...] = (CHINESE,)) -> None:
        """Build the indexes now (a few seconds for 65 articles), so that the
        first caller's question does not wait for them."""
        for language in languages:
            self._current(session, language)

    def articles(self, session: Session) -> tuple[Article, ...]:
        return self._current(session)[0]

    def article(self, session: Session, article_id: str) -> Article | None:
        return next((a for a in self.articles(session) if a.id == article_id), None)

    def search(self, session: Session, question: str, line: str | None = None, k: int = 3,
               language: str = CHINESE) -> tuple[Hit, ...]:
        """The best articles for ``question``, compared with the texts of its own language."""
        return self._current(session, language)[1].search(question, line=line, k=k)


def _overridden(article: Article, override: ArticleOverride) -> Article:
    content = override.content or {}
    return replace(article, title=content.get("title") or article.title,
                   asks=tuple(content.get("asks") or article.asks),
                   spoken=content.get("spoken") or article.spoken, answer=content.get("answer") or article.answer,
                   updated=override.updated_at.date())


# --- callers' questions --------------------------------------------------------------

@dataclass(frozen=True)
class Answered:
    enquiry: Enquiry
    article: Article | None          # None: not sure enough; a person takes it


def answer_enquiry(session: Session, knowledge: KnowledgeBase, *, line_id: str, question: str, language: str,
                   now: datetime, call_id: int | None = None, channel: str = "hotline",
                   search: bool = True) -> Answered:
    """Search the line's articles for ``question``, in the caller's language,
    and log the enquiry: answered when the best article leads the next by
    that language's ``answer_margin``, else (or without ``search``) for a person."""
    hits = knowledge.search(session, question, line=line_id, k=2, language=language) if search else ()
    lead = margin(hits)
    article = hits[0].article if hits and lead >= answer_margin(language) else None
    enquiry = Enquiry(line_id=line_id, call_id=call_id, channel=channel, language=language,
                      question=question[:2000], article_id=hits[0].article.id if hits else None,
                      lead=round(lead, 4), outcome=ANSWERED if article else OPERATOR, asked_at=now)
    session.add(enquiry)
    session.flush()
    return Answered(enquiry, article)


def escalate_enquiry(session: Session, enquiry_id: int, now: datetime) -> None:
    """The answer read out did not settle it (the caller pressed 0 or said more)."""
    enquiry = session.get(Enquiry, enquiry_id)
    if enquiry is not None and enquiry.outcome == ANSWERED:
        enquiry.outcome, enquiry.escalated_at = ESCALATED, now


def want_answer_by_sms(session: Session, knowledge: KnowledgeBase, enquiry_id: int, number: str,
                       now: datetime) -> None:
    """The caller pressed the key for the full answer by SMS: the wish is
    recorded on the enquiry (once, however often the webhook comes), then
    handed to ``send_answer_by_sms``."""
    enquiry = session.get(Enquiry, enquiry_id)
    if enquiry is None or enquiry.sms_requested_at is not None:
        return
    enquiry.sms_to, enquiry.sms_requested_at = number, now
    article = knowledge.article(session, enquiry.article_id or "")
    if article is not None:
        send_answer_by_sms(session, knowledge, enquiry, article, now)


def send_answer_by_sms(session: Session, knowledge: KnowledgeBase, enquiry: Enquiry, article: Article,
                       now: datetime) -> None:
    """Put the article's full answer, in the caller's language, in the SMS
    outbox for ``enquiry.sms_to``, in this session, for the scheduler to
    send.  The wish is recorded on the enquiry (``sms_to``,
    ``sms_requested_at``) either way."""
    if knowledge.send_answer is None:
        log.warning("enquiry %s: full answer by SMS wanted on %s, but no SMS outbox is wired",
                    enquiry.id, mask(enquiry.sms_to))
        return
    knowledge.send_answer(session, enquiry_id=enquiry.id, line_id=enquiry.line_id, phone=enquiry.sms_to,
                          language=enquiry.language, title=article.text("title", enquiry.language),
                          answer=article.text("answer", enquiry.language), at=now)


# --- supervisors' edits ---------------------------------------------------------------

class EditRefused(ValueError):
    """The edit would break an article (empty, too long); the message says how."""


def edit_article(session: Session, knowledge: KnowledgeBase, article_id: str, content: dict, actor: str,
                 now: datetime) -> Article:
    """Store a supervisor's version of the article and the change in its history."""
    current = knowledge.article(session, article_id)
    if current is None:
        raise EditRefused(f"no article {article_id!r}")
    try:
        edited = edited_article(current, content)
    except ValueError as exc:
        raise EditRefused(str(exc)) from None
    before, after = article_content(current), article_content(edited)
    if before == after:
        return current
    override = session.get(ArticleOverride, article_id)
    if override is None:
        override = ArticleOverride(article_id=article_id)
        session.add(override)
    override.content, override.updated_at, override.updated_by = after, now, actor[:120]
    session.add(ArticleChange(article_id=article_id, at=now, actor=actor[:120], before=before, after=after))
    session.flush()
    return edited


def article_content(article: Article) -> dict:
    return {"title": dict(article.title), "asks": list(article.asks), "spoken": dict(article.spoken),
            "answer": dict(article.answer)}


def history(session: Session, article_id: str | None = None, limit: int = 50) -> list[ArticleChange]:
    """The newest changes first, of one article or of all."""
    query = select(ArticleChange).order_by(ArticleChange.id.desc()).limit(limit)
    if article_id is not None:
        query = query.where(ArticleChange.article_id == article_id)
    return list(session.scalars(query))
