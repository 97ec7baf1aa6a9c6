"""Suggesting a category from what the caller said.

Keyword matching over normalised text: the category whose keyword is the
longest one found in the caller's words wins; a tie, or nothing found,
means the caller chooses from the keypad menu instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from config.catalog import Category
from routing.addresses import normalise_text


def normalise(text: str) -> str:
    """One spelling for the caller's words and the keywords alike."""
    return normalise_text(text)


@dataclass(frozen=True)
class Suggestion:
    code: str | None            # the category to confirm, when one stands out
    candidates: tuple[str, ...]  # every category that matched, best first
    keyword: str | None = None


def suggest(text: str, categories: Iterable[Category]) -> Suggestion:
    said = normalise(text)
    scored: list[tuple[int, str, str]] = []
    for category in categories:
        best = max(((len(k), k) for k in map(normalise, category.keywords) if k and k in said),
                   default=None)
        if best:
            scored.append((best[0], category.code, best[1]))
    if not scored:
        return Suggestion(None, ())
    scored.sort(key=lambda item: (-item[0], item[1]))
    candidates = tuple(code for _, code, _ in scored)
    top = scored[0]
    if len(scored) > 1 and scored[1][0] == top[0]:
        return Suggestion(None, candidates)
    return Suggestion(top[1], candidates, top[2])


def speech_hints(categories: Iterable[Category], language: str, limit: int = 400) -> tuple[str, ...]:
    """Keywords in the caller's language as Twilio <Gather hints>, most
    specific first, within Twilio's limits (phrases of at most 100 characters)."""
    chinese = language.startswith(("zh", "cmn", "yue"))
    seen: dict[str, None] = {}
    for category in categories:
        for keyword in category.keywords:
            if len(keyword) <= 100 and _is_chinese(keyword) == chinese:
                seen.setdefault(keyword, None)
    return tuple(sorted(seen, key=len, reverse=True)[:limit])


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
