"""Helpers for tests that run the service end to end through the carrier.

``serve`` runs any WSGI application on a free loopback port in a thread;
``carrier_for`` builds a carrier whose waits run at a fraction of call time,
and ``carrier.exchange.hotline_numbers`` gives it the hotline's lines.  The
carrier's own tests use them, and so can the tests of features built on
calls (operators, callbacks).
"""
from __future__ import annotations

from carrier.clock import Clock
from carrier.exchange import Carrier
from carrier.serving import serve, serve_built

__all__ = ["TEST_TIME_SCALE", "carrier_for", "serve", "serve_built"]

# Tests let call time pass a hundred times faster: a 30 s ring takes 0.3 s.
TEST_TIME_SCALE = 0.01


def carrier_for(account_sid: str, auth_token: str, scale: float = TEST_TIME_SCALE) -> Carrier:
    return Carrier(account_sid, auth_token, clock=Clock(scale))
