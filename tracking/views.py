"""``/track/``: public, no sign-in.  The form posts the case number and the
last four digits; ``GET /track/?number=…&last4=…`` works too (a link in an
SMS).  Answers are never cached and never leave a referrer."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from database import db
from tracking.services import TooManyTries, normalised_number, track
from wiring import services

bp = Blueprint("tracking", __name__, url_prefix="/track", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.route("/", methods=["GET", "POST"])
def page():
    values = request.form if request.method == "POST" else request.args
    number, last4 = (values.get("number") or "").strip()[:40], (values.get("last4") or "").strip()[:8]
    if not (number or last4):
        return _page(asked=False)
    settings = current_app.config["SETTINGS"]
    session = db.session()
    try:
        tracked = track(session, services().config, number, last4, request.remote_addr or "",
                        services().now(), settings.tracking)
    except TooManyTries:
        session.commit()
        response = _page(asked=True, throttled=True, number=normalised_number(number), status=429)
        response.headers["Retry-After"] = str(int(settings.tracking.window.total_seconds()))
        return response
    session.commit()
    return _page(asked=True, tracked=tracked, number=normalised_number(number))


def _page(*, asked: bool, tracked=None, throttled: bool = False, number: str = "", status: int = 200):
    response = current_app.make_response(
        (render_template("tracking/track.html", asked=asked, tracked=tracked, throttled=throttled,
                         number=number), status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
