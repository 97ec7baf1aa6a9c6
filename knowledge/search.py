"""Finding the article that answers what a caller asked.

Pure.  Each article is two texts: what people ask (its title and ``asks``)
and what it says (its spoken summary and answer).  A question is compared
with both through TF-IDF over the same views the classifier reads
(characters and pairs, and the folded sounds of ``understanding.text``), by
cosine similarity; both weigh the same.  Lines see only their own
articles.  The weights were chosen on the articles' own ``asks``, each
searched for with itself left out (``leave_one_out``), never on the
held-out enquiries.

Each language has its own index over that language's texts: a question in
English is never compared with the Chinese asks.  Chinese is read as
characters, pairs of characters and their folded sounds; English as words,
pairs of words, and letter runs within words (for recognition slips), over
the English title, the English asks (``asks.en-US.yaml``) and the English
summary and answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.articles import Article
from understanding.text import Sounds, normalise

ASKED_WEIGHT = 1.0
SAID_WEIGHT = 1.0
SOUNDS_WEIGHT = 0.5
LETTERS_WEIGHT = 1.0        # English: letter runs beside the words
CHINESE = "zh-CN"
# The IVR reads an article out only when it leads the second best by this
# much.  The lead, not the score itself, tells right from wrong on the
# articles' own asks (each left out of its article): at 0.04, 91% of the
# answers given are the right article (knowledge.evaluation.choose_threshold;
# docs/knowledge.md).  Never chosen on the held-out enquiries.
ANSWER_MARGIN = 0.04
# The same rule per language, each chosen on that language's own asks: in
# English (asks.en-US.yaml, each left out of its article) 0.23 keeps 90% of the
# answers right, and 23% of those asks are answered by voice; the rest go to a
# person.
ANSWER_MARGINS = {CHINESE: ANSWER_MARGIN, "en-US": 0.23}


def answer_margin(language: str | None) -> float:
    return ANSWER_MARGINS.get(language or CHINESE, ANSWER_MARGIN)


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float


class Index:
    def __init__(self, articles: Sequence[Article], language: str = CHINESE) -> None:
        self.articles = tuple(articles)
        self.language = language
        self.chinese = language == CHINESE
        asked = [self._asked(a) for a in self.articles]
        said = [self._said(a) for a in self.articles]
        if self.chinese:
            self.views = (
                (TfidfVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, sublinear_tf=True), 1.0),
                (TfidfVectorizer(analyzer=Sounds.build(), sublinear_tf=True), SOUNDS_WEIGHT))
        else:
            self.views = (
                (TfidfVectorizer(analyzer="word", ngram_range=(1, 2), stop_words="english", sublinear_tf=True), 1.0),
                (TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True), LETTERS_WEIGHT))
        for vectorizer, _ in self.views:
            vectorizer.fit(asked + said)
        self._asked_matrix = self._vectors(asked)
        self._said_matrix = self._vectors(said)

    def _read(self, text: str) -> str:
        return normalise(text) if self.chinese else " ".join(text.lower().split())

    def _asked(self, article: Article) -> str:
        return self._read(" ".join((article.text("title", self.language), *article.asks_in(self.language))))

    def _said(self, article: Article) -> str:
        return self._read(" ".join((article.text("spoken", self.language), article.text("answer", self.language))))

    def _vectors(self, texts: list[str]) -> sparse.csr_matrix:
        parts = [vectorizer.transform(texts) * weight for vectorizer, weight in self.views]
        return _normalised(sparse.hstack(parts, format="csr"))

    def search(self, question: str, line: str | None = None, k: int = 3) -> tuple[Hit, ...]:
        query = self._vectors([self._read(question)])
        scores = (ASKED_WEIGHT * (self._asked_matrix @ query.T).toarray().ravel()
                  + SAID_WEIGHT * (self._said_matrix @ query.T).toarray().ravel())
        order = np.argsort(-scores, kind="stable")
        hits = [Hit(self.articles[i], float(scores[i])) for i in order
                if line is None or line in self.articles[i].lines]
        return tuple(hits[:k])


def margin(hits: Sequence[Hit]) -> float:
    """How far the best article leads the second: the search's confidence."""
    if not hits:
        return 0.0
    return hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)


def _normalised(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A.ravel()
    norms[norms == 0] = 1.0
    return sparse.diags(1 / norms) @ matrix


def leave_one_out(articles: Sequence[Article]) -> float:
    """Each article's asks, searched with that ask removed from its article:
    the share that finds their own article first.  The tuning set."""
    right = total = 0
    for index, article in enumerate(articles):
        for ask in article.asks:
            others = tuple(a for a in article.asks if a != ask) or (article.text("title", "zh-CN"),)
            trimmed = [*articles[:index], _with_asks(article, others), *articles[index + 1:]]
            hits = Index(trimmed).search(ask, k=1)
            right += bool(hits) and hits[0].article.id == article.id
            total += 1
    return right / total if total else 0.0


def _with_asks(article: Article, asks: Iterable[str]) -> Article:
    from dataclasses import replace
    return replace(article, asks=tuple(asks))
