"""The case workbench: the list of cases with its filters, and each case's
page with the steps the signed-in role may take.  Steps go through the same
services as the API (``api.services.transition_as`` over ``cases.workflow``);
department staff see only their own department's cases, anything else is a 404.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from api.auth import LIFECYCLE_ROLE
from api.services import (
    OutsideDepartment,
    UnknownDepartment,
    case_for,
    confine,
    merge_as,
    record_numbers_shown,
    split_as,
    transition_as,
)
from call_log.phones import mask, mask_text
from cases import lifecycle, merging
from cases.evidence import PhotoFiles, photo_of
from cases.lifecycle import RULES, VOID_REASONS, LifecycleError, Transition, allowed_actions
from cases.merging import Merge, Split
from cases.workflow import CaseNotFound, NoDepartmentFits, suggested_department
from cases.workflow import UnknownCategory as NoSuchCategory
from console import casework
from console.auth import current_principal, requires, sees_full_numbers
from console.labels import ACTION, ROLE, STATUS, word
from console.navigation import NavItem
from console.recordings import recording_response
from database import db
from wiring import services

# The case list and case pages: a blueprint of their own under the console's
# prefix, registered by create_app.
bp = Blueprint("console_cases", __name__, url_prefix="/console")

MENU_ENTRY = NavItem("console_cases.cases", _l("Cases"),
                     _l("Find a case, see its whole history, and take the next step"),
                     ("operator", "dispatcher", "supervisor", "department", "inspector"))

YES = ("1", "on", "yes", "true")


def _time_zone() -> str:
    return services().hotline.default_line().time_zone


def _to_case_page(number: str):
    return redirect(url_for("console_cases.case_page", number=number))


def _refused(session, number: str, message: str):
    """A step the workflow refused: nothing of it is kept, the page says why."""
    session.rollback()
    flash(message, "error")
    return _to_case_page(number)


@bp.get("/cases/")
@requires()
def cases():
    principal = current_principal()
    wanted = _filter(request.args)
    try:
        department = confine(principal, wanted.department)
    except OutsideDepartment:
        abort(404)
    wanted = casework.CaseFilter(**{**wanted.__dict__, "department": department})
    page = casework.search(db.reader(), wanted, services().now(), _time_zone())
    config = services().config
    return render_template("console/cases.html", page=page, wanted=wanted, config=config, now=services().now(),
                           statuses=lifecycle.STATUSES, sorts=casework.SORTS,
                           own_department=principal.role == "department", mask=mask, mask_text=mask_text,
                           args={k: v for k, v in request.args.items() if k != "page"})


@bp.get("/cases/<number>")
@requires()
def case_page(number: str):
    return _render_case(number)


@bp.post("/cases/<number>/numbers")
@requires()
def show_numbers(number: str):
    """Show the complainants' whole numbers: for roles that may, with a reason, audited."""
    principal = current_principal()
    if not sees_full_numbers(principal):
        abort(403)
    session = db.session()
    case = _case_or_404(session, number)
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(_("Say why you need the whole number."), "error")
        return _to_case_page(number)
    record_numbers_shown(session, principal, case, services().now(), f"case page: {reason}"[:500])
    session.commit()
    return _render_case(number, full_numbers=True)


@bp.post("/cases/<number>/steps")
@requires()
def take_step(number: str):
    principal = current_principal()
    session = db.session()
    _case_or_404(session, number)
    form = request.form
    action = (form.get("action") or "").strip()
    try:
        step = Transition(action=action, actor=principal.actor, role=LIFECYCLE_ROLE[principal.role],
                          at=services().now(),
                          reason=_text(form.get("reason")), note=_text(form.get("note")),
                          review_date=_date(form.get("review_date")), department=_text(form.get("department")),
                          to=_text(form.get("to")), category=_text(form.get("category")))
        case = transition_as(session, services().config, principal, number, step)
    except CaseNotFound:
        session.rollback()
        abort(404)
    except (LifecycleError, UnknownDepartment, NoDepartmentFits, NoSuchCategory, ValueError) as refused:
        return _refused(session, number, refusal(refused, action))
    session.commit()
    flash(_("%(action)s: done. Case %(number)s is now %(status)s.", action=word(ACTION, action),
            number=case.number, status=word(STATUS, case.status)), "ok")
    return _to_case_page(number)


