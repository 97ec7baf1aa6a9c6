"""The case state machine: which step a case may take next, and who may take it.

Pure domain code.  A service hands in what it knows of the case (a
``CaseView``) and the step someone asks for (a ``Transition``); ``apply``
answers with the new status and the ``EventRecord`` to audit, or raises a
``LifecycleError`` and nothing has changed.  The rules are one table,
``RULES``; everything else reads it.

The seven national steps map onto the statuses: intake (案卷建立), verifying
(核实), filed (立案), dispatched (任务派遣), handling (任务处理), disposed
(处理反馈), closed (核查结案); returned, suspended and voided are the ways
off the main path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

STATUSES = ("intake", "verifying", "filed", "dispatched", "handling", "returned", "disposed",
            "closed", "suspended", "voided")
ROLES = ("operator", "dispatcher", "supervisor", "department", "inspector", "system")
# Cases still being worked on: a repeat report of one joins it.
OPEN_STATUSES = ("intake", "verifying", "filed", "dispatched", "handling", "returned", "disposed")
VOID_REASONS = ("duplicate", "out_of_scope", "prank", "no_such_problem", "other")
# A coded reason that explains nothing by itself needs a note as well.
_REASONS_NEEDING_A_NOTE = frozenset({"other"})


@dataclass(frozen=True)
class Rule:
    action: str
    sources: frozenset[str]
    targets: tuple[str, ...]          # the first is the default when several are possible
    roles: frozenset[str]
    requires: frozenset[str] = frozenset()   # Transition fields that must be given
    reasons: tuple[str, ...] = ()            # when set, the reason must be one of these codes


def _rule(action: str, sources: str, targets: str, roles: str, requires: str = "",
          reasons: tuple[str, ...] = ()) -> Rule:
    return Rule(action, frozenset(sources.split()), tuple(targets.split()), frozenset(roles.split()),
                frozenset(requires.split()), reasons)


RULES: Mapping[str, Rule] = {rule.action: rule for rule in (
    #     action        from                     to                  who may
    _rule("verify",     "intake",                "verifying",        "operator dispatcher supervisor system"),
    _rule("file",       "intake verifying",      "filed",            "operator dispatcher supervisor inspector"),
    _rule("dispatch",   "filed returned",        "dispatched",       "dispatcher supervisor system",
          requires="department"),
    _rule("claim",      "dispatched",            "handling",         "department"),
    _rule("return",     "dispatched handling",   "returned",         "department", requires="reason"),
    _rule("dispose",    "dispatched handling",   "disposed",         "department", requires="note"),
    _rule("close",      "disposed",              "closed",           "inspector supervisor"),
    _rule("rework",     "disposed",              "dispatched",       "inspector supervisor", requires="note"),
    _rule("suspend",    "intake verifying filed dispatched handling returned", "suspended", "supervisor",
          requires="reason review_date"),
    _rule("reactivate", "suspended",             "verifying filed",  "supervisor inspector system"),
    _rule("void",       "intake verifying filed returned suspended", "voided", "supervisor",
          requires="reason", reasons=VOID_REASONS),
    _rule("reopen",     "closed",                "verifying",        "system supervisor operator", requires="reason"),
    # Correcting the category keeps the status: the case has not moved, what it is about has.
    _rule("recategorise", "intake verifying filed returned", "", "operator dispatcher supervisor inspector",
          requires="category"),
)}
ACTIONS = tuple(RULES)

# Clock changes an outcome can carry (see ``clock_change``).
START = "start"
STOP = "stop"


# --- what comes in ---------------------------------------------------------

@dataclass(frozen=True)
class CaseView:
    """What the state machine needs to know of a case."""

    status: str
    number: str | None = None
    priority: str = "normal"
    department_code: str | None = None
    # Departments that have returned this case as not theirs (see ``returned_by``).
    returned_by: frozenset[str] = frozenset()
    category_code: str | None = None
    # Whether it has a category and a description yet: a voicemail may have neither.
    classified: bool = True
    described: bool = True


@dataclass(frozen=True)
class Transition:
    """A request to take one step.

    ``reason`` says why a case leaves the main path (return, suspend, reopen;
    for void one of ``VOID_REASONS``); ``note`` says what was done or found
    (dispose, rework) or adds words to a reason.
    """

    action: str
    actor: str
    role: str
    at: datetime
    reason: str | None = None
    note: str | None = None
    review_date: date | None = None
    department: str | None = None      # dispatch: where to
    to: str | None = None              # reactivate: verifying (the default) or filed
    category: str | None = None        # recategorise: the right category


# --- what goes out -----------------------------------------------------------

@dataclass(frozen=True)
class EventRecord:
    """One audited step, shaped like a ``CaseEvent`` row."""

    at: datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    note: str | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    status: str
    # Where the case is after the step; a returned case keeps the department
    # that returned it until it is dispatched again.
    department_code: str | None
    event: EventRecord
    clock: str | None = None          # START, STOP or None


# --- refusals --------------------------------------------------------------

class LifecycleError(Exception):
    """A step was refused; nothing changed.  The message names the case, its
    status, the action and the role."""

    def __init__(self, case: CaseView, request: Transition, why: str) -> None:
        self.status, self.action, self.role = case.status, request.action, request.role
        self.why = why
        name = f"case {case.number}" if case.number else "the case"
        super().__init__(f"cannot {request.action} {name} ({case.status}) as {request.role}: {why}")


class UnknownAction(LifecycleError):
    pass


class IllegalTransition(LifecycleError):
    pass


class RoleNotAllowed(LifecycleError):
    pass


class DetailRequired(LifecycleError):
    """A step needs something the request left out."""


class ReasonRequired(DetailRequired):
    pass


class NoteRequired(DetailRequired):
    pass


class ReviewDateRequired(DetailRequired):
    pass


class DepartmentRequired(DetailRequired):
    pass


class CategoryRequired(DetailRequired):
    pass


class BadReason(LifecycleError):
    pass


class BadTarget(LifecycleError):
    pass


class DepartmentAlreadyReturned(LifecycleError):
    pass


class Unclassified(LifecycleError):
    """Filing a case that has no category yet (a voicemail nobody has listened to)."""


_MISSING = {"reason": ReasonRequired, "note": NoteRequired, "review_date": ReviewDateRequired,
            "department": DepartmentRequired, "category": CategoryRequired}


# --- the machine -------------------------------------------------------------

def allowed_actions(status: str, role: str) -> tuple[str, ...]:
    """The steps ``role`` may take on a case in ``status``, in table order."""
    return tuple(rule.action for rule in RULES.values() if status in rule.sources and role in rule.roles)


def apply(case: CaseView, request: Transition) -> Outcome:
    """The step's outcome, or a ``LifecycleError`` saying why it is refused.

    Checked in this order, so the first complaint is the most basic one:
    the action exists, the case's status allows it, the role may take it,
    the details it needs are there.
    """
    if request.at.tzinfo is None or request.at.utcoffset() is None:
        raise ValueError("a transition needs a timezone-aware time")
    rule = RULES.get(request.action)
    if rule is None:
        raise UnknownAction(case, request, f"no such action; use one of {', '.join(ACTIONS)}")
    if case.status not in rule.sources:
        raise IllegalTransition(case, request, f"{rule.action} is only possible from {_either(rule.sources)}")
    if request.role not in rule.roles:
        raise RoleNotAllowed(case, request, f"only {_either(rule.roles)} may {rule.action}")
    _check_details(case, request, rule)
    if rule.action == "file" and not case.classified:
        # Filing accepts the report as a case of some category, which says where it goes.
        missing = "no category" if case.described else "no description and no category"
        raise Unclassified(case, request, f"it has {missing} yet; listen to its recording, say what "
                                          "the problem is and choose its category first")
    if request.action == "recategorise" and request.category == case.category_code:
        raise BadTarget(case, request, f"the case is already in category {request.category}")
    target = request.to or (rule.targets[0] if rule.targets else case.status)
    if rule.targets and target not in rule.targets:
        raise BadTarget(case, request, f"{rule.action} leads to {_either(rule.targets)}, not {target}")
    department = request.department if rule.action == "dispatch" else case.department_code
    if rule.action == "dispatch" and department in case.returned_by and request.role != "supervisor":
        raise DepartmentAlreadyReturned(
            case, request, f"{department} returned this case; only a supervisor may send it back there")
    event = EventRecord(
        at=request.at, actor=request.actor, action=rule.action, from_status=case.status,
        to_status=target, note=_text(request.note) or _text(request.reason),
        data=_event_data(case, request, department),
    )
    return Outcome(target, department, event, clock_change(rule.action, target, case.priority))


def returned_by(events: Iterable[Any]) -> frozenset[str]:
    """The departments that returned a case, from its events (anything with
    ``action`` and ``data``, such as ``CaseEvent`` rows or ``EventRecord``)."""
    return frozenset(event.data["department"] for event in events
                     if event.action == "return" and (event.data or {}).get("department"))


def _check_details(case: CaseView, request: Transition, rule: Rule) -> None:
    for name in sorted(rule.requires):
        value = getattr(request, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise _MISSING[name](case, request, f"{rule.action} needs a {name.replace('_', ' ')}")
    if rule.reasons:
        reason = request.reason.strip()
        if reason not in rule.reasons:
            raise BadReason(case, request, f"the reason must be one of {', '.join(rule.reasons)}, not {reason!r}")
        if reason in _REASONS_NEEDING_A_NOTE and not _text(request.note):
            raise NoteRequired(case, request, f"the reason {reason!r} needs a note to explain it")
    if request.review_date is not None and request.review_date < request.at.date():
        raise ReviewDateRequired(case, request, f"the review date {request.review_date} is in the past")


def _event_data(case: CaseView, request: Transition, department: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"role": request.role}
    if _text(request.reason):
        data["reason"] = _text(request.reason)
    if request.review_date is not None:
        data["review_date"] = request.review_date.isoformat()
    if request.action in ("dispatch", "return", "rework") and department:
        data["department"] = department
    if request.action == "recategorise":
        data["category"] = request.category
        data["previous_category"] = case.category_code
    if request.action == "dispatch" and case.status == "returned":
        # Dispatch accuracy counts re-dispatches; say so where it happened.
        data["redispatch"] = True
        data["previous_department"] = case.department_code
    return data


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


def _either(words: Iterable[str]) -> str:
    """``a, b or c`` in the order of the vocabulary, so messages read the same every time."""
    wanted = set(words)
    ordered = [w for w in STATUSES + ROLES if w in wanted]
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} or {ordered[-1]}"


# --- the time-limit clock ------------------------------------------------------

def clock_starts_at_intake(priority: str) -> bool:
    """Urgent cases are timed from the report itself (story 1: the covers
    are missing now); the rest from filing, once the report is accepted."""
    return priority == "urgent"


def clock_change(action: str, to_status: str, priority: str) -> str | None:
    """START when the time limit starts counting, STOP when disposal stops it.

    Filing starts it, and so does reactivating a suspended case straight to
    filed: the months it was parked are not the department's.  Urgent cases,
    timed from intake, restart when a reopen or reactivation brings them
    back to life.  Rework changes nothing: the original due time holds and
    the next disposal is the one that counts.
    """
    if action == "dispose":
        return STOP
    if clock_starts_at_intake(priority):
        return START if action in ("reopen", "reactivate") else None
    return START if to_status == "filed" else None


def disposed_on_time(disposed_at: datetime, due_at: datetime | None) -> bool:
    """A case with no due time cannot be late."""
    return due_at is None or disposed_at <= due_at
