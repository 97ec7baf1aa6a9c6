"""A month of cases built through the real workflow services, for the report tests.

Times are Taizhou local time. Category time limits on the departments' calendars:
E0404 blocked sewer (DRAIN, 1 working day = 12 h of 08:00-20:00 shifts, every day),
E0102 exposed rubbish (SANIT, 4 working hours on the same shifts). The closing deadline
is the disposal deadline plus the default 24-hour check time limit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from callbacks.models import SurveyAnswer
from tests.support.factories import report, step

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """A Taizhou local time ("2026-10-12 09:30") as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def survey(session, case, when: str, answer: str) -> None:
    # The callbacks feature will record these; until then the tests write the row it will write.
    session.add(SurveyAnswer(case_id=case.id, answered_at=local(when), answer=answer))
    session.flush()


@dataclass
class Story:
    """The cases by the letter the tests and docs/reports.md use for them."""

    story: object        # A: late, reworked, suspended, reactivated, closed, reopened, closed in November
    smooth: object       # B: open311, everything on time, basically satisfied
    misrouted: object    # C: dispatched to SANIT, returned, re-dispatched to DRAIN, never disposed
    voided: object       # D: a duplicate report, voided
    unfiled: object      # E: reported on 29 October, still being verified at the month's end
    september: object    # F: reported in September, due and disposed in October


def build_october(session, config) -> Story:
    """Everything up to the end of October (and nothing after it)."""
    at = local
    # A: the story of a blocked sewer.
    a = report(session, config, at("2026-10-12 09:00"), category="E0404", location="海陵区海陵北路十八亩50号")
    step(session, config, a, "file", at("2026-10-12 09:30"), "dispatcher")          # due 13 Oct 09:30
    step(session, config, a, "dispatch", at("2026-10-12 09:40"), "dispatcher")      # DRAIN
    step(session, config, a, "claim", at("2026-10-12 10:00"), "department")
    step(session, config, a, "dispose", at("2026-10-14 15:00"), "department", note="dredged")   # late
    step(session, config, a, "rework", at("2026-10-15 10:00"), "inspector", note="still blocked")
    step(session, config, a, "suspend", at("2026-10-16 09:00"), "supervisor", reason="area due for demolition",
         review_date=date(2026, 10, 26))
    step(session, config, a, "reactivate", at("2026-10-26 09:00"), "supervisor", to="filed")  # due 27 Oct 09:00
    step(session, config, a, "dispatch", at("2026-10-26 09:10"), "dispatcher")
    step(session, config, a, "dispose", at("2026-10-27 08:30"), "department", note="pipe replaced")
    step(session, config, a, "close", at("2026-10-27 14:00"), "inspector")
    survey(session, a, "2026-10-30 09:50", "unsatisfied")
    step(session, config, a, "reopen", at("2026-10-30 10:00"), "supervisor", reason="complainant unsatisfied")
    step(session, config, a, "file", at("2026-10-31 16:00"), "inspector")           # due 1 Nov 16:00
    step(session, config, a, "dispatch", at("2026-10-31 16:30"), "dispatcher")

    # B: exposed rubbish reported online, handled on time.
    b = report(session, config, at("2026-10-20 10:00"), category="E0102", location="海陵区东风路8号",
               description="垃圾堆在路边", channel="open311", caller="+8613900000002")
    step(session, config, b, "file", at("2026-10-20 10:05"), "dispatcher")          # due 20 Oct 14:05
    step(session, config, b, "dispatch", at("2026-10-20 10:10"), "dispatcher")      # SANIT
    step(session, config, b, "dispose", at("2026-10-20 13:00"), "department", note="cleared")
    step(session, config, b, "close", at("2026-10-20 16:00"), "inspector")
    survey(session, b, "2026-10-21 10:00", "basically_satisfied")

    # C: sent to the wrong department first, then never disposed.
    c = report(session, config, at("2026-10-05 10:00"), category="E0404", location="海陵区鼓楼路3号",
               caller="+8613900000003")
    step(session, config, c, "file", at("2026-10-05 10:10"), "dispatcher")          # due 6 Oct 10:10
    step(session, config, c, "dispatch", at("2026-10-05 10:20"), "dispatcher", department="SANIT")
    step(session, config, c, "return", at("2026-10-05 11:00"), "department", reason="not ours")
    step(session, config, c, "dispatch", at("2026-10-05 11:30"), "dispatcher")      # DRAIN

    # D: a duplicate, voided.
    d = report(session, config, at("2026-10-08 09:00"), category="E0102", location="海陵区坡子街1号",
               caller="+8613900000004")
    step(session, config, d, "void", at("2026-10-08 09:20"), "supervisor", reason="duplicate")

    # E: an unauthorised building, verified on site before filing; not filed by the month's end.
    e = report(session, config, at("2026-10-29 15:00"), category="E0101", location="海陵区凤凰路20号",
               caller="+8613900000005")

    # F: reported on the last evening of September.
    f = report(session, config, at("2026-09-30 19:00"), category="E0404", location="海陵区迎春西路1号",
               caller="+8613900000006")
    step(session, config, f, "file", at("2026-09-30 19:05"), "dispatcher")          # due 1 Oct 19:05
    step(session, config, f, "dispatch", at("2026-09-30 19:10"), "dispatcher")
    step(session, config, f, "dispose", at("2026-10-01 18:00"), "department", note="cleared")
    step(session, config, f, "close", at("2026-10-02 10:00"), "inspector")
    session.flush()
    return Story(a, b, c, d, e, f)


def continue_into_november(session, config, story: Story) -> None:
    """What happened after October: none of it may change October's report."""
    at = local
    a, b, c = story.story, story.smooth, story.misrouted
    step(session, config, a, "dispose", at("2026-11-01 15:00"), "department", note="relined")
    step(session, config, a, "close", at("2026-11-02 10:00"), "inspector")
    survey(session, a, "2026-11-03 10:00", "satisfied")
    step(session, config, c, "dispose", at("2026-11-04 09:00"), "department", note="finally cleared")
    step(session, config, c, "close", at("2026-11-04 12:00"), "inspector")
    step(session, config, b, "reopen", at("2026-11-10 09:00"), "supervisor", reason="rubbish is back")
    step(session, config, story.unfiled, "file", at("2026-11-02 09:00"), "inspector")
    session.flush()
