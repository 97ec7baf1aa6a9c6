"""Signing notifications so a department's system can trust them.

The signature is HMAC-SHA256, keyed by the department's secret, over
``<timestamp>.<body>``; receivers recompute it, compare in constant time,
and refuse old timestamps to stop replays.
"""
from __future__ import annotations

import hashlib
import hmac
import json

SIGNATURE_HEADER = "X-Hotline-Signature"
TIMESTAMP_HEADER = "X-Hotline-Timestamp"
EVENT_HEADER = "X-Hotline-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: int, body: bytes, signature: str, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does; also used by the tests' receiving endpoint."""
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
