"""Monthly assessment of departments and lines (issue 7): indicator arithmetic and periods."""
from reports.indicators import (
    ALL,
    GROUP_KEYS,
    AssessmentRules,
    CaseHistory,
    EventRecord,
    Figure,
    HandlingTime,
    Indicator,
    Mark,
    Measure,
    Placing,
    Report,
    Row,
    Survey,
    build_report,
    case_marks,
    rank,
    report_from_marks,
    report_from_sets,
)
from reports.periods import DEFAULT_TIME_ZONE, Period, month, trailing_months

__all__ = [
    "ALL", "DEFAULT_TIME_ZONE", "GROUP_KEYS", "AssessmentRules", "CaseHistory", "EventRecord", "Figure",
    "HandlingTime", "Indicator", "Mark", "Measure", "Period", "Placing", "Report", "Row", "Survey",
    "build_report", "case_marks", "month", "rank", "report_from_marks", "report_from_sets", "trailing_months",
]
