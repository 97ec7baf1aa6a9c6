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
from cases.models import Case, CaseEvent, Complainant
from cases.services import NewCase, open_case
from cases.workflow import apply_to
from config.catalog import HotlineConfig
from ivr.voice import CallState
from understanding.services import learn


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
        # This caller's own callback number, not that of whoever reported the case first.
        mine = next((c for c in case.complainants if c.call_id == call.id), None)
        callback = mine.callback_number if mine else None
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
    """The case the call made, or the earlier case it joined as a repeat report."""
    made = session.scalars(select(Case).where(Case.call_id == call.id).order_by(Case.id)).first()
    if made is not None:
        return made
    return session.scalars(select(Case).join(Complainant).where(Complainant.call_id == call.id)
                           .order_by(Complainant.id)).first()


@dataclass(frozen=True)
class Saved:
    """What saving the form did."""

    case: Case
    joined: bool = False        # the call joined an earlier case: a repeat report
    reopened: bool = False      # ... which had been closed or suspended, and is handled again
    edited: tuple[str, ...] = ()


def file_from_call(session: Session, config: HotlineConfig, call: Call, form: CaseForm, operator: User,
                   now: datetime) -> Saved:
    """Create (or correct) the call's case from the form and file it.

    Saving twice changes nothing the second time.  A report that repeats an
    earlier case joins it (``open_case``), as it would from the IVR.  Once a
    case is past intake its category, place and description are the
    workflow's: the form may not change them (a wrong department returns the
    case, a changed problem is a new report).  At intake, corrections are an
    audited ``edit`` event before the case is filed.
    """
    if form.category_code not in config.categories:
        raise FormError("请选择类别 · choose a category")
    if not form.description.strip():
        raise FormError("请填写反映的问题 · describe the problem")
    if not form.location.strip():
        raise FormError("请填写地点 · say where the problem is")
    line = config.lines.get(call.line_id or "")
    callback = parse_entered(form.callback_number, region_of(line.number) if line else "CN") \
        if form.callback_number.strip() else None
    if form.callback_number.strip() and callback is None:
        raise FormError(f"{form.callback_number} 不是可以回拨的号码 · is not a number we can call back")
    actor = f"user:{operator.username}"
    case = case_of_call(session, call)
    if case is None:
        case = open_case(session, config, NewCase(
            line_id=call.line_id, channel="hotline", description=form.description.strip(),
            location=form.location.strip(), category_code=form.category_code, caller_e164=call.caller_e164,
            callback_number=callback, call_id=call.id, language=call.language, actor=actor), now)
        if case.call_id != call.id:
            return Saved(case, joined=True, reopened=_reopened_now(case, now))
        suggested = CallState.from_json(call.ivr_state).category_code if call.ivr_state else None
        if suggested and suggested != form.category_code:
            # The operator heard it was something else than the IVR understood.
            learn(session, case.id, case.description, form.category_code, "correction", actor, now)
        edited: tuple[str, ...] = ()
    elif case.call_id != call.id:
        # The call joined an earlier case: its report is that case's repeat_report event; the form
        # may still correct this caller's callback number, never the earlier case itself.
        return Saved(case, joined=True, edited=_correct_callback(session, case, call, callback, actor, now))
    else:
        edited = _correct(session, case, call, form, callback, actor, now)
    if case.status == "intake":
        apply_to(session, config, case, Transition("file", actor, "operator", now,
                                                   note="filed by the operator who took the call"))
    # The operator heard the caller and chose the category: a labelled example
    # (a correction made above is never overwritten by this confirmation).
    learn(session, case.id, case.description, case.category_code, "confirmation", actor, now)
    return Saved(case, edited=edited)


def _correct(session: Session, case: Case, call: Call, form: CaseForm, callback: str | None, actor: str,
             now: datetime) -> tuple[str, ...]:
    """Apply the form's corrections to the case, audited; refused past intake."""
    wanted = {"description": form.description.strip(), "location_text": form.location.strip(),
              "category_code": form.category_code}
    changed = {name: (getattr(case, name), value) for name, value in wanted.items() if getattr(case, name) != value}
    if changed and case.status != "intake":
        names = "、".join(_FIELD_NAMES[name][0] for name in changed)
        raise FormError(f"案件{case.number}已过受理阶段（{case.status}），不能在此修改{names}；请通过办理流程处理"
                        f"（回退、重新办理）或作为新案件受理。 · Case {case.number} is past intake ({case.status}): "
                        f"its {', '.join(_FIELD_NAMES[name][1] for name in changed)} change only through its "
                        "workflow (return, reopen) or as a new report.")
    for name, (_, value) in changed.items():
        setattr(case, name, value)
    if "category_code" in changed:
        # A person's correction of what the report is about teaches the classifier.
        learn(session, case.id, case.description, case.category_code, "correction", actor, now)
    changed.update(_callback_change(case, call, callback))
    return _audited(session, case, changed, actor, now)


def _correct_callback(session: Session, case: Case, call: Call, callback: str | None, actor: str,
                      now: datetime) -> tuple[str, ...]:
    return _audited(session, case, _callback_change(case, call, callback), actor, now)


def _callback_change(case: Case, call: Call, callback: str | None) -> dict:
    """This caller's callback number, changed on their complainant row."""
    complainant = next((c for c in case.complainants if c.call_id == call.id), None)
    if complainant is None or complainant.callback_number == callback:
        return {}
    before, complainant.callback_number = complainant.callback_number, callback
    return {"callback_number": (before, callback)}


def _audited(session: Session, case: Case, changed: dict, actor: str, now: datetime) -> tuple[str, ...]:
    if not changed:
        return ()
    case.updated_at = now
    case.events.append(CaseEvent(
        at=now, actor=actor, role="operator", action="edit", from_status=case.status, to_status=case.status,
        department_code=case.department_code, note="corrected by the operator who took the call",
        data={name: {"from": old, "to": new} for name, (old, new) in changed.items()}))
    session.flush()
    return tuple(changed)


_FIELD_NAMES = {"description": ("问题描述", "description"), "location_text": ("地点", "place"),
                "category_code": ("类别", "category")}


def _reopened_now(case: Case, now: datetime) -> bool:
    """Whether joining it just reopened the case or brought it back from suspension."""
    return any(event.action in ("reopen", "reactivate") and event.at == now for event in case.events)
