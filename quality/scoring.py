"""The arithmetic of quality review, without a database: which calls are
drawn for review, a review's scores checked against the checklist, and the
averages per operator.  (The checklist and the sampling rule are
config/quality.yaml, read by quality.settings.)"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Item:
    """One line of the checklist: what is judged and how many points it is worth."""

    key: str
    names: Mapping[str, str]          # language -> label (问候语 / Greeting)
    points: int

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()))


@dataclass(frozen=True)
class SamplingRule:
    """How many of each operator's recorded calls a week are reviewed: a
    set number (``per_operator``), or a share of them rounded up (``share``)."""

    per_operator: int | None = 3
    share: float | None = None

    def quota(self, calls: int) -> int:
        if calls <= 0:
            return 0
        if self.share is not None:
            return min(calls, math.ceil(calls * self.share - 1e-9))
        return min(calls, self.per_operator or 0)


class ScoreError(ValueError):
    """A review's scores do not fit the checklist; ``item`` names the line."""

    def __init__(self, item: str, problem: str) -> None:
        super().__init__(f"{item}: {problem}")
        self.item, self.problem = item, problem


@dataclass(frozen=True)
class Scored:
    scores: dict[str, int]
    total: int
    possible: int

    @property
    def percent(self) -> float:
        return 100.0 * self.total / self.possible if self.possible else 0.0


def possible(checklist: Iterable[Item]) -> int:
    return sum(item.points for item in checklist)


def score(checklist: tuple[Item, ...], given: Mapping[str, object]) -> Scored:
    """The points given for each item, checked: every item scored, a whole
    number from 0 to its points.  Items not on the checklist are refused."""
    known = {item.key for item in checklist}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ScoreError(unknown[0], "not on the checklist")
    scores: dict[str, int] = {}
    for item in checklist:
        value = given.get(item.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ScoreError(item.key, "not scored")
        if isinstance(value, bool):
            raise ScoreError(item.key, "not a whole number")
        if isinstance(value, str):
            if not value.strip().isdigit():
                raise ScoreError(item.key, "not a whole number")
            value = int(value.strip())
        if not isinstance(value, int):
            raise ScoreError(item.key, "not a whole number")
        if not 0 <= value <= item.points:
            raise ScoreError(item.key, f"must be from 0 to {item.points}")
        scores[item.key] = value
    return Scored(scores, sum(scores.values()), possible(checklist))


# --- the sample ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """An operator's recorded call that may be drawn for review."""

    call_sid: str
    operator: str
    at: datetime                      # when the operator joined it


def week_start(day: date) -> date:
    """The Monday of the week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def draw_order(call_sid: str) -> str:
    """A fixed, even shuffle: the same calls are drawn whoever looks and
    whenever, and nobody picks the calls they would like to review."""
    return hashlib.sha256(call_sid.encode()).hexdigest()


def sample(candidates: Iterable[Candidate], reviewed: Iterable[str], rule: SamplingRule) -> list[Candidate]:
    """The calls of one week still to review.

    ``candidates`` are the week's recorded calls by operator; ``reviewed``
    the call SIDs among them already reviewed.  Each operator's quota
    counts all their calls; those already reviewed count towards it, and
    the rest of it is drawn from their unreviewed calls in ``draw_order``.
    Operators in name order, each one's calls in time order."""
    done = set(reviewed)
    by_operator: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_operator.setdefault(candidate.operator, []).append(candidate)
    drawn: list[Candidate] = []
    for operator in sorted(by_operator):
        calls = by_operator[operator]
        owed = rule.quota(len(calls)) - sum(1 for c in calls if c.call_sid in done)
        if owed <= 0:
            continue
        open_calls = sorted((c for c in calls if c.call_sid not in done), key=lambda c: draw_order(c.call_sid))
        drawn.extend(sorted(open_calls[:owed], key=lambda c: (c.at, c.call_sid)))
    return drawn


# --- averages -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Review:
    """What the averages need of a saved review."""

    operator: str
    scores: Mapping[str, int]
    total: int
    possible: int
    call_sid: str = ""


@dataclass(frozen=True)
class OperatorSummary:
    operator: str
    reviews: int
    calls: int                             # calls reviewed (a call two supervisors scored counts once)
    average_percent: float                 # mean of each review's total / possible, × 100
    average_total: float
    items: dict[str, float | None]         # item key -> mean points given (None: never scored)


def summarise(reviews: Iterable[Review], checklist: tuple[Item, ...]) -> list[OperatorSummary]:
    """Per operator, in name order: how many reviews and calls, the mean
    score out of 100, the mean total and the mean points of each checklist
    item.  Every review counts in the means, whoever made it."""
    by_operator: dict[str, list[Review]] = {}
    for review in reviews:
        by_operator.setdefault(review.operator, []).append(review)
    summaries = []
    for operator in sorted(by_operator):
        kept = by_operator[operator]
        percents = [100.0 * r.total / r.possible for r in kept if r.possible]
        items: dict[str, float | None] = {}
        for item in checklist:
            given = [r.scores[item.key] for r in kept if item.key in r.scores]
            items[item.key] = sum(given) / len(given) if given else None
        summaries.append(OperatorSummary(
            operator, len(kept), len({r.call_sid for r in kept}), sum(percents) / len(percents) if percents else 0.0,
            sum(r.total for r in kept) / len(kept), items))
    return summaries
