"""Hotspots: places and categories reported again and again.

Pure domain code over plain data.  Every report counts once, whether it
opened a case or joined one as a repeat (``cases.repeats``): a case with its
repeat reports is a *chain*.  A place is the address key that
``routing.addresses`` gives a report's location, so that 海陵北路18号 and
海陵北路18号门口 are one place.  A place or category is a hotspot when it was
reported at least ``minimum`` times in the weeks looked at; each has its
count per week (Monday to Sunday in the centre's zone), oldest first.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Reported:
    """One report: the one that opened a case, or a repeat that joined it."""

    case_number: str
    category_code: str | None
    place_key: str | None
    place: str | None              # the case's location as reported
    at: datetime
    repeat: bool = False


@dataclass(frozen=True)
class Chain:
    """A case and the reports of it in the weeks looked at."""

    case_number: str
    category_code: str | None
    place: str | None
    reports: tuple[datetime, ...]


@dataclass(frozen=True)
class Hotspot:
    kind: str                      # "place" or "category"
    key: str                       # the address key, or the category code
    place: str | None              # a place as callers said it (the latest report's)
    categories: tuple[str, ...]    # the categories reported there (a category's own code for a category)
    weekly: tuple[int, ...]        # reports per week, oldest first
    chains: tuple[Chain, ...]      # its cases, most reported first

    @property
    def reports(self) -> int:
        return sum(self.weekly)


@dataclass(frozen=True)
class Weeks:
    """The weeks looked at: ``count`` weeks ending with the one holding ``now``."""

    starts: tuple[date, ...]
    time_zone: str

    @classmethod
    def ending(cls, now: datetime, count: int, time_zone: str) -> "Weeks":
        today = now.astimezone(ZoneInfo(time_zone)).date()
        monday = today - timedelta(days=today.weekday())
        return cls(tuple(monday - timedelta(weeks=count - 1 - n) for n in range(count)), time_zone)

    @property
    def since(self) -> datetime:
        """The first week's start, as an aware moment."""
        return datetime.combine(self.starts[0], datetime.min.time(), ZoneInfo(self.time_zone))

    def index(self, moment: datetime) -> int | None:
        day = moment.astimezone(ZoneInfo(self.time_zone)).date()
        number = (day - self.starts[0]).days // 7
        return number if 0 <= number < len(self.starts) else None


def hotspots(reports: Iterable[Reported], weeks: Weeks, minimum: int = 3) -> tuple[list[Hotspot], list[Hotspot]]:
    """The places and the categories reported at least ``minimum`` times in
    ``weeks``, most reported first."""
    kept = [r for r in reports if weeks.index(r.at) is not None]
    places = _group(kept, weeks, "place", lambda r: r.place_key, minimum)
    categories = _group(kept, weeks, "category", lambda r: r.category_code, minimum)
    return places, categories


def _group(reports: list[Reported], weeks: Weeks, kind: str, key_of, minimum: int) -> list[Hotspot]:
    grouped: dict[str, list[Reported]] = defaultdict(list)
    for report in reports:
        key = key_of(report)
        if key:
            grouped[key].append(report)
    found = []
    for key, members in grouped.items():
        if len(members) < minimum:
            continue
        weekly = [0] * len(weeks.starts)
        for report in members:
            weekly[weeks.index(report.at)] += 1
        latest = max(members, key=lambda r: r.at)
        found.append(Hotspot(kind, key, latest.place, tuple(sorted({r.category_code for r in members
                                                                    if r.category_code})),
                             tuple(weekly), _chains(members)))
    return sorted(found, key=lambda h: (-h.reports, -h.weekly[-1], h.key))


def _chains(reports: list[Reported]) -> tuple[Chain, ...]:
    by_case: dict[str, list[Reported]] = defaultdict(list)
    for report in reports:
        by_case[report.case_number].append(report)
    chains = [Chain(number, members[0].category_code, members[0].place, tuple(sorted(r.at for r in members)))
              for number, members in by_case.items()]
    return tuple(sorted(chains, key=lambda c: (-len(c.reports), c.case_number)))
