"""Twilio's webhook parameters, read from the request into the call log's
dataclasses.  Every voice blueprint translates requests through here."""
from __future__ import annotations

import math
import re

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict

from call_log.services import CallParams, RecordingParams, StatusUpdate

# Every number Twilio sends (steps, attempts, sequence numbers, durations,
# queue positions) is small and not negative; anything else is not Twilio's,
# and must not reach an INTEGER column or float arithmetic.
LARGEST = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


# Twilio never sends control characters, and its values are short; the call
# log keeps each parameter below in a column this wide.  A signed request
# that says otherwise is cleaned before anyone reads it (``clean``), so no
# webhook fails on a value the database cannot hold.
LONGEST = {"CallSid": 64, "AccountSid": 64, "ParentCallSid": 64, "From": 64, "Caller": 64, "To": 32,
           "Called": 32, "CallStatus": 32, "Direction": 32, "RecordingSid": 64, "RecordingUrl": 500,
           "RecordingStatus": 32, "Timestamp": 64, "QueueResult": 32, "AnsweredBy": 32, "DialCallStatus": 32,
           "Digits": 64, "TranscriptionSid": 64}
LONGEST_OTHER = 4000          # SpeechResult and the rest; URL arguments too
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean(incoming: Request) -> None:
    """Replace the request's form and query arguments with clean copies:
    control characters dropped, each value cut to the length kept for it."""
    def cleaned(values: ImmutableMultiDict) -> ImmutableMultiDict:
        return ImmutableMultiDict(
            (_CONTROL.sub("", name)[:100], _CONTROL.sub("", value)[:LONGEST.get(name, LONGEST_OTHER)])
            for name, value in values.items(multi=True))

    # The same slots werkzeug fills when it parses them (``form`` and ``args`` are cached properties).
    incoming.__dict__["form"] = cleaned(incoming.form)
    incoming.__dict__["args"] = cleaned(incoming.args)
    incoming.__dict__.pop("values", None)


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


def call_params() -> CallParams:
    form = request.form
    return CallParams(call_sid=form.get("CallSid", ""), from_number=form.get("From") or form.get("Caller"),
                      to_number=form.get("To") or form.get("Called"), status=form.get("CallStatus"),
                      direction=form.get("Direction"))


def recording_params() -> RecordingParams | None:
    form = request.form
    if not form.get("RecordingSid"):
        return None
    return RecordingParams(recording_sid=form["RecordingSid"], call_sid=form.get("CallSid"),
                           url=form.get("RecordingUrl"), duration_seconds=whole_number(form.get("RecordingDuration")),
                           status=form.get("RecordingStatus"))


def status_update() -> StatusUpdate:
    form = request.form
    return StatusUpdate(
        call_sid=form.get("CallSid", ""), status=form.get("CallStatus", ""),
        sequence_number=whole_number(form.get("SequenceNumber")), timestamp=form.get("Timestamp"),
        duration_seconds=whole_number(form.get("CallDuration")), params=form.to_dict(),
        from_number=form.get("From"), to_number=form.get("To"), direction=form.get("Direction"),
    )
