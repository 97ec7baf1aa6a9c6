"""One utterance, read: what it is about, where, how urgent, and whether it
is a question.  This is what the IVR asks of this package.

Pure.  An ``Understanding`` holds the trained models (as loaded in every
web worker); ``read`` answers a ``Reading``, and ``Thresholds.tier`` turns
its probabilities into what the IVR does next:

* ``confirm``: one category stands out; read it back for one confirmation;
* ``offer``: two or three are likely; offer them by name;
* ``unsure``: ask once more in other words, then a person or the keypad.

Without a trained model (a fresh install before ``flask --app app init``)
the catalogue's keywords stand in: never confident enough to confirm, so
the caller always chooses, and nothing is misfiled silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Collection, Iterable, Mapping

import sklearn

from config.catalog import Category
from understanding.classifier import CategoryModel, Features, Guess, QuestionModel
from understanding.english import is_english_question
from understanding.places import find_place
from understanding.text import is_chinese, normalise
from understanding.urgency import urgency_cues

# Fewer Chinese characters than this, once fillers are gone, say nothing to go on.
MIN_CONTENT = 4
_HAN = re.compile(r"[\u4e00-\u9fff]")

CONFIRM = "confirm"
OFFER = "offer"
UNSURE = "unsure"


@dataclass(frozen=True)
class Thresholds:
    """Where the IVR's three answers divide.  Chosen on cross-validated
    predictions of the training examples (docs/understanding.md), never on
    the held-out set."""

    confirm: float = 0.85       # the best guess at least this likely: confirm it
    offer: float = 0.55         # the best three together at least this likely: offer them...
    offer_best: float = 0.25    # ... and the best of them at least this likely
    question: float = 0.5       # at least this likely a question: an enquiry, not a case
    # Speech recognition's own confidence below this makes a confident
    # reading merely likely: the words themselves may be wrong.
    speech: float = 0.35

    def tier(self, reading: "Reading", speech_confidence: float | None = None) -> str:
        if not reading.guesses or not reading.substantial:
            return UNSURE
        best = reading.guesses[0].probability
        unsure_ears = speech_confidence is not None and 0 < speech_confidence < self.speech
        if best >= self.confirm and not unsure_ears and reading.trained:
            return CONFIRM
        if sum(g.probability for g in reading.guesses[:3]) >= self.offer and best >= self.offer_best:
            return OFFER
        return UNSURE

    def is_question(self, reading: "Reading") -> bool:
        return reading.substantial and reading.question >= self.question


@dataclass(frozen=True)
class Reading:
    text: str
    guesses: tuple[Guess, ...] = ()          # best first, over the line's categories
    place: str | None = None
    urgency: tuple[str, ...] = ()            # the urgency words said
    question: float = 0.0                    # probability the caller is asking, not reporting
    trained: bool = True                     # False: the keyword stand-in read it

    @property
    def urgent(self) -> bool:
        return bool(self.urgency)

    @property
    def substantial(self) -> bool:
        """Enough words to understand: "喂，那个事情" is not."""
        return len(_HAN.findall(normalise(self.text))) >= MIN_CONTENT or len(normalise(self.text)) >= 12

    @property
    def best(self) -> Guess | None:
        return self.guesses[0] if self.guesses else None


@dataclass
class Understanding:
    """The trained models and what they were trained on."""

    version: str                              # the training data's digest
    trained_at: datetime
    features: Features
    categories: CategoryModel
    questions: QuestionModel
    examples: int = 0
    thresholds: Thresholds = field(default_factory=Thresholds)
    figures: Mapping[str, object] = field(default_factory=dict)
    # Words in another language than the models know go to the keywords.
    fallback: "KeywordReader | None" = None

    def read(self, text: str, allowed: Collection[str] | None = None, k: int = 3) -> Reading:
        place, urgency = find_place(text), urgency_cues(text)
        if not is_chinese(text):
            if self.fallback is not None:
                return self.fallback.read(text, allowed, k)
            return Reading(text, place=place, urgency=urgency, question=english_question(text), trained=False)
        # The inputs are our own vectors: skip scikit-learn's checks of them.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            matrix = self.features.transform([text])
            return Reading(text, self.categories.rank(matrix, allowed, k), place, urgency,
                           float(self.questions.probability(matrix)[0]))

    def warm(self) -> None:
        """Load jieba's and pypinyin's dictionaries now, not on the first caller."""
        self.read("西仓路银春旅馆门前井盖丢了")


def english_question(text: str) -> float:
    """The models know Mandarin; English questions are told by a rule
    (``understanding.english``): 1.0 asking, 0.0 reporting."""
    return 1.0 if is_english_question(text) else 0.0


class KeywordReader:
    """The stand-in before a model is trained, and the reader of words in
    another language than the models know: the catalogue's keywords and
    names found in the caller's words, longest first.  It offers, never
    confirms, and it cannot tell a Chinese question from a complaint
    (English ones are told by ``understanding.english``)."""

    def __init__(self, categories: Iterable[Category]) -> None:
        self._words = sorted(
            ((normalise(word), category.code) for category in categories
             for word in (*category.keywords, *category.names.values()) if normalise(word)),
            key=lambda item: -len(item[0]))
        self.thresholds = Thresholds()

    def read(self, text: str, allowed: Collection[str] | None = None, k: int = 3) -> Reading:
        said = normalise(text)
        codes: list[str] = []
        for word, code in self._words:
            if word in said and code not in codes and (allowed is None or code in allowed):
                codes.append(code)
        codes = codes[:k]
        guesses = tuple(Guess(code, 1 / len(codes)) for code in codes)
        question = 0.0 if is_chinese(text) else english_question(text)
        return Reading(text, guesses, find_place(text), urgency_cues(text), question, trained=False)
