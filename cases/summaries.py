"""Plain-data views of a case, shared by the CLI and the JSON APIs."""
from __future__ import annotations

from call_log.phones import mask
from cases.models import Case
from config.catalog import HotlineConfig


def case_summary(case: Case, config: HotlineConfig, *, full_numbers: bool = False) -> dict:
    category = config.categories.get(case.category_code or "")
    department = config.departments.get(case.department_code or "")
    line = config.lines.get(case.line_id or "")
    shown = (lambda n: n) if full_numbers else mask
    return {
        "number": case.number,
        "status": case.status,
        "line": {"id": case.line_id, "name": line.name("zh-CN") if line else None},
        "channel": case.channel,
        "category": {
            "code": case.category_code,
            "name": category.name("zh-CN") if category else None,
            "name_en": category.name("en-US") if category else None,
            "kind": category.kind if category else None,
        },
        "department": {
            "code": case.department_code,
            "name": department.name("zh-CN") if department else None,
            "name_en": department.name("en-US") if department else None,
        },
        "priority": case.priority,
        "description": case.description,
        "location": case.location_text,
        "time_limit": str(category.time_limit) if category else None,
        "due_at": case.due_at.isoformat(timespec="seconds") if case.due_at else None,
        "needs_operator": case.needs_operator,
        "after_hours": case.after_hours,
        "caller": shown(case.complainants[0].phone_e164) if case.complainants else None,
        "complainants": [
            {"phone": shown(c.phone_e164), "callback_number": shown(c.callback_number),
             "callback_declined": c.callback_declined}
            for c in case.complainants
        ],
        "callback_number": shown(case.complainants[0].callback_number) if case.complainants else None,
        "created_at": case.created_at.isoformat(timespec="seconds"),
    }
