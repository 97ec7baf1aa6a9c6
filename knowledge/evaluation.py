"""How well the search finds the right article: top-1 and top-3 on the
frozen held-out enquiries (``config/knowledge/heldout-2.yaml``; the first
set, ``heldout.yaml``, has been measured and is held out no more), and the
confidence threshold the IVR answers above, chosen on the articles' own
asks.

Pure.  The held-out set is only ever measured, once per change of the
search, and never used to choose anything: ``choose_threshold`` reads the
articles alone.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from knowledge.articles import CURRENT_HELDOUT, HELDOUT_SETS, Article, HeldOutEnquiry
from knowledge.search import Index, margin


def heldout_digest(config_dir: Path | str, which: str = CURRENT_HELDOUT,
                   files: tuple[Path, Path] | None = None) -> str:
    """SHA-256 of the held-out set's file as it is on disk."""
    return hashlib.sha256((Path(config_dir) / (files or HELDOUT_SETS[which])[0]).read_bytes()).hexdigest()


def frozen_digest(config_dir: Path | str, which: str = CURRENT_HELDOUT,
                  files: tuple[Path, Path] | None = None) -> str | None:
    """The SHA-256 written (in ``FROZEN-2``, or ``FROZEN`` for the first set) when the set was frozen."""
    path = Path(config_dir) / (files or HELDOUT_SETS[which])[1]
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            return line.split()[0]
    return None


@dataclass(frozen=True)
class Figures:
    enquiries: int
    top1: int
    top3: int
    answered: int              # the best article stood out enough: the IVR would answer
    answered_right: int        # ... and its article was the right one
    misses: tuple[tuple[str, str, str], ...]   # (text, expected, found first)

    def share(self, count: int) -> float:
        return count / self.enquiries if self.enquiries else 0.0

    def as_dict(self) -> dict:
        return {"enquiries": self.enquiries, "top1": self.top1, "top3": self.top3,
                "top1_rate": round(self.share(self.top1), 4), "top3_rate": round(self.share(self.top3), 4),
                "answered": self.answered, "answered_right": self.answered_right}


def evaluate(index: Index, enquiries: Sequence[HeldOutEnquiry], threshold: float) -> Figures:
    top1 = top3 = answered = answered_right = 0
    misses = []
    for enquiry in enquiries:
        hits = index.search(enquiry.text, line=enquiry.line, k=3)
        ids = [hit.article.id for hit in hits]
        top1 += bool(ids) and ids[0] == enquiry.article
        top3 += enquiry.article in ids
        if hits and margin(hits) >= threshold:
            answered += 1
            answered_right += ids[0] == enquiry.article
        if not ids or ids[0] != enquiry.article:
            misses.append((enquiry.text, enquiry.article, ids[0] if ids else "-"))
    return Figures(len(enquiries), top1, top3, answered, answered_right, tuple(misses))


def own_asks_margins(articles: Sequence[Article], language: str = "zh-CN") -> list[tuple[float, bool]]:
    """Each article's asks searched with that ask left out of its article:
    (the best article's lead over the second, whether the best was its own
    article).  What the threshold is chosen on; one index per ask, so it
    takes a while (half a minute)."""
    scored = []
    for index, article in enumerate(articles):
        asks = article.asks_in(language)
        for ask in asks:
            others = tuple(a for a in asks if a != ask) or (article.text("title", language),)
            trimmed = [*articles[:index], article.with_asks(language, others), *articles[index + 1:]]
            hits = Index(trimmed, language).search(ask, line=article.lines[0], k=2)
            if hits:
                scored.append((margin(hits), hits[0].article.id == article.id))
    return scored


def choose_threshold(scored: Sequence[tuple[float, bool]], precision: float = 0.9) -> float:
    """The lowest lead above which at least ``precision`` of the answers
    given are the right article.  A wrong answer read out costs a caller
    more than being put through to a person, though they can still say
    their question again or press 0."""
    best = max((score for score, _ in scored), default=1.0)
    for candidate in sorted({round(score, 2) for score, _ in scored}):
        above = [right for score, right in scored if score >= candidate]
        if above and sum(above) / len(above) >= precision:
            return candidate
    return round(best, 2)


@dataclass(frozen=True)
class QuestionFigures:
    """How a question rule splits frozen questions and frozen reports."""
    questions: int
    questions_recognised: int
    complaints: int
    complaints_taken_for_questions: int

    def as_dict(self) -> dict:
        return {"questions": self.questions, "questions_recognised": self.questions_recognised,
                "complaints": self.complaints, "complaints_taken_for_questions": self.complaints_taken_for_questions}


def question_figures(is_question, questions: Sequence[str], complaints: Sequence[str]) -> QuestionFigures:
    return QuestionFigures(len(questions), sum(bool(is_question(q)) for q in questions),
                           len(complaints), sum(bool(is_question(c)) for c in complaints))
