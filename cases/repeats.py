"""Repeat reports: is a new report about a problem the centre already has?

Pure domain code.  A repeat is a report of the same category at the same
place (``routing.addresses``) as an earlier case.  What happens depends on
where that case is:

* still being worked on: the new complainant joins it (and gets a callback);
* suspended: it goes back to on-site verification, because a second
  report is news that the reason for parking it may no longer hold
  (story 2 of the Taizhou report: tests/api/test_story_2.py);
* closed within the window: it is reopened for a check, because the fix
  did not last;
* voided, or closed longer ago: not a repeat; the report becomes a new case.

Open and suspended cases match however old they are: they are the live
record of the problem.  Only closed cases age out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from cases.lifecycle import OPEN_STATUSES, Transition
from routing.addresses import SAME_PLACE, Places, parse_address, similarity

ATTACH = "attach"    # add the complainant to the open case
VERIFY = "verify"    # reactivate the suspended case to verifying
REOPEN = "reopen"    # reopen the closed case (to verifying, for a check)
NONE = "none"        # not a repeat

# A case in one of these states is what a repeat joins, best first.
_PREFERENCE = (ATTACH, VERIFY, REOPEN)
_LIFECYCLE_STEP = {VERIFY: ("reactivate", "verifying"), REOPEN: ("reopen", None)}


@dataclass(frozen=True)
class Report:
    category_code: str | None
    location: str | None
    reported_at: datetime


@dataclass(frozen=True)
class EarlierCase:
    number: str
    category_code: str | None
    location: str | None
    status: str
    created_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class RepeatPolicy:
    window: timedelta = timedelta(days=30)   # a closed case reopens if reported again within this
    threshold: float = SAME_PLACE
    places: Places = Places()


@dataclass(frozen=True)
class RepeatDecision:
    action: str                     # ATTACH, VERIFY, REOPEN or NONE
    case_number: str | None = None
    similarity: float = 0.0

    @property
    def is_repeat(self) -> bool:
        return self.action != NONE

    def transition(self, at: datetime, actor: str = "system") -> Transition | None:
        """The lifecycle step the system takes on the earlier case, if any;
        joining an open case changes no status."""
        if self.action not in _LIFECYCLE_STEP:
            return None
        action, to = _LIFECYCLE_STEP[self.action]
        return Transition(action=action, actor=actor, role="system", at=at, to=to,
                          reason=f"repeat report ({self.similarity:.2f} address similarity)")


def find_repeat(report: Report, earlier: Iterable[EarlierCase],
                policy: RepeatPolicy = RepeatPolicy()) -> RepeatDecision:
    """The earlier case this report repeats, and what to do with it.

    Of several matches, a case still being worked on wins over a suspended
    one, and that over a closed one: the report joins the live record first.
    Then the closer address, then the newer case.
    """
    if not report.category_code:
        return RepeatDecision(NONE)
    place = parse_address(report.location, policy.places)
    best: tuple[tuple, RepeatDecision] | None = None
    for case in earlier:
        action = _action_for(case, report, policy)
        if action is None:
            continue
        score = similarity(place, parse_address(case.location, policy.places))
        if score < policy.threshold:
            continue
        rank = (-_PREFERENCE.index(action), score, case.created_at)
        if best is None or rank > best[0]:
            best = (rank, RepeatDecision(action, case.number, score))
    return best[1] if best else RepeatDecision(NONE)


def _action_for(case: EarlierCase, report: Report, policy: RepeatPolicy) -> str | None:
    if case.category_code != report.category_code or case.created_at > report.reported_at:
        return None
    if case.status in OPEN_STATUSES:
        return ATTACH
    if case.status == "suspended":
        return VERIFY
    if case.status == "closed" and case.closed_at is not None:
        return REOPEN if report.reported_at - case.closed_at <= policy.window else None
    return None     # voided: it was never a real problem, or was one already counted
