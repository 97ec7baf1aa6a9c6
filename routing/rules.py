"""Routing: which department a case goes to.

Pure domain code.  A category names its department; the city's override
rules (config/routing.yaml) can send it elsewhere, for example by district
keywords in the location.  The first rule that fits wins; the category's
own department comes last.

After a department returns a case as not theirs, ``reroute`` offers the
next department that fits and has not returned it.  Sending it back to a
department that returned it is a supervisor's decision, made by hand and
guarded by the case lifecycle, never a routing outcome.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from routing.addresses import normalise_text


class Category(Protocol):
    """What routing reads of a category (config.catalog.Category has it)."""

    @property
    def code(self) -> str: ...

    @property
    def department(self) -> str: ...


@dataclass(frozen=True)
class RoutingRule:
    """A city's override (config/routing.yaml): cases of these categories, or
    whose location mentions one of these words, go to ``department``."""

    name: str
    department: str
    categories: tuple[str, ...] = ()
    location_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    department: str
    rule: str | None = None   # the override rule that decided, if any


def candidates(category: Category, location: str | None, rules: Iterable[RoutingRule]) -> list[Route]:
    """Every department that fits the case, best first, each once."""
    # Matched on the whole text, districts included: they are what district
    # rules look for.
    place = normalise_text(location)
    routes = [Route(rule.department, rule.name) for rule in rules if _fits(rule, category, place)]
    routes.append(Route(category.department))
    first_per_department: dict[str, Route] = {}
    for candidate in routes:
        first_per_department.setdefault(candidate.department, candidate)
    return list(first_per_department.values())


def route(category: Category, location: str | None, rules: Iterable[RoutingRule]) -> Route:
    return candidates(category, location, rules)[0]


def reroute(category: Category, location: str | None, rules: Iterable[RoutingRule],
            returned_by: Iterable[str]) -> Route | None:
    """The next department for a returned case, or None when every department
    that fits has returned it: then the dispatcher chooses by hand."""
    returned = set(returned_by)
    return next((r for r in candidates(category, location, rules) if r.department not in returned), None)


def _fits(rule: RoutingRule, category: Category, place: str) -> bool:
    if rule.categories and category.code not in rule.categories:
        return False
    if not rule.location_contains:
        return True
    # A keyword that normalises to nothing (punctuation) must not match everything.
    words = (normalise_text(word) for word in rule.location_contains)
    return any(word and word in place for word in words)
