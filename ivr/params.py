"""Twilio's webhook parameters, read from the request into the call log's
dataclasses (and the few kept here: a queue's wait, the Fallback URL's
error, a <Dial>'s outcome, a conference's status callback).  Every voice
blueprint translates requests through here, and so does every spool
replay: each reader takes the request's form, or a spooled one
(``reader(webhook.form)``), and checks both alike.

A signed request is cleaned first (``clean``, called by ``ivr.signature``):
control characters, NUL among them, are dropped and every value is cut to
the length kept for it, so a webhook never fails on a value the database
cannot hold and a status callback with a stray byte still ends its call.
What is read is checked again (``BadWebhook``: a NUL byte, a value longer
than its column, too many parameters) for what did not come through
``clean``: spooled lines replayed from disk, which are quarantined when
they fail.  What a caller said is kept up to ``MAX_SPEECH`` characters.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from call_log.services import FINAL_STATUSES, CallParams, RecordingParams, StatusUpdate
from ivr.turns import Input

# The longest value of each parameter the call log stores: its column's size.
MAX_LENGTH = {
    "CallSid": 64, "AccountSid": 64, "ParentCallSid": 64, "From": 64, "Caller": 64, "To": 32, "Called": 32,
    "CallStatus": 32, "Direction": 32, "RecordingSid": 64, "RecordingUrl": 500, "RecordingStatus": 32,
    "Timestamp": 64, "AnsweredBy": 32, "Digits": 64, "QueueResult": 32,
    # Whole numbers kept in integer columns: nine digits fit any of them.
    "SequenceNumber": 9, "CallDuration": 9, "RecordingDuration": 9, "QueuePosition": 9, "QueueTime": 9,
    "AvgQueueTime": 9,
    # Conference status callbacks.
    "ConferenceSid": 64, "FriendlyName": 100, "Label": 32, "StatusCallbackEvent": 32,
    # Messages (sms.params reads them with these checks): a sid, a status word, an error code
    # (Twilio's are five digits) that an integer column holds.
    "MessageSid": 64, "SmsSid": 64, "SmsMessageSid": 64, "MessageStatus": 32, "SmsStatus": 32, "ErrorCode": 9,
}
MAX_VALUE = 2000            # any other parameter
MAX_PARAMETERS = 100        # Twilio sends a few dozen at most
SPEECH = ("SpeechResult", "UnstableSpeechResult")
MAX_SPEECH = 1000           # characters of speech kept: a long description, not a 100 kB payload


# Twilio never sends control characters, and its values are short.  A
# signed request that says otherwise is cleaned before anyone reads it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean(incoming: Request) -> None:
    """Replace the request's form and query arguments with clean copies:
    control characters dropped, each value cut to the length kept for it."""
    def cleaned(values: ImmutableMultiDict) -> ImmutableMultiDict:
        return ImmutableMultiDict(
            (_CONTROL.sub("", name)[:100], _CONTROL.sub("", value)[:_longest(name)])
            for name, value in values.items(multi=True))

    # The same slots werkzeug fills when it parses them (``form`` and ``args`` are cached properties).
    incoming.__dict__["form"] = cleaned(incoming.form)
    incoming.__dict__["args"] = cleaned(incoming.args)
    incoming.__dict__.pop("values", None)


def _longest(name: str) -> int:
    return MAX_LENGTH.get(name, MAX_SPEECH if name in SPEECH else MAX_VALUE)


class BadWebhook(ValueError):
    """A webhook whose parameters the database would refuse."""


Form = Mapping[str, str]


def check_parameters(form: Form) -> Form:
    """``form`` itself, or ``BadWebhook`` when the database could not store it."""
    if len(form) > MAX_PARAMETERS:
        raise BadWebhook(f"{len(form)} parameters; at most {MAX_PARAMETERS}")
    items = form.items(multi=True) if isinstance(form, MultiDict) else form.items()
    for name, value in items:
        if "\x00" in name or "\x00" in value:
            raise BadWebhook(f"a NUL byte in {name!r}")
        limit = MAX_LENGTH.get(name, None if name in SPEECH else MAX_VALUE)
        if limit is not None and len(value) > limit:
            raise BadWebhook(f"{name} is {len(value)} characters long; at most {limit}")
    return form


def checked_form() -> MultiDict:
    """The request's form, refused when the database could not store it."""
    return check_parameters(request.form)


# Every number Twilio sends (steps, attempts, sequence numbers, durations,
# queue positions) is small and not negative; anything else is not Twilio's,
# and must not reach an INTEGER column or float arithmetic.
LARGEST = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def whole_number(value: str | None) -> int | None:
    """A count Twilio sent, or None when it is absent or not one."""
    if value is None or not _DIGITS.fullmatch(value.strip()):
        return None
    number = int(value)
    return number if number <= LARGEST else None


def decimal(value: str | None) -> float | None:
    """A finite number such as Confidence, or None."""
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def speech(value: str | None) -> str | None:
    return value[:MAX_SPEECH] if value else None


def call_params(form: Form | None = None) -> CallParams:
    form = checked_form() if form is None else check_parameters(form)
    return CallParams(call_sid=form.get("CallSid", ""), from_number=form.get("From") or form.get("Caller"),
                      to_number=form.get("To") or form.get("Called"), status=form.get("CallStatus"),
                      direction=form.get("Direction"))


