"""Settings from the environment: the only module that reads ``os.environ``.

Every variable in the design's public interface is read here and nowhere
else.  Defaults are the embedded setup: SQLite under ``instance/``, the
shipped YAML in ``config/``, and development secrets kept in
``instance/dev-secrets.json`` so a first run needs no Twilio account.
"""
from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE_DIR = PROJECT_ROOT / "instance"


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class SchedulerSettings:
    """The scheduler process (scheduler/): its jobs' intervals, its leader
    lock, and how the callback dispatcher works.  The city's calling policy
    (hours, delays, attempts) is in config/callbacks.yaml instead."""

    # SQLite only: the leader lock file; default: next to the database file.
    lock_file: Path | None = None
    callbacks_every: timedelta = timedelta(seconds=5)
    overdue_every: timedelta = timedelta(minutes=1)
    outbox_every: timedelta = timedelta(seconds=10)
    sms_every: timedelta = timedelta(seconds=5)           # the SMS outbox
    # How often waiting callers are offered to available operators (and
    # wrap-ups ended); an operator who becomes available in the console is
    # offered a caller at once.
    seats_every: timedelta = timedelta(seconds=1)
    # How often a standby tries the leader lock, and the leader checks it still holds it.
    standby_poll: timedelta = timedelta(seconds=2)
    callback_batch: int = 50              # callbacks claimed per transaction
    callback_concurrency: int = 4         # calls.create requests in flight at once
    # A placed call with no final status after this long is looked up over REST.
    callback_stale_after: timedelta = timedelta(hours=1)
    # The leader writes a heartbeat this often; /readyz wants one within
    # ready_within (HOTLINE_READY_SCHEDULER_WITHIN).
    heartbeat_every: timedelta = timedelta(seconds=10)
    ready_within: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class SignInSettings:
    """Throttling the console's sign-in: after this many wrong passwords
    within ``lockout``, the user name (or the address they came from) is
    locked out until ``lockout`` has passed since the last of them."""

    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class TrackingSettings:
    """Throttling the public tracking page (/track/): lookups that find
    nothing are counted per address and per case number typed; at the limit
    within ``window``, that address or number gets no answer until the
    window has passed since the last of them."""

    max_failures_per_address: int = 10
    max_failures_per_case: int = 5
    window: timedelta = timedelta(minutes=30)


# What ``create_app(config)`` accepts beside the settings' own fields: things
# a caller hands in rather than configures (tests and benchmarks, mostly).
EXTRAS = frozenset({
    "clock",            # a callable returning the current aware UTC time (default: database.utcnow)
    "understanding",    # the classifier to use instead of loading the stored one
    "assessment",       # overrides of assessment.yaml's settings (reports.settings)
})


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = ""
    public_url: str | None = None
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_api_url: str = "https://api.twilio.com"
    secret_key: str = ""
    config_dir: Path = SHIPPED_CONFIG_DIR
    instance_dir: Path = DEFAULT_INSTANCE_DIR
    # Number of proxies in front of the app whose X-Forwarded-* headers are
    # trusted when HOTLINE_PUBLIC_URL is not set.  0 trusts none.
    trusted_proxies: int = 0
    log_level: str = "INFO"
    # How long a web request waits for a database lock (SQLite's busy
    # timeout, PostgreSQL's lock_timeout and pool wait) and for one statement
    # (PostgreSQL's statement_timeout): Twilio gives up on a webhook after
    # 15 s, so a request fails fast and takes the recovery path instead.
    db_lock_timeout: timedelta = timedelta(seconds=3)
    db_statement_timeout: timedelta = timedelta(seconds=5)
    # The same wait for the scheduler, the CLI and other background work.
    db_job_lock_timeout: timedelta = timedelta(seconds=30)
    # "text" (the default) or "json": one JSON object a line, phone numbers masked.
    log_format: str = "text"
    # Prometheus metrics at /internal/metrics, only for requests that carry
    # "Authorization: Bearer <token>"; without a token the endpoint is off (404).
    metrics_token: str | None = None
    # prometheus_client's multiprocess directory (PROMETHEUS_MULTIPROC_DIR),
    # when several gunicorn workers share the metrics.
    metrics_multiproc_dir: Path | None = None
    # Inspectors' photos, kept with their cases (HOTLINE_PHOTO_DIR); default: instance/photos.
    photo_dir: Path | None = None
    # The largest photo accepted (HOTLINE_PHOTO_MAX_BYTES); a phone's camera makes 2-6 MB.
    photo_max_bytes: int = 10 * 1024 * 1024
    # Environment variables YAML may name, e.g. departments' notification secrets.
    config_secrets: Mapping[str, str] = field(default_factory=dict)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    sign_in: SignInSettings = field(default_factory=SignInSettings)
    tracking: TrackingSettings = field(default_factory=TrackingSettings)
    # What a caller of ``create_app`` hands in that is not a setting (see EXTRAS).
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def photos(self) -> Path:
        """Where inspectors' photos are kept."""
        return self.photo_dir or self.instance_dir / "photos"

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Settings":
        """These settings with ``overrides`` applied: a field's name sets that
        field, a name in EXTRAS lands in ``extra``; any other name is refused,
        so a misspelt key fails loudly instead of being ignored."""
        fields = self.__dataclass_fields__.keys() - {"extra"}
        unknown = sorted(k for k in overrides if k not in fields and k not in EXTRAS)
        if unknown:
            raise SettingsError(
                f"unknown setting{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
                f"settings are {', '.join(sorted(fields))}, and extras are {', '.join(sorted(EXTRAS))}")
        merged = replace(self, **{k: v for k, v in overrides.items() if k in fields})
        extras = {k: v for k, v in overrides.items() if k in EXTRAS}
        if extras:
            merged = replace(merged, extra={**merged.extra, **extras})
        if isinstance(merged.config_dir, str):
            merged = replace(merged, config_dir=Path(merged.config_dir))
        if isinstance(merged.instance_dir, str):
            merged = replace(merged, instance_dir=Path(merged.instance_dir))
        if isinstance(merged.photo_dir, str):
            merged = replace(merged, photo_dir=Path(merged.photo_dir))
        return merged


