"""Training: the corpus, the catalogue's own words and the centre's labelled
cases in, an ``Understanding`` out.

Pure (no Flask, no database) and deterministic: the same examples give the
same model.  The confirm threshold is chosen on cross-validated predictions
of the training examples, so that a reading the IVR reads back for one
confirmation is right at least ``CONFIRM_PRECISION`` of the time; the
held-out set plays no part.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Mapping

import numpy as np
from sklearn.model_selection import StratifiedKFold

from config.catalog import Category
from understanding.classifier import SEED, CategoryModel, Features, QuestionModel
from understanding.corpus import Corpus, Example, training_digest
from understanding.evaluation import choose_thresholds
from understanding.reading import KeywordReader, Understanding

CONFIRM_PRECISION = 0.90
# Bumped whenever the code changes what a model is or how it reads text:
# models stored before are stale, and ``init`` retrains them.
MODEL_FORMAT = "3"
THRESHOLD_FOLDS = 4


def catalogue_examples(categories: Iterable[Category]) -> list[Example]:
    """Each category's names and keywords as short examples of it: the
    catalogue's own vocabulary (cross-validation: +2.8 points top-1)."""
    examples = []
    for category in categories:
        words = dict.fromkeys((category.names.get("zh-CN", ""), *category.keywords))
        examples.extend(Example(word, category.code, "catalogue") for word in words if word)
    return examples


def fingerprint(corpus: Corpus, categories: Mapping[str, Category]) -> str:
    """The version of a model trained on ``corpus`` and this catalogue."""
    examples = corpus.with_examples(catalogue_examples(categories.values()))
    return training_digest(examples.with_examples([Example(f"model format {MODEL_FORMAT}", None, "format")]))


def train(corpus: Corpus, categories: Mapping[str, Category], now: datetime,
          tune_thresholds: bool = True) -> Understanding:
    catalogue = catalogue_examples(c for c in categories.values())
    examples = list(corpus.examples) + catalogue
    texts, codes = [e.text for e in examples], [e.code for e in examples]
    figures: dict[str, object] = {}
    reader_thresholds = None
    if tune_thresholds:
        said = list(corpus.examples)
        probabilities, columns = cross_validated([e.text for e in said], [e.code for e in said], catalogue)
        truth = [e.code for e in said]
        reader_thresholds = choose_thresholds(probabilities, columns, truth, CONFIRM_PRECISION)
        ranked = np.argsort(-probabilities, axis=1)
        figures["cross_validated_top1"] = round(float(np.mean(
            [columns[r[0]] == t for r, t in zip(ranked, truth, strict=True)])), 4)
        figures["cross_validated_top3"] = round(float(np.mean(
            [t in [columns[i] for i in r[:3]] for r, t in zip(ranked, truth, strict=True)])), 4)
    enquiries = [e.text for e in corpus.enquiries]
    features = Features().fit(texts + enquiries)
    model = CategoryModel().fit(features.transform(texts), codes)
    said = [e.text for e in corpus.examples]
    questions = QuestionModel().fit(features.transform(said + enquiries),
                                    [False] * len(said) + [True] * len(enquiries))
    understanding = Understanding(version=fingerprint(corpus, categories), trained_at=now, features=features,
                                  categories=model,
                                  questions=questions, examples=len(corpus.examples), figures=figures,
                                  fallback=KeywordReader(categories.values()))
    if reader_thresholds is not None:
        understanding.thresholds = reader_thresholds
    understanding.figures["confirm_threshold"] = understanding.thresholds.confirm
    return understanding


def cross_validated(texts: list[str], codes: list[str], always: list[Example] = (),
                    folds: int = THRESHOLD_FOLDS) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each example's probabilities from a model that did not see it
    (``always`` joins every training fold: the catalogue's words)."""
    columns = tuple(sorted(set(codes) | {e.code for e in always}))
    result = np.zeros((len(texts), len(columns)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for train_rows, test_rows in splitter.split(texts, codes):
        fold_texts = [texts[i] for i in train_rows] + [e.text for e in always]
        features = Features().fit(fold_texts)
        model = CategoryModel().fit(features.transform(fold_texts),
                                    [codes[i] for i in train_rows] + [e.code for e in always])
        fold_columns, probabilities = model.probabilities(features.transform([texts[i] for i in test_rows]))
        for j, code in enumerate(fold_columns):
            result[test_rows, columns.index(code)] = probabilities[:, j]
    return result, columns
