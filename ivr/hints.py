"""Speech-recognition hints: the catalogue's vocabulary, as Twilio's
``<Gather hints>`` wants it.

Twilio takes at most 500 hints of at most 100 characters each; words of a
phrase are separated by spaces (Chinese phrases have none).  The most
specific (longest) words go first, so the cut falls on the vaguest.
"""
from __future__ import annotations

from typing import Iterable

from config.catalog import Category

MAX_HINTS = 500
MAX_HINT_LENGTH = 100


def speech_hints(categories: Iterable[Category], language: str, limit: int = 400) -> tuple[str, ...]:
    """Names and keywords in the caller's language, most specific first."""
    chinese = language.startswith(("zh", "cmn", "yue"))
    seen: dict[str, None] = {}
    for category in categories:
        for word in (category.name(language), *category.keywords):
            if 0 < len(word) <= MAX_HINT_LENGTH and "," not in word and _is_chinese(word) == chinese:
                seen.setdefault(word, None)
    return tuple(sorted(seen, key=len, reverse=True)[:min(limit, MAX_HINTS)])


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