def _dev_secrets(instance_dir: Path) -> dict[str, str]:
    """Secrets for the embedded setup, generated once and kept in instance/.

    They let the app and the local carrier sign and check webhooks without a
    Twilio account.  Production never uses them (see ``load_settings``).
    """
    path = instance_dir / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "twilio_account_sid": "AC" + secrets.token_hex(16),
        "twilio_auth_token": secrets.token_hex(16),
        "secret_key": secrets.token_urlsafe(32),
    }
    instance_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    mode = env.get("HOTLINE_ENV", "development").strip().lower()
    if mode not in {"development", "production", "testing"}:
        raise SettingsError(f"HOTLINE_ENV must be development, production or testing, not {mode!r}")
    instance_dir = Path(env.get("HOTLINE_INSTANCE_DIR", str(DEFAULT_INSTANCE_DIR)))
    database_url = env.get("HOTLINE_DATABASE_URL") or f"sqlite:///{instance_dir / 'hotline.sqlite3'}"
    public_url = (env.get("HOTLINE_PUBLIC_URL") or "").rstrip("/") or None
    try:
        trusted = int(env.get("HOTLINE_TRUSTED_PROXIES", "0"))
    except ValueError as exc:
        raise SettingsError("HOTLINE_TRUSTED_PROXIES must be a whole number") from exc
    secrets_from_env = {
        "twilio_account_sid": env.get("TWILIO_ACCOUNT_SID", ""),
        "twilio_auth_token": env.get("TWILIO_AUTH_TOKEN", ""),
        "secret_key": env.get("HOTLINE_SECRET_KEY", ""),
    }
    missing = [k for k, v in secrets_from_env.items() if not v]
    if missing and mode == "production":
        raise SettingsError("production needs " + ", ".join(_SECRET_NAMES[k] for k in missing))
    if mode == "production":
        _refuse_weak_production_settings(secrets_from_env, public_url, trusted)
    if missing:
        generated = _dev_secrets(instance_dir)
        for key in missing:
            secrets_from_env[key] = generated[key]
    log_format = env.get("HOTLINE_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise SettingsError(f"HOTLINE_LOG_FORMAT must be text or json, not {log_format!r}")
    metrics_dir = env.get("PROMETHEUS_MULTIPROC_DIR")
    return Settings(
        env=mode,
        log_format=log_format,
        metrics_token=env.get("HOTLINE_METRICS_TOKEN") or None,
        metrics_multiproc_dir=Path(metrics_dir) if metrics_dir else None,
        database_url=database_url,
        public_url=public_url,
        twilio_api_url=(env.get("HOTLINE_TWILIO_API_URL") or "https://api.twilio.com").rstrip("/"),
        config_dir=Path(env.get("HOTLINE_CONFIG_DIR") or SHIPPED_CONFIG_DIR),
        instance_dir=instance_dir,
        photo_dir=Path(env["HOTLINE_PHOTO_DIR"]) if env.get("HOTLINE_PHOTO_DIR") else None,
        photo_max_bytes=_whole(env, "HOTLINE_PHOTO_MAX_BYTES", Settings.photo_max_bytes, minimum=1024),
        trusted_proxies=trusted,
        log_level=env.get("HOTLINE_LOG_LEVEL", "INFO").upper(),
        db_lock_timeout=_duration(env, "HOTLINE_DB_LOCK_TIMEOUT", Settings.db_lock_timeout),
        db_statement_timeout=_duration(env, "HOTLINE_DB_STATEMENT_TIMEOUT", Settings.db_statement_timeout),
        db_job_lock_timeout=_duration(env, "HOTLINE_DB_JOB_LOCK_TIMEOUT", Settings.db_job_lock_timeout),
        config_secrets={k: v for k, v in env.items() if k.startswith("HOTLINE_NOTIFY_SECRET_")},
        scheduler=_scheduler_settings(env),
        sign_in=_sign_in_settings(env),
        **secrets_from_env,
    )


_SECRET_NAMES = {"twilio_account_sid": "TWILIO_ACCOUNT_SID", "twilio_auth_token": "TWILIO_AUTH_TOKEN",
                 "secret_key": "HOTLINE_SECRET_KEY"}
_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
_AUTH_TOKEN = re.compile(r"[0-9a-f]{32}")
# A console session key a browser cannot guess: what `secrets.token_urlsafe(32)` gives, at least.
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 12


def _refuse_weak_production_settings(values: Mapping[str, str], public_url: str | None, trusted: int) -> None:
    """Production starts only with secrets that can be secrets and a way to know its own URL.

    Every problem is named at once, with the variable and what it should be."""
    problems = []
    sid, token, key = values["twilio_account_sid"], values["twilio_auth_token"], values["secret_key"]
    if not _ACCOUNT_SID.fullmatch(sid):
        problems.append(f"TWILIO_ACCOUNT_SID must be AC followed by 32 lowercase hex digits, as the Twilio "
                        f"console shows it (got {len(sid)} characters starting {sid[:2]!r})")
    if not _AUTH_TOKEN.fullmatch(token):
        problems.append(f"TWILIO_AUTH_TOKEN must be the account's auth token, 32 lowercase hex digits "
                        f"(got {len(token)} characters)")
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        problems.append(f"HOTLINE_SECRET_KEY is too weak: use at least {SECRET_KEY_MIN_LENGTH} random "
                        f"characters, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))' "
                        f"(got {len(key)} characters, {len(set(key))} different)")
    if public_url is None and trusted == 0:
        problems.append("set HOTLINE_PUBLIC_URL to the base URL configured in Twilio (e.g. "
                        "https://hotline.city.gov.cn), or HOTLINE_TRUSTED_PROXIES to the number of proxies in "
                        "front of the service: otherwise webhook signatures are checked against the Host "
                        "header the client sends, and a signature made for another host is accepted")
    elif public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            problems.append(f"HOTLINE_PUBLIC_URL must be an https:// base URL such as https://hotline.city.gov.cn, "
                            f"not {public_url!r}")
    if problems:
        raise SettingsError("refusing to start in production:\n  - " + "\n  - ".join(problems))


_DURATION = re.compile(r"^\s*(\d+)\s*(ms|[smhd])\s*$")
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str, name: str) -> timedelta:
    """"500ms", "90s", "30m", "2h" or "1d"."""
    match = _DURATION.match(text)
    if not match:
        raise SettingsError(f"{name} must be a duration such as 90s, 30m, 2h or 1d (or 500ms), not {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _whole(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _duration(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    raw = env.get(name)
    return parse_duration(raw, name) if raw and raw.strip() else default


def _sign_in_settings(env: Mapping[str, str]) -> SignInSettings:
    defaults = SignInSettings()
    return SignInSettings(
        max_failures_per_user=_whole(env, "HOTLINE_SIGN_IN_MAX_FAILURES", defaults.max_failures_per_user),
        max_failures_per_address=_whole(env, "HOTLINE_SIGN_IN_MAX_FAILURES_PER_ADDRESS",
                                        defaults.max_failures_per_address),
        lockout=_duration(env, "HOTLINE_SIGN_IN_LOCKOUT", defaults.lockout),
    )


def _scheduler_settings(env: Mapping[str, str]) -> SchedulerSettings:
    defaults = SchedulerSettings()
    lock_file = env.get("HOTLINE_SCHEDULER_LOCK_FILE")
    return SchedulerSettings(
        lock_file=Path(lock_file) if lock_file else None,
        callbacks_every=_duration(env, "HOTLINE_SCHEDULER_CALLBACKS_EVERY", defaults.callbacks_every),
        overdue_every=_duration(env, "HOTLINE_SCHEDULER_OVERDUE_EVERY", defaults.overdue_every),
        outbox_every=_duration(env, "HOTLINE_SCHEDULER_OUTBOX_EVERY", defaults.outbox_every),
        sms_every=_duration(env, "HOTLINE_SCHEDULER_SMS_EVERY", defaults.sms_every),
        seats_every=_duration(env, "HOTLINE_SCHEDULER_SEATS_EVERY", defaults.seats_every),
        standby_poll=_duration(env, "HOTLINE_SCHEDULER_STANDBY_POLL", defaults.standby_poll),
        callback_batch=_whole(env, "HOTLINE_SCHEDULER_CALLBACK_BATCH", defaults.callback_batch),
        callback_concurrency=_whole(env, "HOTLINE_SCHEDULER_CALLBACK_CONCURRENCY", defaults.callback_concurrency),
        callback_stale_after=_duration(env, "HOTLINE_SCHEDULER_CALLBACK_STALE_AFTER", defaults.callback_stale_after),
        heartbeat_every=_duration(env, "HOTLINE_SCHEDULER_HEARTBEAT_EVERY", defaults.heartbeat_every),
        ready_within=_duration(env, "HOTLINE_READY_SCHEDULER_WITHIN", defaults.ready_within),
    )
