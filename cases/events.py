"""What other packages do when cases change, without the case code knowing
about them: they subscribe once, when the app is built (app.py), and the
case services publish.  Handlers run in the publisher's transaction, so what
they write commits or rolls back with the change itself.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

CASE_CLOSED = "case_closed"                  # session, config, case, event, at
AFTER_HOURS_REPORT = "after_hours_report"    # session, config, case, complainant, at

_subscribers: dict[str, list[Callable[..., object]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., object]) -> None:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(name: str, /, **details: object) -> None:
    for handler in list(_subscribers[name]):
        handler(**details)
