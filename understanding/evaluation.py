"""Honest figures: how well the models read callers they never saw.

Pure.  ``evaluate`` runs an ``Understanding`` over the frozen held-out
sets and counts: top-1 and top-3 accuracy overall and per major class, the
commonest confusions, what the IVR would do with each reading (confirm,
offer, ask again) and how often each of those is right, the places and
urgency words found, and how many questions are told from complaints.
``choose_thresholds`` works on cross-validated predictions of the training
examples instead, so that tuning never sees the held-out set.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from understanding.corpus import HeldOutComplaint, HeldOutEnquiry
from understanding.reading import CONFIRM, OFFER, UNSURE, Reading, Thresholds


@dataclass
class Tally:
    total: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, top1: bool, top3: bool) -> None:
        self.total += 1
        self.top1 += top1
        self.top3 += top3

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


@dataclass
class Figures:
    overall: Tally = field(default_factory=Tally)
    by_major: dict[str, Tally] = field(default_factory=dict)
    confusions: Counter = field(default_factory=Counter)          # (said, guessed) -> count
    tiers: dict[str, Tally] = field(default_factory=lambda: {CONFIRM: Tally(), OFFER: Tally(), UNSURE: Tally()})
    complaints_taken_for_questions: int = 0
    places_said: int = 0
    places_found: int = 0           # a place found where one was said
    places_overlapping: int = 0     # ... that shares the said place's words
    places_exact: int = 0
    places_invented: int = 0        # a place found where none was said
    urgent_said: int = 0
    urgent_found: int = 0
    urgent_false: int = 0
    enquiries: int = 0
    enquiries_recognised: int = 0

    def as_dict(self) -> dict:
        return {
            "complaints": self.overall.total, "top1": round(self.overall.top1_rate, 4),
            "top3": round(self.overall.top3_rate, 4),
            "by_major": {m: {"n": t.total, "top1": round(t.top1_rate, 4), "top3": round(t.top3_rate, 4)}
                         for m, t in sorted(self.by_major.items())},
            "tiers": {name: {"n": t.total, "right_first": t.top1, "right_in_offer": t.top3}
                      for name, t in self.tiers.items()},
            "complaints_taken_for_questions": self.complaints_taken_for_questions,
            "enquiries": self.enquiries, "enquiries_recognised": self.enquiries_recognised,
            "places": {"said": self.places_said, "found": self.places_found, "overlapping": self.places_overlapping,
                       "exact": self.places_exact, "invented": self.places_invented},
            "urgency": {"said": self.urgent_said, "found": self.urgent_found, "false_alarms": self.urgent_false},
            "confusions": [[a, b, n] for (a, b), n in self.confusions.most_common(15)],
        }


Reader = Callable[[str, str], Reading]      # (text, line) -> reading over the line's categories


def evaluate(read: Reader, complaints: Iterable[HeldOutComplaint], enquiries: Iterable[HeldOutEnquiry],
             thresholds: Thresholds) -> Figures:
    figures = Figures()
    for item in complaints:
        reading = read(item.text, item.line)
        codes = [g.code for g in reading.guesses]
        top1, top3 = bool(codes) and codes[0] == item.code, item.code in codes[:3]
        figures.overall.add(top1, top3)
        figures.by_major.setdefault(item.code[:3], Tally()).add(top1, top3)
        if codes and not top1:
            figures.confusions[(item.code, codes[0])] += 1
        if thresholds.is_question(reading):
            figures.complaints_taken_for_questions += 1
        else:
            figures.tiers[thresholds.tier(reading)].add(top1, top3)
        _places(figures, item.place, reading.place)
        figures.urgent_said += item.urgent
        figures.urgent_found += item.urgent and reading.urgent
        figures.urgent_false += (not item.urgent) and reading.urgent
    for item in enquiries:
        figures.enquiries += 1
        figures.enquiries_recognised += thresholds.is_question(read(item.text, item.line))
    return figures


def _places(figures: Figures, said: str | None, found: str | None) -> None:
    if said is None:
        figures.places_invented += found is not None
        return
    figures.places_said += 1
    if found is None:
        return
    figures.places_found += 1
    figures.places_exact += found == said
    figures.places_overlapping += bool(set(_bigrams(found)) & set(_bigrams(said)))


def _bigrams(text: str) -> list[str]:
    return [text[i:i + 2] for i in range(len(text) - 1)]


def report(figures: Figures, names: Mapping[str, str]) -> str:
    """The figures as the terminal prints them."""
    o = figures.overall
    lines = [f"held-out complaints: {o.total}   top-1 {o.top1_rate:.1%} ({o.top1})   "
             f"top-3 {o.top3_rate:.1%} ({o.top3})", "", "by major class        n   top-1   top-3"]
    for major, tally in sorted(figures.by_major.items()):
        lines.append(f"  {major} {names.get(major, ''):<12}{tally.total:>5}  {tally.top1_rate:>6.1%}  "
                     f"{tally.top3_rate:>6.1%}")
    lines += ["", "what the IVR would do     n   right first   right among those offered"]
    for name, tally in figures.tiers.items():
        lines.append(f"  {name:<18}{tally.total:>7}   {tally.top1:>11}   {tally.top3:>11}")
    lines.append(f"  taken for questions {figures.complaints_taken_for_questions:>5}")
    lines += ["", f"enquiries recognised as questions: {figures.enquiries_recognised} of {figures.enquiries}",
              f"places: said {figures.places_said}, found {figures.places_found} "
              f"(sharing words {figures.places_overlapping}, exact {figures.places_exact}); "
              f"found where none was said {figures.places_invented}",
              f"urgency: said {figures.urgent_said}, found {figures.urgent_found}, "
              f"false alarms {figures.urgent_false}", "", "commonest confusions (said -> guessed):"]
    for (said, guessed), count in figures.confusions.most_common(10):
        lines.append(f"  {count:>3}  {said} {names.get(said, '')} -> {guessed} {names.get(guessed, '')}")
    return "\n".join(lines)


def choose_thresholds(probabilities: np.ndarray, codes: Sequence[str], truth: Sequence[str],
                      precision: float = 0.95, base: Thresholds | None = None) -> Thresholds:
    """The lowest confirm threshold at which confirmed guesses are right at
    least ``precision`` of the time, on cross-validated predictions."""
    base = base or Thresholds()
    best = probabilities.max(axis=1)
    right = np.array([codes[i] == t for i, t in zip(probabilities.argmax(axis=1), truth, strict=True)])
    for threshold in np.arange(0.30, 0.96, 0.05):
        chosen = best >= threshold
        if chosen.sum() and right[chosen].mean() >= precision:
            return replace(base, confirm=round(float(threshold), 2))
    return base
