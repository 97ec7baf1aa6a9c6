"""Console logins: password sign-in, the signed-in principal, and role checks.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure in
production); forms carry a CSRF token (Flask-WTF's CSRFProtect, set up in
app.py).  Each request re-reads the user, so a deactivated account is out
at once; and the cookie carries the user's session epoch, which signing out
moves on, so a cookie kept from before stops working (server-side sign-out).
"""
from __future__ import annotations

import functools

from flask import abort, redirect, request, session, url_for

from accounts.models import User
from accounts.services import Principal, end_sessions, principal_for_user, sees_whole_numbers
from database import db

# Which roles see which part of the console.  Admins see everything.
ROLE_HOME = {
    "operator": "console.index", "dispatcher": "console.index", "supervisor": "console.index",
    "admin": "console.index", "department": "console.index", "inspector": "console.index",
}


def sign_in(user: User) -> None:
    session.clear()
    session["user_id"] = user.id
    session["epoch"] = user.session_epoch or 0
    session.permanent = True


def sign_out() -> None:
    """End the user's sessions on the server (every cookie issued so far), then this cookie."""
    signed_in = current_user()
    if signed_in is not None:
        # The user was read through the read-only session; write through the request's own.
        user = db.session().get(User, signed_in.id)
        end_sessions(user)
        db.session().commit()
    session.clear()


def current_principal() -> Principal | None:
    return _signed_in()[1]


def current_user() -> User | None:
    return _signed_in()[0]


def _signed_in() -> tuple[User | None, Principal | None]:
    """The signed-in user, looked up once per request (kept on the request,
    not on ``g``, which outlives a request when an app context is shared)."""
    cached = getattr(request, "_hotline_signed_in", None)
    if cached is None:
        user_id = session.get("user_id")
        # A read of its own: pages that only read (the live board's poll)
        # must not take SQLite's write lock just to know who is asking.
        user = db.reader().get(User, user_id) if isinstance(user_id, int) else None
        if user is None or not user.active or session.get("epoch") != (user.session_epoch or 0):
            user = None
        cached = (user, principal_for_user(user) if user else None)
        request._hotline_signed_in = cached
    return cached


def requires(*roles: str):
    """Signed in, and (when roles are given) holding one of them; admins pass."""

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                return redirect(url_for("console.login", next=request.full_path))
            if roles and principal.role not in roles and principal.role != "admin":
                abort(403)
            return view(*args, **kwargs)
        return checked

    return decorate


def sees_full_numbers(principal: Principal | None) -> bool:
    """Who may see complainants' whole phone numbers: the same rule as the
    API's (``accounts.services.WHOLE_NUMBER_ROLES``)."""
    return sees_whole_numbers(principal)
