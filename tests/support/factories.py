"""Small factories for cases in tests, through the real services."""
from __future__ import annotations

from datetime import datetime

from cases.lifecycle import Transition
from cases.services import NewCase, open_case
from cases.workflow import transition


def report(session, config, now: datetime, *, category: str = "E0404", location: str = "海陵区海陵北路十八亩50号",
           description: str = "下水道堵了", caller: str | None = "+8613812345678", channel: str = "hotline",
           line: str = "urban"):
    return open_case(session, config, NewCase(
        line_id=line, channel=channel, description=description, location=location, category_code=category,
        caller_e164=caller, callback_number=caller), now)


def step(session, config, case, action: str, now: datetime, role: str, actor: str = "tester", **details):
    return transition(session, config, case.number, Transition(action, actor, role, now, **details))


def dispatched(session, config, now: datetime, **kwargs):
    """A case filed and dispatched to its category's department."""
    case = report(session, config, now, **kwargs)
    if case.status == "verifying":
        step(session, config, case, "file", now, "inspector")
    elif case.status == "intake":
        step(session, config, case, "file", now, "dispatcher")
    return step(session, config, case, "dispatch", now, "dispatcher")


def closed(session, config, now: datetime, *, note: str = "已经更换了新的井盖", **kwargs):
    """A case dispatched, disposed with ``note``, checked and closed."""
    case = dispatched(session, config, now, **kwargs)
    step(session, config, case, "claim", now, "department")
    step(session, config, case, "dispose", now, "department", note=note)
    return step(session, config, case, "close", now, "inspector")
