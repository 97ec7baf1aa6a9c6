"""What every browser test shares: Debian's Chromium, and patience.

Browser tests wait on states (a phone ``ringing``, a line of transcript, a
flash message), never for a length of time.  How long they may wait is a
bound for a hung test, not a measure of speed, so it is generous: on a
busy machine a state can take many seconds to arrive.
"""
from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Playwright's waits (actions, and expect() assertions), in milliseconds.
WAIT_MS = 60_000


def be_patient(sync_api) -> None:
    """Let ``expect`` wait as long as actions do (Playwright's own default is 5 s)."""
    sync_api.expect.set_options(timeout=WAIT_MS)
