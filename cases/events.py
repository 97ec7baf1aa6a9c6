"""What other packages do when cases change, without the case code knowing
about them.

``create_app`` builds one ``CaseEvents`` for the app and subscribes the
handlers to it, and every session the app's database makes carries it (in
``Session.info``).  The case services publish through the session they were
given, so handlers run in the publisher's transaction: what they write
commits or rolls back with the change itself.  A session the app did not make
carries no subscribers, and publishing through it tells no one.
"""
from __future__ import annotations

from typing import Any, Callable

CASE_OPENED = "case_opened"                  # session, config, case, complainant, at (a new case, or a
                                             # report that joined one: complainant is the reporter)
CASE_CLOSED = "case_closed"                  # session, config, case, event, at
AFTER_HOURS_REPORT = "after_hours_report"    # session, config, case, complainant, at
# A callback gave up: the complainant could not be reached.
CALLBACK_UNREACHABLE = "callback_unreachable"  # session, config, callback_id, phone_e164, line_id,
                                               # case_number, case_id, language, at

SESSION_KEY = "case_events"


class CaseEvents:
    """One app's subscribers, by event."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Callable[..., object]]] = {}

    def subscribe(self, event: str, handler: Callable[..., object]) -> None:
        handlers = self._subscribers.setdefault(event, [])
        if handler not in handlers:
            handlers.append(handler)

    def handlers(self, event: str) -> tuple[Callable[..., object], ...]:
        return tuple(self._subscribers.get(event, ()))


def publish(name: str, /, *, session: Any, **details: object) -> None:
    """Tell ``session``'s subscribers (a SQLAlchemy session; this module stays
    pure, so it is not imported here)."""
    events: CaseEvents | None = session.info.get(SESSION_KEY)
    for handler in events.handlers(name) if events is not None else ():
        handler(session=session, **details)
