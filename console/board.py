"""The operators' live board and what they do from it: take over a call,
answer the next caller in a queue, fill in and file the case, transfer."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.services import audit, display_names
from call_log.phones import mask
from call_log.services import find_call
from call_log.twilio_rest import twilio_client
from cases.lifecycle import LifecycleError
from console.auth import current_principal, current_user, requires, sees_full_numbers
from console.i18n import local_time
from console.labels import (
    CONFERENCE_MOVE,
    CONFERENCE_STATE,
    PARTICIPANT,
    PARTICIPANT_MODE,
    SEAT_REASON,
    SEAT_STATE,
    STATUS,
    STEP,
    SUPERVISOR_MODE,
    word,
)
from console.navigation import NavItem
from database import db
from ivr.kit import external_url
from operators import conference as conference_rules
from operators.board import live_calls
from operators.conference_services import (
    Refused,
    conference_urls,
    operator_move,
    people_in,
    stop_supervising,
    supervise,
)
from operators.distribution import distribute
from operators.intake import CaseForm, FormError, Saved, case_of_call, file_from_call, prefill
from operators.presence import report_present
from operators.seating import choose, seats
from operators.seats import AVAILABLE, CHOSEN, SeatError
from operators.services import CallEnded, NoDevice, OperatorUrls, QueueEmpty, answer_next, take_over, transfer
from wiring import services

# The console's own pages are in console.views; the live board is a blueprint
# of its own under the same prefix, registered by create_app.
bp = Blueprint("console_board", __name__, url_prefix="/console")

MENU_ENTRY = NavItem("console_board.board", _l("Live board"), _l("Calls in the IVR and in the queues, live"),
                     ("operator", "supervisor"))


def _urls() -> OperatorUrls:
    return OperatorUrls(
        connect=lambda operator: external_url("operator_voice.connect", operator=operator),
        transfer=lambda department, case: external_url("operator_voice.transfer", department=department,
                                                       case=case or ""),
    )


@bp.get("/board")
@requires("operator", "supervisor")
def board():
    config = services().config
    lines = [{"id": line.id, "name": line.name("zh-CN")} for line in config.lines.values()]
    states = [(state, word(SEAT_STATE, state)) for state in CHOSEN]
    departments = [{"code": d.code, "name": d.name("zh-CN")} for d in config.departments.values() if d.duty_number]
    return render_template("console/board.html", lines=lines, states=states, departments=departments,
                           supervisor=current_user().role in SUPERVISING)


@bp.get("/board.json")
@requires("operator", "supervisor")
def board_json():
    # Read-only: on SQLite the poll never takes (or waits for) the write lock.
    board = live_calls(db.reader(), services().config, services().now())
    calls = [c.as_dict(full_numbers=False) for c in board.calls]
    me = current_user().username
    people = people_in(db.reader(), [c["call_sid"] for c in calls if c["operator"]])
    names = display_names(db.reader(), {p.who for legs in people.values() for p in legs
                                        if p.who and p.role in (conference_rules.OPERATOR,
                                                                conference_rules.SUPERVISOR)})
    departments = services().config.departments
    names.update({code: d.name("zh-CN") for code, d in departments.items()})
    for call in calls:
        call["step"] = word(STEP, call["step"])
        _conference_view(call, people.get(call["call_sid"], []), me, names)
    lines = services().config.lines
    seat_rows = [{
        "username": seat.username, "name": seat.name, "state": seat.state, "state_label": word(SEAT_STATE, seat.state),
        "since": local_time(seat.since, with_seconds=True), "reason": word(SEAT_REASON, seat.reason),
        "lines": [lines[line].name("zh-CN") if line in lines else line for line in seat.lines],
        "languages": list(seat.languages),
    } for seat in seats(db.reader())]
    mine = next((row for row in seat_rows if row["username"] == me), None)
    # The board's clock is the centre's, with the date, as every time the console shows.
    return jsonify(calls=calls, more=board.more, at=local_time(services().now(), with_seconds=True),
                   seats=seat_rows, me=mine)


SUPERVISING = ("supervisor", "admin")


def _conference_view(call: dict, people: list, me: str, names: dict[str, str]) -> None:
    """Who is in the call's conference, in which mode; where the operator's
    side of it is; and what the operator holding it may do now."""
    state = call.pop("conference_state", None)
    call["conference"] = [{
        "role": p.role, "role_label": word(PARTICIPANT, p.role), "who": p.who or "",
        "name": names.get(p.who or "", p.who or ""), "mode": p.mode,
        "mode_label": word(PARTICIPANT_MODE, p.mode), "hold": p.hold, "joined": p.status == "joined",
    } for p in people]
    call["conference_state"] = state
    call["conference_state_label"] = word(CONFERENCE_STATE, state) if state else ""
    call["mine"] = bool(call["operator"]) and call["operator"] == me
    call["moves"] = [{"move": m, "label": word(CONFERENCE_MOVE, m)}
                     for m in conference_rules.moves_from(state)] if call["mine"] and state else []
    watching = next((p for p in people if p.role == conference_rules.SUPERVISOR and p.who == me), None)
    call["my_mode"] = watching.mode if watching else None


@bp.post("/seat")
@requires("operator", "supervisor")
def seat():
    """The operator sets their state: available, break or offline.  Becoming
    available offers them the caller waiting longest at once."""
    session = db.session()
    wanted = request.form.get("state", "")
    now = services().now()
    try:
        if wanted not in CHOSEN:
            raise SeatError(wanted)
        choose(session, current_user(), wanted, now)
    except SeatError:
        session.rollback()
        flash(_("Your state cannot change to that now."), "error")
        return redirect(url_for("console_board.board"))
    session.commit()
    if wanted == AVAILABLE:
        _distribute_now()
    return redirect(url_for("console_board.board"))


def _distribute_now() -> None:
    """A distribution pass on this state change (the scheduler runs one
    every second as well); Twilio being unreachable must not fail the page."""
    app = current_app._get_current_object()
    try:
        distribute(lambda: db.session_scope(app), twilio_client(), services().config,
                   lambda operator: external_url("operator_voice.connect", operator=operator), services().clock)
    except Exception:  # noqa: BLE001 - the scheduler's next pass offers the caller instead
        logging.getLogger(__name__).exception("distribution on a state change failed")


@bp.post("/presence")
@requires("operator", "supervisor")
def presence():
    """The open live board reports in: this operator is on duty (the queue
    is sized by how many are)."""
    session = db.session()
    report_present(session, current_user().id, services().now())
    session.commit()
    return "", 204


@bp.post("/calls/<call_sid>/takeover")
@requires("operator", "supervisor")
def takeover(call_sid: str):
    session = db.session()
    try:
        take_over(session, twilio_client(), call_sid, current_user(), _urls(), services().now())
    except (CallEnded, NoDevice) as problem:
        session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("console_board.board"))
    session.commit()
    return redirect(url_for("console_board.call_case", call_sid=call_sid))


@bp.post("/queues/<line_id>/answer")
@requires("operator", "supervisor")
def answer(line_id: str):
    if line_id not in services().config.lines:
        abort(404)
    session = db.session()
    try:
        call = answer_next(session, twilio_client(), services().config, line_id, current_user(), _urls(),
                           services().now())
    except (QueueEmpty, NoDevice) as problem:
        session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("console_board.board"))
    session.commit()
    if call is None:
        return redirect(url_for("console_board.board"))
    return redirect(url_for("console_board.call_case", call_sid=call.call_sid))


@bp.route("/calls/<call_sid>/case", methods=["GET", "POST"])
@requires("operator", "supervisor")
def call_case(call_sid: str):
    session = db.session()
    config = services().config
    call = find_call(session, call_sid)
    if call is None:
        abort(404)
    form = prefill(session, call)
    if request.method == "POST":
        form = CaseForm(*(request.form.get(name, "") for name in
                          ("description", "location", "category_code", "callback_number")))
        try:
            saved = file_from_call(session, config, call, form, current_user(), services().now())
        except (FormError, LifecycleError) as problem:
            session.rollback()
            flash(str(problem), "error")
        else:
            session.commit()
            flash(_saved_message(saved), "ok")
            return redirect(url_for("console_board.call_case", call_sid=call_sid))
    categories = sorted((c for c in config.categories.values() if call.line_id in c.lines), key=lambda c: c.code)
    departments = [d for d in config.departments.values() if d.duty_number]
    principal = current_principal()
    full_numbers = sees_full_numbers(principal)
    if full_numbers and form.callback_number:
        # The whole number is on screen: say who saw it.
        audit(session, principal, "view_number", call_sid, services().now(), detail="case form")
        session.commit()
    return render_template("console/call_case.html", call=call, form=form, categories=categories,
                           departments=departments, case=case_of_call(session, call), full_numbers=full_numbers,
                           mask=mask)


def _saved_message(saved: Saved) -> str:
    number, status = saved.case.number, word(STATUS, saved.case.status)
    if saved.joined and saved.reopened:
        return _("This call joined case %(number)s, which is being handled again; it is now %(status)s.",
                 number=number, status=status)
    if saved.joined:
        return _("This call joined case %(number)s, which is still being handled; it is now %(status)s.",
                 number=number, status=status)
    return _("Case %(number)s saved; it is now %(status)s.", number=number, status=status)


def _refused(problem: Refused) -> str:
    """Twilio's refusal, or the rules', in words."""
    if problem.reason == Refused.GONE:
        return _("The caller has hung up (or the call has ended).")
    if problem.reason == Refused.NO_DEVICE:
        return _("You have no phone or Twilio Client identity to ring.")
    if problem.reason == Refused.NO_NUMBER:
        return _("That department has no duty number.")
    if problem.reason == Refused.NOT_YOURS:
        return _("Only the operator on this call can do that.")
    if problem.reason == Refused.NOT_NOW:
        return _("That cannot be done in this call now.")
    return _("Twilio refused: %(detail)s (error %(code)s).", detail=problem.detail, code=problem.code or "?")


def _back():
    if request.form.get("back") == "case":
        return redirect(url_for("console_board.call_case", call_sid=request.view_args["call_sid"]))
    return redirect(url_for("console_board.board"))


@bp.post("/calls/<call_sid>/supervise")
@requires("supervisor")
def supervise_call(call_sid: str):
    """A supervisor listens, coaches, barges in, or leaves the call."""
    session = db.session()
    mode = request.form.get("mode", "")
    if mode == "leave":
        def step():
            return stop_supervising(session, twilio_client(), call_sid, current_user(), services().now())
    elif mode in conference_rules.SUPERVISOR_MODES:
        def step():
            return supervise(session, twilio_client(), services().config, call_sid, current_user(), mode,
                             conference_urls(external_url), services().now())
    else:
        abort(400)
    return _carry_out(session, step, lambda result: _("%(mode)s: done.", mode=word(SUPERVISOR_MODE, mode)))


@bp.post("/calls/<call_sid>/conference")
@requires("operator", "supervisor")
def conference_move(call_sid: str):
    """The operator on the call: hold, resume, warm transfer (consult, join
    all three, leave, cancel)."""
    session = db.session()
    move = request.form.get("move", "")
    if move not in conference_rules.MOVES:
        abort(400)
    return _carry_out(
        session,
        lambda: operator_move(session, twilio_client(), services().config, call_sid, current_user(), move,
                              conference_urls(external_url), services().now(),
                              department_code=request.form.get("department") or None),
        lambda state: _("Done: %(state)s.", state=word(CONFERENCE_STATE, state)))


def _carry_out(session, step, done):
    """Run one conference step: refused, it is rolled back and said in words;
    done, it is committed and ``done(result)`` is said.  Back to the board."""
    try:
        result = step()
    except Refused as problem:
        session.rollback()
        flash(_refused(problem), "error")
        return _back()
    session.commit()
    flash(done(result), "ok")
    return _back()


@bp.post("/calls/<call_sid>/transfer")
@requires("operator", "supervisor")
def transfer_call(call_sid: str):
    session = db.session()
    try:
        transfer(session, twilio_client(), services().config, call_sid, request.form.get("department", ""),
                 request.form.get("case") or None, current_user(), _urls(), services().now())
    except (CallEnded, ValueError) as problem:
        session.rollback()
        flash(str(problem), "error")
    else:
        session.commit()
        flash(_("Transferred."), "ok")
    return redirect(url_for("console_board.call_case", call_sid=call_sid))
