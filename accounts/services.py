"""Creating and checking users and API keys."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import ROLES, ApiKey, AuditEntry, User

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


def _check_role(role: str, department_code: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "department" and not department_code:
        raise AccountError("department staff need a department code")


def create_user(session: Session, username: str, password: str, role: str, *, display_name: str | None = None,
                department_code: str | None = None, device: str | None = None,
                hash_method: str = "scrypt") -> User:
    _check_role(role, department_code)
    if len(password) < 10:
        raise AccountError("a password needs at least 10 characters")
    if session.scalars(select(User).where(User.username == username)).first():
        raise AccountError(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=generate_password_hash(password, method=hash_method), department_code=department_code,
                device=device)
    session.add(user)
    session.flush()
    return user


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
    _check_role(role, department_code)
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


def audit(session: Session, principal: Principal, action: str, target: str, now: datetime,
          detail: str | None = None, data: dict | None = None) -> AuditEntry:
    entry = AuditEntry(at=now, actor=principal.actor, role=principal.role, action=action, target=target,
                       detail=detail, data=data)
    session.add(entry)
    return entry
