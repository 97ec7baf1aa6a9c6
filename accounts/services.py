"""Creating and checking users and API keys."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import ROLES, ApiKey, AuditEntry, SignInFailure, User
from call_log.phones import parse_entered
from routing.models import Department

KEY_PREFIX = "hk_"


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    """Who is acting: a console user or an API key, with a role."""

    name: str
    role: str
    department_code: str | None = None
    user_id: int | None = None
    api_key_id: int | None = None

    @property
    def actor(self) -> str:
        return f"user:{self.name}" if self.user_id else f"api:{self.name}"


# Who may see a complainant's whole phone number (to call them back or check
# a report with them): the one rule, used by the console and the API alike.
# Everyone else sees numbers masked; each time a whole number is shown, the
# audit log records who saw it, where, and (in the console) why.
WHOLE_NUMBER_ROLES = frozenset({"operator", "dispatcher", "supervisor", "admin"})


def sees_whole_numbers(principal: Principal | None) -> bool:
    return principal is not None and principal.role in WHOLE_NUMBER_ROLES


PASSWORD_RULE = "at least 10 characters"
MIN_PASSWORD_LENGTH = 10
# Where an operator's calls ring: a Twilio Client identity (letters, digits, _ . - @) or a phone number.
_CLIENT_IDENTITY = re.compile(r"client:[A-Za-z0-9_][A-Za-z0-9_.@-]{0,99}")
DEVICE_RULE = "client:<identity> (letters, digits, _ . - @) or a phone number such as +8613812345678"


def _check_role(session: Session, role: str, department_code: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "department" and not department_code:
        raise AccountError("department staff need a department code: --department CODE")
    if department_code is not None:
        known = session.scalars(select(Department.code).where(Department.active.is_(True))
                                .order_by(Department.code)).all()
        if not known:
            raise AccountError("no departments are loaded yet: run flask --app app init first")
        if department_code not in known:
            raise AccountError(f"there is no department {department_code!r}; one of {', '.join(known)} "
                               "(config/departments.yaml, loaded by flask --app app init)")


def check_device(device: str | None) -> str | None:
    """Where an operator's calls ring, as the bridge dials it; refused if it cannot be dialled."""
    if device is None or not device.strip():
        return None
    device = device.strip()
    if device.startswith("client:"):
        if not _CLIENT_IDENTITY.fullmatch(device):
            raise AccountError(f"device {device!r} is not a Client identity: use {DEVICE_RULE}")
        return device
    number = parse_entered(device) if re.fullmatch(r"\+?[0-9 ()-]{5,20}", device) else None
    if number is None:
        raise AccountError(f"device {device!r} is not a number we can dial: use {DEVICE_RULE}")
    return number


def create_user(session: Session, username: str, password: str, role: str, *, display_name: str | None = None,
                department_code: str | None = None, device: str | None = None,
                hash_method: str = "scrypt") -> User:
    _check_role(session, role, department_code)
    device = check_device(device)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs {PASSWORD_RULE}")
    if not username.strip() or len(username) > 64:
        raise AccountError("a user name has 1 to 64 characters")
    if session.scalars(select(User).where(User.username == username)).first():
        raise AccountError(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=generate_password_hash(password, method=hash_method), department_code=department_code,
                device=device)
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class Throttle:
    """How many wrong passwords lock a user name or an address out, and for how long
    (config.settings.SignInSettings)."""

    max_failures_per_user: int
    max_failures_per_address: int
    lockout: timedelta


class LockedOut(Exception):
    """Too many wrong passwords: no password is checked until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked out until {until.isoformat(timespec='minutes')}")
        self.until = until


def sign_in(session: Session, username: str, password: str, address: str, now: datetime,
            throttle: Throttle) -> User | None:
    """The console's sign-in: the user, or None for a wrong name or password.

    Wrong passwords are counted per user name and per address; when either
    reaches its limit within the lockout period, it is locked out (raises
    ``LockedOut``) until the period has passed since the last of them, and
    the audit log says so.  While locked out no password is checked, so the
    right one does not help.  Signing in clears the user name's count.
    """
    username, address = username[:64], (address or "unknown")[:64]
    since = now - throttle.lockout
    session.execute(delete(SignInFailure).where(SignInFailure.at <= since))      # they count no more
    for column, value, limit in ((SignInFailure.username, username, throttle.max_failures_per_user),
                                 (SignInFailure.address, address, throttle.max_failures_per_address)):
        count, last = session.execute(select(func.count(), func.max(SignInFailure.at))
                                      .where(column == value, SignInFailure.at > since)).one()
        if count >= limit:
            raise LockedOut(last + throttle.lockout)
    user = authenticate(session, username, password)
    if user is not None:
        session.execute(delete(SignInFailure).where(SignInFailure.username == username))
        return user
    session.add(SignInFailure(at=now, username=username, address=address))
    session.flush()
    for target, column, value, limit in (
            ("user", SignInFailure.username, username, throttle.max_failures_per_user),
            ("address", SignInFailure.address, address, throttle.max_failures_per_address)):
        count = session.scalar(select(func.count()).where(column == value, SignInFailure.at > since))
        if count == limit:
            session.add(AuditEntry(
                at=now, actor=f"sign-in from {address}", role="system", action="sign_in_locked",
                target=f"{target}:{value}", detail=f"{count} wrong passwords within {throttle.lockout}; "
                                                   f"locked out until {(now + throttle.lockout).isoformat()}",
                data={"username": username, "address": address, "failures": count}))
            raise LockedOut(now + throttle.lockout)
    return None


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every console cookie issued so far stops working."""
    user.session_epoch = (user.session_epoch or 0) + 1


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        # Spend the same time as a real check, so timing does not reveal names.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def create_api_key(session: Session, name: str, role: str = "operator",
                   department_code: str | None = None) -> tuple[ApiKey, str]:
    """A new key; the plain key is returned once and never stored."""
    _check_role(session, role, department_code)
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=plain[:10], key_hash=_hash(plain), role=role, department_code=department_code)
    session.add(key)
    session.flush()
    return key, plain


def principal_for_key(session: Session, plain: str | None, now: datetime) -> Principal | None:
    if not plain or not plain.startswith(KEY_PREFIX):
        return None
    digest = _hash(plain)
    for key in session.scalars(select(ApiKey).where(ApiKey.prefix == plain[:10], ApiKey.active.is_(True))):
        if hmac.compare_digest(key.key_hash, digest):
            key.last_used_at = now
            return Principal(key.name, key.role, key.department_code, api_key_id=key.id)
    return None


def principal_for_user(user: User) -> Principal:
    return Principal(user.username, user.role, user.department_code, user_id=user.id)


def _hash(plain: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough; passwords are not keys.
    return hashlib.sha256(plain.encode()).hexdigest()


def set_language(user: User, language: str, languages) -> None:
    """The console speaks ``language`` to this user from now on."""
    if language not in languages:
        raise AccountError(f"language must be one of {', '.join(languages)}, not {language!r}")
    user.language = language


def audit(session: Session, principal: Principal, action: str, target: str, now: datetime,
          detail: str | None = None, data: dict | None = None) -> AuditEntry:
    entry = AuditEntry(at=now, actor=principal.actor, role=principal.role, action=action, target=target,
                       detail=detail, data=data)
    session.add(entry)
    return entry


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """The name the console shows for each of these users: their display
    name, or the user name when they have none."""
    if not usernames:
        return {}
    return {username: display_name or username for username, display_name in session.execute(
        select(User.username, User.display_name).where(User.username.in_(usernames)))}
