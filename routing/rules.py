"""Routing: which department a case goes to.

Pure domain code.  A category names its department; the city's override
rules (config/routing.yaml) can send it elsewhere, for example by district
keywords in the location.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from config.catalog import Category, RoutingRule
from ivr.classify import normalise


@dataclass(frozen=True)
class Route:
    department: str
    rule: str | None = None   # the override rule that decided, if any


def route(category: Category, location: str | None, rules: Iterable[RoutingRule]) -> Route:
    place = normalise(location or "")
    for rule in rules:
        if rule.categories and category.code not in rule.categories:
            continue
        if rule.location_contains and not any(normalise(word) in place for word in rule.location_contains):
            continue
        return Route(rule.department, rule.name)
    return Route(category.department)
