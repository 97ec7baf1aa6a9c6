"""The models: which category a complaint belongs to, and whether the caller
is asking rather than complaining.

Pure: scikit-learn, no Flask, no database.  Both read two views of an
utterance (``understanding.text``: characters and sounds) through TF-IDF
into a linear support-vector classifier, calibrated by temperature scaling
on cross-validated predictions, so that a probability of 0.8 is right about
four times in five and the IVR's thresholds mean what they say.  Linear
models over character n-grams are what Amsterdam's Signals runs in
production for the same job: fast, small and deterministic.

The category model is one flat model over all categories; the major class
(C01 public facilities, E05 street order...) is read off it as the sum of
its categories' probabilities.  A two-level model (class, then category
within it) was tried and was less accurate on cross-validated training
examples (docs/understanding.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Sequence

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from understanding.text import Sounds, normalise

# Chosen by cross-validation on the training examples only (docs/understanding.md).
C = 0.5
CALIBRATION_FOLDS = 3
SEED = 0


@dataclass(frozen=True)
class Guess:
    code: str
    probability: float


class Features:
    """Characters and sounds of an utterance, each TF-IDF weighted, side by
    side.  One instance serves both models, so an utterance is normalised
    and vectorised once."""

    def __init__(self) -> None:
        self.chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, sublinear_tf=True,
                                     min_df=2, dtype=np.float32)
        self.sounds = TfidfVectorizer(analyzer=Sounds.build(), sublinear_tf=True, min_df=2, dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> "Features":
        said = [normalise(t) for t in texts]
        self.chars.fit(said)
        self.sounds.fit(said)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        said = [normalise(t) for t in texts]
        return sparse.hstack([self.chars.transform(said), self.sounds.transform(said)], format="csr")

    def memory(self) -> int:
        table = sum(len(s) + 50 for s in self.sounds.analyzer.table)
        return table + sum(sum(len(term) * 4 + 100 for term in v.vocabulary_) + v.idf_.nbytes
                           for v in (self.chars, self.sounds))


def _classifier(labels: Sequence[str]):
    """Calibrated when every label has examples enough to cross-validate."""
    svc = LinearSVC(C=C, random_state=SEED)
    if min(np.unique(labels, return_counts=True)[1]) < CALIBRATION_FOLDS:
        return svc
    return CalibratedClassifierCV(svc, method="temperature", cv=CALIBRATION_FOLDS, ensemble=False)


def _compact(model) -> None:
    """float32 weights: half the memory in every web worker, the same answers
    to the precision that matters."""
    estimator = getattr(model, "calibrated_classifiers_", [None])[0]
    svc = estimator.estimator if estimator is not None else model
    svc.coef_ = np.asarray(svc.coef_, dtype=np.float32)
    svc.intercept_ = np.asarray(svc.intercept_, dtype=np.float32)


class CategoryModel:
    def __init__(self) -> None:
        self.model = None

    def fit(self, matrix: sparse.csr_matrix, codes: Sequence[str]) -> "CategoryModel":
        self.model = _classifier(codes).fit(matrix, np.asarray(codes))
        _compact(self.model)
        return self

    @property
    def classes_(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.model.classes_)

    def probabilities(self, matrix: sparse.csr_matrix) -> tuple[tuple[str, ...], np.ndarray]:
        """Every category's probability for each row: (codes, rows x codes)."""
        if hasattr(self.model, "predict_proba"):
            return self.classes_, self.model.predict_proba(matrix)
        return self.classes_, _softmax(np.atleast_2d(self.model.decision_function(matrix)))

    def rank(self, matrix: sparse.csr_matrix, allowed: Collection[str] | None = None,
             k: int = 3) -> tuple[Guess, ...]:
        """The ``k`` likeliest categories of one row among ``allowed`` (a line's categories)."""
        codes, probabilities = self.probabilities(matrix)
        return top(codes, probabilities[0], allowed, k)

    def memory(self) -> int:
        """Bytes of the weights, roughly."""
        estimator = getattr(self.model, "calibrated_classifiers_", [None])[0]
        svc = estimator.estimator if estimator is not None else self.model
        return svc.coef_.nbytes + svc.intercept_.nbytes


def top(codes: Sequence[str], row: np.ndarray, allowed: Collection[str] | None, k: int) -> tuple[Guess, ...]:
    """The ``k`` likeliest of the ``allowed`` categories.  Not renormalised:
    words that sound like another line's categories leave this line's
    guesses unsure, rather than blowing up a small remainder."""
    if allowed is not None:
        mask = np.array([code in allowed for code in codes])
        row = np.where(mask, row, 0.0)
    if row.sum() <= 0:
        return ()
    order = np.argsort(-row, kind="stable")[:k]
    return tuple(Guess(codes[i], float(row[i])) for i in order if row[i] > 0)


def by_major(guesses: Sequence[Guess]) -> dict[str, float]:
    """The major classes' probabilities, summed from their categories'."""
    totals: dict[str, float] = {}
    for guess in guesses:
        totals[guess.code[:3]] = totals.get(guess.code[:3], 0.0) + guess.probability
    return totals


def _softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


class QuestionModel:
    """Is the caller asking (an enquiry) rather than reporting a problem?"""

    def __init__(self) -> None:
        self.model = None

    def fit(self, matrix: sparse.csr_matrix, is_question: Sequence[bool]) -> "QuestionModel":
        labels = np.array(["question" if q else "complaint" for q in is_question])
        self.model = _classifier(labels).fit(matrix, labels)
        _compact(self.model)
        return self

    def probability(self, matrix: sparse.csr_matrix) -> np.ndarray:
        column = list(self.model.classes_).index("question")
        return self.model.predict_proba(matrix)[:, column]
