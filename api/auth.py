"""Who is calling: ``Authorization: Bearer <api key>``, and what their role
lets them do.

Keys come from ``flask --app app api-key create --name NAME --role ROLE
[--department CODE]``.  An account role becomes a lifecycle role for case
steps: admin acts as supervisor.  No key ever acts as ``system``: only the
service itself takes system steps (reactivating on a repeat report,
flagging overdue cases).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request

from accounts.services import WHOLE_NUMBER_ROLES, Principal, principal_for_key
from api.errors import ApiError
from database import db
from wiring import services

# Account role -> the role the case state machine knows.
LIFECYCLE_ROLE = {
    "operator": "operator",
    "dispatcher": "dispatcher",
    "supervisor": "supervisor",
    "admin": "supervisor",
    "department": "department",
    "inspector": "inspector",
}
# Roles that see complainants' numbers in full (the accounts' one rule, shared with the console).
SEES_PHONE_NUMBERS = WHOLE_NUMBER_ROLES
EVERYONE = tuple(LIFECYCLE_ROLE)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hotline"'}


def lifecycle_role(principal: Principal) -> str:
    return LIFECYCLE_ROLE[principal.role]


def current_principal() -> Principal:
    return g.api_principal


def requires(*roles: str) -> Callable:
    """The view needs a valid key whose role is one of ``roles`` (any role
    when none are named)."""
    allowed = frozenset(roles or EVERYONE)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = _authenticate()
            if principal.role not in allowed:
                raise ApiError(403, "forbidden", f"a {principal.role} key may not {request.method} "
                                                 f"{request.path}; this needs {_either(allowed)}")
            g.api_principal = principal
            return view(*args, **kwargs)
        guarded.api_roles = allowed   # read by the OpenAPI tests
        return guarded
    return decorate


def _authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if not header:
        raise ApiError(401, "unauthorized", "this endpoint needs an API key: "
                                            "send 'Authorization: Bearer <key>'", headers=_CHALLENGE)
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "unauthorized", "the Authorization header must be 'Bearer <key>'",
                       headers=_CHALLENGE)
    session = db.session()
    principal = principal_for_key(session, key.strip(), services().now())
    if principal is None:
        raise ApiError(401, "unauthorized", "the API key is unknown or no longer active",
                       headers={"WWW-Authenticate": 'Bearer realm="hotline", error="invalid_token"'})
    if principal.role not in LIFECYCLE_ROLE:
        raise ApiError(403, "forbidden", f"keys with role {principal.role!r} may not use this API")
    if principal.role == "department" and not principal.department_code:
        raise ApiError(403, "forbidden", "this department key names no department; make a new one with "
                                         "--department CODE")
    # Keep the key's last use even when the request itself is then refused.
    session.commit()
    return principal


def _either(roles: frozenset[str]) -> str:
    ordered = [role for role in EVERYONE if role in roles]
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} or {ordered[-1]}"
