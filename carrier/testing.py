"""Helpers for tests that run the service end to end through the carrier.

``serve`` runs any WSGI application on a free loopback port in a thread;
``carrier_for`` builds a carrier whose waits run at a fraction of call time,
and ``carrier.exchange.hotline_numbers`` gives it the hotline's lines.  The
carrier's own tests use them, and so can the tests of features built on
calls (operators, callbacks, conferences).

``Handset`` is a phone a test holds in its hand: registered at an address,
it picks up when the carrier rings it (a ``<Dial>``, a REST call, a
Participants dial-out), stays on the line, says and presses what the test
tells it to when the test tells it to, and keeps what it heard, so a test can
assert that a coached operator hears the supervisor and the caller does not.
"""
from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING

from carrier.actions import Action, Conferencing, HangUp, Holding, Moment, Pickup, Press, Silence, Speak, Talking, Wait
from carrier.clock import Clock
from carrier.exchange import Carrier
from carrier.parties import Party
from carrier.serving import serve, serve_built

if TYPE_CHECKING:
    from carrier.calls import Call, LogEntry

__all__ = ["TEST_TIME_SCALE", "Handset", "carrier_for", "serve", "serve_built"]

# Tests let call time pass a hundred times faster: a 30 s ring takes 0.3 s.
TEST_TIME_SCALE = 0.01


def carrier_for(account_sid: str, auth_token: str, scale: float = TEST_TIME_SCALE) -> Carrier:
    return Carrier(account_sid, auth_token, clock=Clock(scale))


class Handset(Party):
    """A phone driven by the test, step by step.  ``pickup`` says how it
    answers (``Pickup.NO_ANSWER`` lets it ring out).  Prompts that wait for
    keys or words (a whisper's ``<Gather>``) take the ``prompt_steps`` given
    (``press("1")``, ``say(...)``), one each, then silence; in a
    conversation or a conference it stays until the test hangs it up or the
    other side goes."""

    def __init__(self, carrier: Carrier, address: str, *prompt_steps: Action, pickup: Pickup = Pickup.HUMAN,
                 name: str | None = None) -> None:
        super().__init__(address, name)
        self.carrier = carrier
        self.pickup = pickup
        self._prompt_steps = collections.deque(prompt_steps)
        self.calls: list[Call] = []
        self._heard: list[tuple[str, str, str | None]] = []     # (call sid, text, speaker)
        self._lock = threading.Lock()
        carrier.directory.register(self)

    # --- what the carrier asks -----------------------------------------------------------

    def attach(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def ring(self, call: Call) -> Pickup:
        return self.pickup

    def next_action(self, call: Call, moment: Moment) -> Action:
        if isinstance(moment, (Talking, Holding, Conferencing)):
            return Wait()
        with self._lock:
            return self._prompt_steps.popleft() if self._prompt_steps else Silence()

    def answer_prompts_with(self, *steps: Action) -> None:
        """Keys or words for the next prompts (a whisper that asks to press 1)."""
        with self._lock:
            self._prompt_steps.extend(steps)

    def notice(self, call: Call, entry: LogEntry) -> None:
        if entry.kind == "heard":
            with self._lock:
                self._heard.append((call.sid, entry.text, entry.data.get("speaker")))

    # --- what the test does ----------------------------------------------------------------

    @property
    def call(self) -> Call | None:
        """The handset's latest call."""
        with self._lock:
            return self.calls[-1] if self.calls else None

    def wait_for_call(self, status: str = "in-progress", timeout: float = 10.0) -> Call:
        """Block until the handset's latest call has ``status`` (answered, by default)."""
        ok = self.carrier.wait_until(lambda: self.call is not None and self.call.status == status, timeout)
        assert ok, f"{self.address} has no call {status} (latest: {self.call})"
        return self.call

    def wait_until_in_conference(self, mode: str = "talking", timeout: float = 10.0) -> Call:
        """Block until the latest call is in a conference in ``mode``: ``talking``
        (started, not on hold), ``held``, or ``waiting`` for it to start."""
        def there() -> bool:
            call = self.call
            modes = [e.data.get("event") for e in list(call.log) if e.kind == "conference"] if call else []
            modes = [m for m in modes if m in ("waiting", "held", "talking", "left", "ended")]
            return bool(modes) and modes[-1] == mode
        assert self.carrier.wait_until(there, timeout), f"{self.address} is not {mode} in a conference"
        return self.call

    def say(self, text: str, timeout: float = 10.0) -> None:
        """Say ``text`` and wait until the carrier has taken it (it reached
        whoever hears this handset now), so what the test does next comes after."""
        self._act(Speak(text), lambda entry: entry.data.get("speech") == text, timeout)

    def press(self, digits: str, timeout: float = 10.0) -> None:
        self._act(Press(digits), lambda entry: entry.data.get("digits") == digits, timeout)

    def hang_up(self) -> None:
        call = self._act(HangUp())
        assert call.wait_ended(10.0), f"{call} did not end"

    def _act(self, action: Action, taken=None, timeout: float = 10.0) -> Call:
        call = self.call
        assert call is not None and call.live, f"{self.address} has no live call"
        seen = len(call.log)
        self.carrier.deliver(call.sid, action)
        if taken is not None:
            assert self.carrier.wait_until(
                lambda: any(e.kind == "input" and taken(e) for e in call.log[seen:]), timeout), \
                f"{self.address}: the carrier never took {action}"
        return call

    def heard(self, call: Call | None = None) -> list[str]:
        """What it heard (prompts and people), in order, on ``call`` or on every call."""
        with self._lock:
            return [text for sid, text, _ in self._heard if call is None or sid == call.sid]

    def heard_from(self, speaker_label: str) -> list[str]:
        """What it heard said by the conference participant labelled (or named) ``speaker_label``."""
        with self._lock:
            return [text for _, text, speaker in self._heard
                    if speaker is not None and (speaker == speaker_label or speaker.startswith(speaker_label + " ("))]

    def wait_until_heard(self, text: str, timeout: float = 10.0) -> None:
        assert self.carrier.wait_until(lambda: text in self.heard(), timeout), \
            f"{self.address} never heard {text!r}; it heard {self.heard()}"