@bp.post("/cases/<number>/merge")
@requires()
def merge(number: str):
    """并单: this case is a duplicate of the case the form names."""
    principal = current_principal()
    session = db.session()
    _case_or_404(session, number)
    into = (request.form.get("into") or "").strip()
    if not into:
        flash(_("Give the number of the case this one duplicates."), "error")
        return _to_case_page(number)
    try:
        target = merge_as(session, principal, number, into, Merge(
            principal.actor, LIFECYCLE_ROLE[principal.role], services().now(), _text(request.form.get("note"))))
    except CaseNotFound:
        return _refused(session, number, _("There is no case %(number)s to merge into.", number=into))
    except merging.Refused as refused:
        return _refused(session, number, merge_refusal(refused, number, into))
    session.commit()
    flash(_("Case %(number)s is merged into case %(target)s; its complainants will hear the outcome of %(target)s.",
            number=number, target=target.number), "ok")
    return _to_case_page(target.number)


@bp.post("/cases/<number>/split")
@requires()
def split(number: str):
    """The case reported two problems: the second becomes a case of its own."""
    principal = current_principal()
    session = db.session()
    _case_or_404(session, number)
    form = request.form
    try:
        new = split_as(session, services().config, principal, number, Split(
            principal.actor, LIFECYCLE_ROLE[principal.role], services().now(), _text(form.get("description")) or "",
            _text(form.get("category")), _text(form.get("location")), _text(form.get("note"))))
    except merging.Refused as refused:
        return _refused(session, number, merge_refusal(refused, number, None))
    session.commit()
    flash(_("The second problem is now case %(new)s.", new=new.number), "ok")
    return _to_case_page(number)


@bp.get("/cases/<number>/photos/<int:photo_id>")
@requires()
def photo(number: str, photo_id: int):
    """A photo kept with the case, for those who may see the case."""
    session = db.reader()
    case = _case_or_404(session, number)
    kept = photo_of(session, case, photo_id)
    path = PhotoFiles(current_app.config["SETTINGS"].photos).path(kept.stored_name) if kept else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=kept.content_type, max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/cases/<number>/recordings/<int:recording_id>")
@requires()
def recording(number: str, recording_id: int):
    """A recording of one of the case's calls, fetched from Twilio with the
    account's credentials: the browser never sees them, nor Twilio's URL."""
    session = db.reader()
    case = _case_or_404(session, number)
    kept = next((r for r in casework.case_file(session, case).recordings if r.id == recording_id), None)
    if kept is None:
        abort(404)
    return recording_response(kept.recording_sid)


def merge_refusal(refused: merging.Refused, number: str, into: str | None) -> str:
    """Why a merge or split was refused, in the reader's language."""
    status = word(STATUS, refused.details.get("status"))
    messages = {
        "role": lambda: _("Your role (%(role)s) may not merge or split cases.",
                          role=word(ROLE, refused.details.get("role"))),
        "same_case": lambda: _("A case cannot be merged into itself."),
        "duplicate_status": lambda: _("Case %(number)s is %(status)s: only a case the centre still holds may be "
                                      "merged; a department must return it first.", number=number, status=status),
        "target_status": lambda: _("Case %(number)s is %(status)s: a duplicate joins only a case still being "
                                   "worked on or suspended.", number=into, status=status),
        "other_line": lambda: _("The two cases came in on different lines; each line keeps its own cases."),
        "split_status": lambda: _("Case %(number)s is %(status)s: report the other problem as a new case.",
                                  number=number, status=status),
        "description_required": lambda: _("Say what the second problem is."),
        "category_required": lambda: _("Choose the second problem's category."),
        "unknown_category": lambda: _("This line has no such category."),
        "same_problem": lambda: _("The second problem has the same category and place as this case: it is the "
                                  "same problem."),
    }
    return messages.get(refused.code, lambda: _("Refused: %(why)s", why=str(refused)))()


