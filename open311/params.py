"""Reading a client's parameters.  The spec's rule for optional arguments:
a parameter sent empty is the same as one not sent."""
from __future__ import annotations

from typing import Mapping, Sequence

Params = Mapping[str, Sequence[str]]   # every value of each name, as a form sends them


def first(params: Params, name: str) -> str | None:
    """The first value of ``name``, stripped; None when absent or blank."""
    for value in params.get(name, ()):
        if value.strip():
            return value.strip()
    return None


def listed(params: Params, name: str) -> tuple[str, ...]:
    """Comma-delimited values, from every occurrence of ``name``, in order
    and without repeats."""
    seen: dict[str, None] = {}
    for value in params.get(name, ()):
        for item in value.split(","):
            if item.strip():
                seen.setdefault(item.strip(), None)
    return tuple(seen)
