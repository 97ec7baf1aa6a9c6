"""Monthly assessment of departments and lines (issue 7): the indicators, computed in the database."""
from reports.indicators import (
    ALL,
    AssessmentRules,
    Figure,
    HandlingTime,
    Indicator,
    Measure,
    Placing,
    Report,
    Row,
    rank,
    report_from_sets,
)
from routing.periods import DEFAULT_TIME_ZONE, Period, month, trailing_months

__all__ = [
    "ALL", "DEFAULT_TIME_ZONE", "AssessmentRules", "Figure", "HandlingTime", "Indicator", "Measure", "Period",
    "Placing", "Report", "Row", "month", "rank", "report_from_sets", "trailing_months",
]
