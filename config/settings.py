"""Settings from the environment: the only module that reads ``os.environ``.

Every variable in the design's public interface is read here and nowhere
else.  Defaults are the embedded setup: SQLite under ``instance/``, the
shipped YAML in ``config/``, and development secrets kept in
``instance/dev-secrets.json`` so a first run needs no Twilio account.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE_DIR = PROJECT_ROOT / "instance"


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


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
    # Environment variables YAML may name, e.g. departments' notification secrets.
    config_secrets: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Settings":
        known = {k: v for k, v in overrides.items() if k in self.__dataclass_fields__}
        unknown = {k: v for k, v in overrides.items() if k not in known}
        merged = replace(self, **known)
        if unknown:
            merged = replace(merged, extra={**merged.extra, **unknown})
        if isinstance(merged.config_dir, str):
            merged = replace(merged, config_dir=Path(merged.config_dir))
        if isinstance(merged.instance_dir, str):
            merged = replace(merged, instance_dir=Path(merged.instance_dir))
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
        names = {"twilio_account_sid": "TWILIO_ACCOUNT_SID", "twilio_auth_token": "TWILIO_AUTH_TOKEN",
                 "secret_key": "HOTLINE_SECRET_KEY"}
        raise SettingsError("production needs " + ", ".join(names[k] for k in missing))
    if missing:
        generated = _dev_secrets(instance_dir)
        for key in missing:
            secrets_from_env[key] = generated[key]
    return Settings(
        env=mode,
        database_url=database_url,
        public_url=public_url,
        twilio_api_url=(env.get("HOTLINE_TWILIO_API_URL") or "https://api.twilio.com").rstrip("/"),
        config_dir=Path(env.get("HOTLINE_CONFIG_DIR") or SHIPPED_CONFIG_DIR),
        instance_dir=instance_dir,
        trusted_proxies=trusted,
        log_level=env.get("HOTLINE_LOG_LEVEL", "INFO").upper(),
        config_secrets={k: v for k, v in env.items() if k.startswith("HOTLINE_NOTIFY_SECRET_")},
        **secrets_from_env,
    )
