"""Console pages: sign-in and the start page.  The live board (``console.board``)
and the monthly assessment (``reports.views``) add their own pages; callbacks are
followed from the command line (``flask --app app callbacks ...``)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from accounts.services import LockedOut, Throttle, sign_in
from console.auth import current_principal, requires, sign_out
from console.auth import sign_in as start_session
from database import db
from wiring import services

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.app_context_processor
def principal_in_templates():
    return {"principal": current_principal()}


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
        flash(f"密码错误次数过多，请{minutes}分钟后再试。 · Too many wrong passwords: try again in {minutes} "
              f"minutes.", "error")
        return render_template("console/login.html", next=request.form.get("next", "")), 429
    session.commit()
    if user is None:
        flash("用户名或密码错误。 · Wrong user name or password.", "error")
        return render_template("console/login.html", next=request.form.get("next", "")), 401
    start_session(user)
    return redirect(_safe_next(request.form.get("next")) or url_for("console.index"))


@bp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("console.login"))


@bp.get("/")
@requires()
def index():
    return render_template("console/index.html")


def _safe_next(target: str | None) -> str | None:
    """Only redirect within the console after signing in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console"):
        return None
    return target
