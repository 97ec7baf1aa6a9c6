"""The operator's case form: prefilled from what the IVR collected, corrected
by the operator, and filed through the case lifecycle."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from call_log.models import Call
from call_log.phones import parse_entered, region_of
from cases.lifecycle import Transition
from cases.models import Case
from cases.services import NewCase, open_case
from cases.workflow import apply_to
from config.catalog import HotlineConfig
from ivr.turns import CallState


@dataclass(frozen=True)
class CaseForm:
    description: str
    location: str
    category_code: str
    callback_number: str


class FormError(ValueError):
    pass


def prefill(session: Session, call: Call) -> CaseForm:
    """What the IVR knows: the caller's words, the place, the suggested category."""
    case = case_of_call(session, call)
    if case is not None:
        callback = case.complainants[0].callback_number if case.complainants else None
        return CaseForm(case.description, case.location_text or "", case.category_code or "",
                        callback or call.caller_e164 or "")
    state = CallState.from_json(call.ivr_state) if call.ivr_state else None
    return CaseForm(
        description=(state.description if state else "") or "",
        location=(state.location if state else "") or "",
        category_code=(state.category_code if state else "") or "",
        callback_number=(state.callback_number if state else None) or call.caller_e164 or "",
    )


def case_of_call(session: Session, call: Call) -> Case | None:
    return session.scalars(select(Case).where(Case.call_id == call.id).order_by(Case.id)).first()


def file_from_call(session: Session, config: HotlineConfig, call: Call, form: CaseForm, operator: User,
                   now: datetime) -> Case:
    """Create (or correct) the call's case from the form and file it."""
    if form.category_code not in config.categories:
        raise FormError("choose a category")
    if not form.description.strip():
        raise FormError("describe the problem")
    if not form.location.strip():
        raise FormError("say where the problem is")
    line = config.lines.get(call.line_id or "")
    callback = parse_entered(form.callback_number, region_of(line.number) if line else "CN") \
        if form.callback_number.strip() else None
    if form.callback_number.strip() and callback is None:
        raise FormError(f"{form.callback_number} is not a number we can call back")
    case = case_of_call(session, call)
    actor = f"user:{operator.username}"
    if case is None:
        case = open_case(session, config, NewCase(
            line_id=call.line_id, channel="hotline", description=form.description.strip(),
            location=form.location.strip(), category_code=form.category_code, caller_e164=call.caller_e164,
            callback_number=callback, call_id=call.id, language=call.language, actor=actor), now)
    else:
        case.description, case.location_text = form.description.strip(), form.location.strip()
        case.category_code = form.category_code
        if case.complainants:
            case.complainants[0].callback_number = callback
    if case.status == "intake":
        apply_to(session, config, case, Transition("file", actor, "operator", now,
                                                   note="filed by the operator who took the call"))
    return case
