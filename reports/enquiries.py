"""直办率, the direct-answer rate: enquiries answered from the knowledge base
without dispatch, over all enquiries, per line, for a period.

Counted from the ``enquiry`` table in one grouped query (the only path: the
report page, its export and ``flask --app app report --view enquiries`` all
read ``direct_answers``).  An enquiry belongs to the period in which it was
asked.  ``answered``: an article was read out and the caller asked for no
one; ``escalated``: read out, but the caller pressed 0 or went on; and
``operator``: no article was sure enough.  Only the first counts as
answered directly.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.models import Enquiry
from routing.periods import Period

TOTAL = "all"
OUTCOMES = ("answered", "escalated", "operator")


@dataclass
class DirectAnswerRow:
    line: str                          # a line id, or "all"
    answered: int = 0
    escalated: int = 0
    operator: int = 0

    @property
    def enquiries(self) -> int:
        return self.answered + self.escalated + self.operator

    def rate(self) -> Fraction | None:
        return Fraction(self.answered, self.enquiries) if self.enquiries else None

    def percent(self) -> str:
        """As every figure of the reports is shown: two decimals, rounded half up; "–" for none."""
        rate = self.rate()
        if rate is None:
            return "–"
        value = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def direct_answers(session: Session, period: Period) -> list[DirectAnswerRow]:
    """One row per line with enquiries in the period, then the total."""
    counted = session.execute(
        select(Enquiry.line_id, Enquiry.outcome, func.count())
        .where(Enquiry.asked_at >= period.start, Enquiry.asked_at < period.end)
        .group_by(Enquiry.line_id, Enquiry.outcome)
    ).all()
    rows: dict[str, DirectAnswerRow] = {}
    total = DirectAnswerRow(TOTAL)
    for line, outcome, count in counted:
        if outcome not in OUTCOMES:
            continue
        row = rows.setdefault(line, DirectAnswerRow(line))
        for target in (row, total):
            setattr(target, outcome, getattr(target, outcome) + count)
    return [rows[line] for line in sorted(rows)] + [total]
