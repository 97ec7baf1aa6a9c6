"""Console pages: sign-in and the start page.  The live board (``console.board``)
and the monthly assessment (``reports.views``) add their own pages; callbacks are
followed from the command line (``flask --app app callbacks ...``)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from accounts.services import LockedOut, Throttle, set_language, sign_in
from call_log.phones import mask, mask_text
from cases.inspections import open_tasks
from console import casework
from console.auth import current_principal, current_user, requires, sign_out
from console.auth import sign_in as start_session
from console.i18n import LANGUAGES
from database import db
from dispatch import supervision
from dispatch.services import queue
from wiring import services

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.app_context_processor
def principal_in_templates():
    # The header names the signed-in person by their display name.
    user = current_user()
    return {"principal": current_principal(), "signed_in_name": (user.display_name or user.username) if user else None}


@bp.get("/login")
def login():
    return render_template("console/login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login_submit():
    session = db.session()
    settings = current_app.config["SETTINGS"].sign_in
    throttle = Throttle(settings.max_failures_per_user, settings.max_failures_per_address, settings.lockout)
    try:
        user = sign_in(session, request.form.get("username", ""), request.form.get("password", ""),
                       request.remote_addr or "", services().now(), throttle)
    except LockedOut as locked:
        session.commit()
        minutes = max(1, -(-int((locked.until - services().now()).total_seconds()) // 60))
        flash(_("Too many wrong passwords: try again in %(minutes)d minutes.", minutes=minutes), "error")
        return render_template("console/login.html", next=request.form.get("next", ""),
                               username=request.form.get("username", "")), 429
    session.commit()
    if user is None:
        flash(_("Wrong user name or password."), "error")
        return render_template("console/login.html", next=request.form.get("next", ""),
                               username=request.form.get("username", "")), 401
    start_session(user)
    return redirect(_safe_next(request.form.get("next")) or url_for("console.index"))


@bp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("console.login"))


@bp.get("/")
@requires()
def index():
    """Each role's start page: what it works through first, then the rest of the console."""
    principal = current_principal()
    reader = db.reader()
    lists, department_queue, tasks, watch = {}, None, None, None
    if principal.role in ("dispatcher", "supervisor"):
        lists = casework.dispatcher_home(reader)
    if principal.role == "supervisor":
        watches = supervision.overdue(reader, services().now())
        watch = {"late": sum(w.late for w in watches), "cases": sum(len(w.cases) for w in watches)}
    if principal.role == "department":
        department_queue = queue(reader, principal.department_code, limit=casework.HOME_LIMIT)
    if principal.role == "inspector":
        tasks = open_tasks(reader)
    recent = casework.recent_cases_of(reader, principal.actor) if principal.role != "admin" else []
    return render_template("console/index.html", lists=lists, department_queue=department_queue, recent=recent,
                           tasks=tasks, watch=watch,
                           config=services().config,
                           now=services().now(), mask=mask, mask_text=mask_text)


@bp.post("/language")
def choose_language():
    """The language switch: kept on the user when signed in, else for this browser's session."""
    chosen = request.form.get("language", "")
    if chosen in LANGUAGES:
        user = current_user()
        if user is not None:
            # The user was read through the read-only session; write through the request's own.
            set_language(db.session().get(type(user), user.id), chosen, LANGUAGES)
            db.session().commit()
        session["language"] = chosen
    return redirect(_safe_next(request.form.get("next")) or url_for("console.index"))


@bp.app_errorhandler(HTTPException)
def console_error(error: HTTPException):
    """The console's own error pages, in the reader's language; other faces
    of the app (webhooks, APIs) keep their own answers."""
    if not request.path.startswith(bp.url_prefix) or error.code not in (403, 404, 405, 413, 500, 502):
        return error
    return render_template("console/error.html", error=error), error.code


@bp.app_errorhandler(InternalServerError)
def console_failure(error: InternalServerError):
    if not request.path.startswith(bp.url_prefix):
        return error
    db.session().rollback()
    return render_template("console/error.html", error=error), 500


def _safe_next(target: str | None) -> str | None:
    """Only redirect within the console after signing in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console"):
        return None
    return target
