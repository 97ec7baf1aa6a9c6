"""Quality review (质检) for supervisors: the week's sample of operators'
recorded calls, a call's review page (its recording through the console's
recording proxy, the IVR's step transcript, the case it made, the
checklist), and each operator's averages for a month.  The use cases are
``quality.services``; the arithmetic ``quality.scoring``."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.services import display_names
from call_log.phones import mask, mask_text
from console.auth import current_principal, requires
from console.i18n import centre_time_zone, language
from console.navigation import NavItem
from console.recordings import recording_response
from database import db
from quality import services as quality
from routing.periods import is_month
from routing.periods import month as month_period
from wiring import services

bp = Blueprint("console_quality", __name__, url_prefix="/console/quality")

REVIEWERS = ("supervisor",)           # admins pass every check
MENU_ENTRY = NavItem("console_quality.sample", _l("Quality review"),
                     _l("Score a sample of operators' recorded calls; each operator's averages"), REVIEWERS)


def _local_today() -> date:
    from zoneinfo import ZoneInfo
    return services().now().astimezone(ZoneInfo(centre_time_zone())).date()


@bp.get("/")
@requires(*REVIEWERS)
def sample():
    day = _day(request.args.get("week")) or _local_today()
    session = db.reader()
    drawn = quality.week_sample(session, services().quality, quality.week_of(day, centre_time_zone()))
    names = display_names(session, {row.operator for row in drawn.rows})
    return render_template("console/quality.html", sample=drawn, names=names, config=services().config,
                           rule=services().quality.rule, this_week=quality.week_of(_local_today(), centre_time_zone()))


@bp.get("/calls/<call_sid>")
@requires(*REVIEWERS)
def call_page(call_sid: str):
    session = db.reader()
    found = quality.call_file(session, call_sid)
    if found is None:
        abort(404)
    return _review_page(session, found, given=None, comment=None)


@bp.post("/calls/<call_sid>")
@requires(*REVIEWERS)
def save(call_sid: str):
    session = db.session()
    principal = current_principal()
    given = {item.key: request.form.get(f"score-{item.key}", "") for item in services().quality.checklist}
    comment = request.form.get("comment")
    try:
        review = quality.save_review(session, services().quality, principal, call_sid, given, comment, services().now())
    except quality.ReviewRefused as refused:
        session.rollback()
        if refused.code == "no_call":
            abort(404)
        flash(_refusal(refused), "error")
        found = quality.call_file(db.reader(), call_sid)
        return _review_page(db.reader(), found, given=given, comment=comment), 422
    session.commit()
    names = display_names(session, {review.operator})
    flash(_("Call of %(operator)s scored %(total)d of %(possible)d.", operator=names.get(review.operator,
          review.operator), total=review.total, possible=review.possible), "ok")
    return redirect(url_for("console_quality.sample"))


@bp.get("/calls/<call_sid>/recordings/<int:recording_id>")
@requires(*REVIEWERS)
def recording(call_sid: str, recording_id: int):
    """An operator's call's recording, through the console's proxy."""
    found = quality.call_file(db.reader(), call_sid)
    kept = next((r for r in found.recordings if r.id == recording_id), None) if found else None
    if kept is None:
        abort(404)
    return recording_response(kept.recording_sid)


@bp.get("/summary")
@requires(*REVIEWERS)
def summary():
    label = request.args.get("month") or _local_today().strftime("%Y-%m")
    if not is_month(label):
        abort(404)
    period = month_period(label, centre_time_zone())
    session = db.reader()
    found = quality.month_summary(session, services().quality, period.start, period.end)
    names = display_names(session, {s.operator for s in found.operators})
    year, number = (int(part) for part in label.split("-"))
    previous = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    following = f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"
    return render_template("console/quality_summary.html", summary=found, names=names, month=label,
                           previous=previous, following=following, checklist=services().quality.checklist,
                           possible=services().quality.possible)


def _review_page(session, found, given, comment):
    principal = current_principal()
    mine = found.review_by(principal.name)
    names = display_names(session, {found.call.operator, *(r.reviewer for r in found.reviews)})
    return render_template(
        "console/quality_call.html", file=found, names=names, config=services().config,
        checklist=services().quality.checklist, possible=services().quality.possible, mine=mine,
        given=given if given is not None else (dict((k, str(v)) for k, v in mine.scores.items()) if mine else {}),
        comment=comment if comment is not None else (mine.comment if mine else ""),
        # A review needs no whole number: always masked here, as on the case
        # page until someone gives a reason to see it there.
        shown=mask_text, caller=mask(found.call.caller_e164),
        own_call=found.call.operator == principal.name, reader_language=language())


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        abort(404)


def _refusal(refused: quality.ReviewRefused) -> str:
    if refused.code == "no_recording":
        return _("This call has no recording to review yet.")
    if refused.code == "own_call":
        return _("You cannot review your own call.")
    item = next((i for i in services().quality.checklist if i.key == refused.detail), None)
    name = item.name(language()) if item else refused.detail
    points = item.points if item else 0
    return _("Give %(item)s a whole number of points from 0 to %(points)d.", item=name, points=points)