def refusal(error: Exception, action: str) -> str:
    """Why a step was refused, in the reader's language."""
    named = word(ACTION, action)
    if isinstance(error, lifecycle.UnknownAction):
        return _("There is no step called %(action)s.", action=action)
    if isinstance(error, lifecycle.IllegalTransition):
        return _("“%(action)s” is not possible while the case is %(status)s.", action=named,
                 status=word(STATUS, error.status))
    if isinstance(error, lifecycle.RoleNotAllowed):
        return _("Your role (%(role)s) may not %(action)s this case.", role=word(ROLE, error.role), action=named)
    if isinstance(error, lifecycle.ReasonRequired):
        return _("Give a reason to %(action)s the case.", action=named)
    if isinstance(error, lifecycle.NoteRequired):
        return _("Write a note to %(action)s the case.", action=named)
    if isinstance(error, lifecycle.ReviewDateRequired):
        return _("Give the date on which the suspended case is to be looked at again.")
    if isinstance(error, (lifecycle.DepartmentRequired, NoDepartmentFits)):
        return _("No department is suggested for this case: choose one.")
    if isinstance(error, lifecycle.CategoryRequired):
        return _("Choose the right category.")
    if isinstance(error, lifecycle.BadReason):
        return _("Choose one of the listed reasons.")
    if isinstance(error, lifecycle.DepartmentAlreadyReturned):
        return _("That department returned this case; only a supervisor may send it back there.")
    if isinstance(error, lifecycle.Unclassified):
        return _("The case has no category yet: listen to its recording, say what the problem is and choose "
                 "its category first.")
    if isinstance(error, lifecycle.BadTarget):
        return _("The case is already in that category, or the step cannot lead there.")
    if isinstance(error, (UnknownDepartment, NoSuchCategory)):
        return _("There is no such department or category.")
    return _("The step was refused: %(why)s", why=str(error))


def _render_case(number: str, full_numbers: bool = False):
    principal = current_principal()
    session = db.session()
    case = _case_or_404(session, number)
    config = services().config
    role = LIFECYCLE_ROLE[principal.role]
    actions = [RULES[a] for a in allowed_actions(case.status, role)]
    categories = sorted((c for c in config.categories.values() if not case.line_id or case.line_id in c.lines),
                        key=lambda c: c.code)
    departments = sorted(config.departments.values(), key=lambda d: d.code)
    return render_template(
        "console/case.html", file=casework.case_file(session, case), case=case, config=config, now=services().now(),
        may_merge=merging.may_merge(case.status, role), may_split=merging.may_split(case.status, role),
        actions=actions, categories=categories, departments=departments, void_reasons=VOID_REASONS,
        suggested=suggested_department(config, case) if case.status in ("filed", "returned") else None,
        full_numbers=full_numbers, may_show_numbers=sees_full_numbers(principal), mask=mask,
        shown=(lambda text: text) if full_numbers else mask_text,
        category=config.categories.get(case.category_code or ""),
        department=config.departments.get(case.department_code or ""),
        line=config.lines.get(case.line_id or ""))


def _case_or_404(session, number: str):
    try:
        return case_for(session, current_principal(), number)
    except CaseNotFound:
        abort(404)


def _filter(args) -> casework.CaseFilter:
    return casework.CaseFilter(
        q=_text(args.get("q")), status=_text(args.get("status")), department=_text(args.get("department")),
        category=_text(args.get("category")), line=_text(args.get("line")), channel=_text(args.get("channel")),
        overdue=(args.get("overdue") or "").lower() in YES, needs_person=(args.get("needs_person") or "").lower()
        in YES, created_from=_date(args.get("from"), quiet=True), created_to=_date(args.get("to"), quiet=True),
        sort=args.get("sort") if args.get("sort") in casework.SORTS else "newest",
        page=_number(args.get("page")))


def _text(value: str | None) -> str | None:
    return (value or "").strip()[:2000] or None


def _date(value: str | None, quiet: bool = False) -> date | None:
    if not (value or "").strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        if quiet:
            return None
        raise ValueError(_("Write the date as YYYY-MM-DD.")) from None


def _number(value: str | None) -> int:
    return int(value) if (value or "").isdigit() and 0 < int(value) < 10_000 else 1
