"""Merging a duplicate into another case (并单), and splitting one case in two.

Pure domain code, beside the state machine (``cases.lifecycle``).  A
service hands in what it knows of the cases and who asks; these functions
answer with the events to audit on each case, or raise a ``Refused`` that
says why in a code (for the console's words) and a sentence (for the API),
and nothing has changed.

* Merge: the duplicate is voided as a duplicate of the case it joins, its
  complainants join that case (each is owed the outcome), and both
  histories say so.  Only a case still on the centre's desk is merged: one a
  department holds is being worked, so it is returned first; a disposed one
  is checked, not merged.
* Split: a case that turned out to report two problems keeps the first,
  and the second becomes a new case at intake, with the same complainants,
  so it is filed and dispatched on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases.lifecycle import OPEN_STATUSES

# On the duplicate: it is voided as a duplicate, so the indicators count it
# as every voided duplicate (reports.statement) and its deadline ends there.
MERGE = "void"
MERGED = "merged"            # on the case it joined: a duplicate's complainants came in
SPLIT = "split"              # on the case that was split: the second problem went to a new case
SPLIT_FROM = "split_from"    # on the new case

MERGE_ROLES = ("dispatcher", "supervisor")
SPLIT_ROLES = ("operator", "dispatcher", "supervisor")
# A duplicate the centre still holds; a department's case is returned first.
MERGEABLE = ("intake", "verifying", "filed", "returned", "suspended")
# What a duplicate may join: a case still being worked on, or parked.
JOINABLE = OPEN_STATUSES + ("suspended",)
# A closed or voided case is not split: the other problem is reported anew.
SPLITTABLE = OPEN_STATUSES + ("suspended",)


@dataclass(frozen=True)
class CaseFacts:
    """What merging and splitting need to know of a case."""

    number: str
    status: str
    line_id: str | None = None
    category_code: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Merge:
    actor: str
    role: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True)
class Split:
    actor: str
    role: str
    at: datetime
    description: str
    category: str | None
    location: str | None = None      # default: the original case's place
    note: str | None = None


@dataclass(frozen=True)
class Audit:
    """One event to add to a case's history (shaped like a ``CaseEvent``)."""

    action: str
    from_status: str
    to_status: str
    note: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class MergePlan:
    duplicate: Audit     # the duplicate's event: it is voided
    target: Audit        # the joined case's event: its status stays


@dataclass(frozen=True)
class SplitPlan:
    original: Audit
    new_case: Audit      # written after the new case's intake event
    description: str
    category: str
    location: str | None


class Refused(Exception):
    """Merging or splitting was refused; nothing changed.  ``code`` names
    the rule (for words in the reader's language), the message says it in
    English with the cases' numbers."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code, self.details = code, details


def may_merge(status: str, role: str) -> bool:
    """Whether to offer merging this case into another."""
    return role in MERGE_ROLES and status in MERGEABLE


def may_split(status: str, role: str) -> bool:
    return role in SPLIT_ROLES and status in SPLITTABLE


def plan_merge(duplicate: CaseFacts, target: CaseFacts, request: Merge) -> MergePlan:
    """The events of merging ``duplicate`` into ``target``, or ``Refused``."""
    _aware(request.at)
    if request.role not in MERGE_ROLES:
        raise Refused("role", f"only a dispatcher or supervisor may merge cases, not a {request.role}",
                      role=request.role)
    if duplicate.number == target.number:
        raise Refused("same_case", f"case {duplicate.number} cannot be merged into itself")
    if duplicate.status not in MERGEABLE:
        raise Refused("duplicate_status", f"case {duplicate.number} is {duplicate.status}: only a case the "
                      f"centre still holds ({', '.join(MERGEABLE)}) may be merged into another; a department's "
                      "case is returned first", status=duplicate.status)
    if target.status not in JOINABLE:
        raise Refused("target_status", f"case {target.number} is {target.status}: a duplicate joins only a case "
                      "still being worked on or suspended", status=target.status)
    if duplicate.line_id != target.line_id:
        raise Refused("other_line", f"case {duplicate.number} and case {target.number} came in on different "
                      "lines; each line keeps its own cases")
    note = _text(request.note)
    data = {"role": request.role, "reason": "duplicate", "merged_into": target.number, "merge": True}
    if duplicate.category_code != target.category_code:
        data["category"] = duplicate.category_code
    return MergePlan(
        duplicate=Audit(MERGE, duplicate.status, "voided", note or f"duplicate of case {target.number}", data),
        target=Audit(MERGED, target.status, target.status, note or f"case {duplicate.number} merged in",
                     {"role": request.role, "merged_from": duplicate.number,
                      "duplicate_status": duplicate.status}),
    )


def plan_split(original: CaseFacts, request: Split, categories_of_line: frozenset[str] | None = None) -> SplitPlan:
    """The events of splitting a second problem off ``original``, or ``Refused``.

    ``categories_of_line``: the categories the original's line takes (None:
    any).  The new problem must differ from the original in category or place,
    else it is the same problem and nothing is split.
    """
    _aware(request.at)
    if request.role not in SPLIT_ROLES:
        raise Refused("role", f"only an operator, dispatcher or supervisor may split a case, not a {request.role}",
                      role=request.role)
    if original.status not in SPLITTABLE:
        raise Refused("split_status", f"case {original.number} is {original.status}: report the other problem "
                      "as a new case instead", status=original.status)
    description = _text(request.description)
    if not description:
        raise Refused("description_required", "say what the second problem is: a description is required")
    category = _text(request.category)
    if not category:
        raise Refused("category_required", "choose the second problem's category")
    if categories_of_line is not None and category not in categories_of_line:
        raise Refused("unknown_category", f"the line of case {original.number} has no category {category!r}")
    location = _text(request.location) or original.location
    if category == original.category_code and _same_place(location, original.location):
        raise Refused("same_problem", f"the second problem has the category and the place of case "
                      f"{original.number}: it is the same problem, not a second one")
    note = _text(request.note)
    return SplitPlan(
        original=Audit(SPLIT, original.status, original.status, note or "a second problem split off",
                       {"role": request.role, "category": category}),
        new_case=Audit(SPLIT_FROM, "intake", "intake", note or f"split from case {original.number}",
                       {"role": request.role, "split_from": original.number}),
        description=description, category=category, location=location,
    )


def _same_place(a: str | None, b: str | None) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def _aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("merging and splitting need a timezone-aware time")


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if value else None