def recording_params(form: Form | None = None) -> RecordingParams | None:
    form = checked_form() if form is None else check_parameters(form)
    if not form.get("RecordingSid"):
        return None
    return RecordingParams(recording_sid=form["RecordingSid"], call_sid=form.get("CallSid"),
                           url=form.get("RecordingUrl"), duration_seconds=whole_number(form.get("RecordingDuration")),
                           status=form.get("RecordingStatus"))


def caller_input(recording: RecordingParams | None = None) -> Input:
    """What the caller did: a Gather's keys or words, a recording, or how
    their wait in a queue ended."""
    form = checked_form()
    return Input(digits=form.get("Digits") or None, speech=speech(form.get("SpeechResult")),
                 confidence=decimal(form.get("Confidence")),
                 recording_sid=recording.recording_sid if recording else None,
                 queue_result=form.get("QueueResult") or None)


def status_update(form: Form | None = None) -> StatusUpdate:
    form = checked_form() if form is None else check_parameters(form)
    return StatusUpdate(
        call_sid=form.get("CallSid", ""), status=form.get("CallStatus", ""),
        sequence_number=whole_number(form.get("SequenceNumber")), timestamp=form.get("Timestamp"),
        duration_seconds=whole_number(form.get("CallDuration")), params=dict(form.items()),
        from_number=form.get("From"), to_number=form.get("To"), direction=form.get("Direction"),
    )


def call_sid(form: Form | None = None) -> str:
    """The call a webhook is about ("" when Twilio did not say)."""
    form = checked_form() if form is None else check_parameters(form)
    return form.get("CallSid", "")


def answered_by(form: Form | None = None) -> str | None:
    """Answering machine detection on an outbound call: human, machine_start, ..."""
    form = checked_form() if form is None else check_parameters(form)
    return form.get("AnsweredBy") or None


def call_status(form: Form | None = None) -> str:
    """The call's status (``CallStatus``: ringing, completed, no-answer, ...; "" when absent)."""
    form = checked_form() if form is None else check_parameters(form)
    return form.get("CallStatus", "")


def recording_channels(form: Form | None = None) -> int | None:
    """How many channels a recording has (2: an operator's call recorded in dual channel)."""
    form = checked_form() if form is None else check_parameters(form)
    return whole_number(form.get("RecordingChannels"))


@dataclass(frozen=True)
class QueueWait:
    """<Enqueue waitUrl>: where the caller is in the queue, and Twilio's average wait."""

    call_sid: str
    position: int | None
    average_wait_seconds: int | None


def queue_params(form: Form | None = None) -> QueueWait:
    form = checked_form() if form is None else check_parameters(form)
    return QueueWait(call_sid=form.get("CallSid", ""), position=whole_number(form.get("QueuePosition")),
                     average_wait_seconds=whole_number(form.get("AvgQueueTime")))


@dataclass(frozen=True)
class FallbackParams:
    """Twilio's Fallback URL (and any apology): the number called picks the
    line; what failed is logged."""

    call_sid: str
    to_number: str | None
    error_code: str | None
    error_url: str | None


def fallback_params(form: Form | None = None, *, checked: bool = True) -> FallbackParams:
    """``checked=False`` only on the failure path, which must choose its
    apology's line whatever came in (a request refused for too many
    parameters is answered too); what a signed request carries is clean
    already (``clean``)."""
    if form is None:
        form = checked_form() if checked else request.form
    elif checked:
        form = check_parameters(form)
    return FallbackParams(call_sid=form.get("CallSid", ""), to_number=form.get("To"),
                          error_code=form.get("ErrorCode") or None, error_url=form.get("ErrorUrl") or None)


@dataclass(frozen=True)
class DialStatus:
    """<Dial action>: how the bridge ended, and whether the caller is still on the line."""

    call_sid: str
    dial_call_status: str
    call_status: str

    @property
    def connected(self) -> bool:
        return self.dial_call_status == "completed"

    @property
    def caller_gone(self) -> bool:
        return self.call_status in FINAL_STATUSES


def dial_status(form: Form | None = None) -> DialStatus:
    form = checked_form() if form is None else check_parameters(form)
    return DialStatus(call_sid=form.get("CallSid", ""), dial_call_status=form.get("DialCallStatus", ""),
                      call_status=form.get("CallStatus", ""))


@dataclass(frozen=True)
class ConferenceEvent:
    """One conference status callback, as Twilio sends it."""

    event: str                  # conference-start, participant-join, participant-hold, ...
    conference_sid: str
    friendly_name: str
    call_sid: str | None
    label: str | None
    muted: bool
    hold: bool
    coaching: bool
    sequence: int | None


_TRUTH = {"true": True, "false": False}


def _flag(form: Form, name: str) -> bool:
    return _TRUTH.get(form.get(name, "").lower(), False)


def conference_update(form: Form | None = None) -> ConferenceEvent:
    """A conference's status callback: who joined and left, hold, mute, coaching."""
    form = checked_form() if form is None else check_parameters(form)
    return ConferenceEvent(
        event=form.get("StatusCallbackEvent", ""), conference_sid=form.get("ConferenceSid", ""),
        friendly_name=form.get("FriendlyName", ""), call_sid=form.get("CallSid") or None,
        label=form.get("Label") or None, muted=_flag(form, "Muted"), hold=_flag(form, "Hold"),
        coaching=_flag(form, "Coaching"), sequence=whole_number(form.get("SequenceNumber")))
