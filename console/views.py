"""Console pages: sign-in and the start page.  Each face of the console
(live board, queues, reports, callbacks) adds its own pages here."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for

from accounts.services import authenticate
from console.auth import current_principal, requires, sign_in, sign_out
from database import db

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
    user = authenticate(session, request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        flash("Wrong user name or password.", "error")
        return render_template("console/login.html", next=request.form.get("next", "")), 401
    sign_in(user)
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
