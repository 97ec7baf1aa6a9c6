"""Twilio-shaped identifiers: a two-letter prefix and 32 hex digits."""
from __future__ import annotations

import secrets

CALL = "CA"
QUEUE = "QU"
CONFERENCE = "CF"
RECORDING = "RE"
TRANSCRIPTION = "TR"
PHONE_NUMBER = "PN"


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)
