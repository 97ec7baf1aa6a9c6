"""The local carrier must never stand in for Twilio in production."""
from __future__ import annotations

from config.settings import Settings


class CarrierRefused(RuntimeError):
    """Raised when something asks for the local carrier in production."""


def refuse_in_production(settings: Settings) -> None:
    if settings.is_production:
        raise CarrierRefused(
            "the local carrier is a development and test tool; it refuses to run with "
            "HOTLINE_ENV=production (real calls must go through Twilio)"
        )
