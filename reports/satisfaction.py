"""Satisfaction figures from the outcome surveys, per department and per line.

Counted as the assessment counts them (reports.indicators): a case counts
once, with the latest answer given in the period; the department charged is
the one that held the case when the complainant answered; "basically
satisfied" counts as satisfied unless the rules say otherwise.  Complainants
who could not be reached are counted apart: they are not answers.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.models import SurveyAnswer
from cases.models import Case, CaseEvent
from reports.indicators import ANSWERS, UNREACHABLE, AssessmentRules
from routing.periods import Period

BY = ("department", "line")
TOTAL = "all"


@dataclass
class SatisfactionRow:
    key: str                          # a department code, a line id, "-" for none, or "all"
    surveyed: int = 0                 # cases with an answer in the period
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    unreachable: int = 0              # complainants not reached after every attempt

    def rate(self, rules: AssessmentRules | None = None) -> Fraction | None:
        rules = rules or AssessmentRules()
        if not self.surveyed:
            return None
        counted = self.satisfied + (self.basically_satisfied if rules.basically_satisfied_counts else 0)
        return Fraction(counted, self.surveyed)


def satisfaction(session: Session, period: Period, by: str = "department") -> list[SatisfactionRow]:
    """One row per department (or line) with surveys in the period, then the total."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    holder = (
        select(CaseEvent.department_code)
        .where(CaseEvent.case_id == SurveyAnswer.case_id, CaseEvent.at <= SurveyAnswer.answered_at)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(1)
        .correlate(SurveyAnswer).scalar_subquery()
    )
    rows = session.execute(
        select(SurveyAnswer.case_id, SurveyAnswer.answer, SurveyAnswer.answered_at, SurveyAnswer.id,
               Case.line_id, holder)
        .join(Case, Case.id == SurveyAnswer.case_id)
        .where(SurveyAnswer.answered_at >= period.start, SurveyAnswer.answered_at < period.end)
    ).all()
    table: dict[str, SatisfactionRow] = defaultdict(lambda: SatisfactionRow(""))
    latest: dict[int, tuple] = {}
    for case_id, answer, answered_at, answer_id, line_id, department in rows:
        key = (department if by == "department" else line_id) or "-"
        if answer == UNREACHABLE:
            for name in (key, TOTAL):
                table[name].unreachable += 1
            continue
        if answer in ANSWERS:
            seen = latest.get(case_id)
            if seen is None or (answered_at, answer_id) > seen[:2]:
                latest[case_id] = (answered_at, answer_id, answer, key)
    for _at, _id, answer, key in latest.values():
        for name in (key, TOTAL):
            row = table[name]
            row.surveyed += 1
            setattr(row, answer, getattr(row, answer) + 1)
    for name, row in table.items():
        row.key = name
    total = table.pop(TOTAL, SatisfactionRow(TOTAL))
    return sorted(table.values(), key=lambda row: row.key) + [total]
