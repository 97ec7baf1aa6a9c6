"""Twilio's webhook parameters, read from the request into the call log's
dataclasses.  Every voice blueprint translates requests through here."""
from __future__ import annotations

from flask import request

from call_log.services import CallParams, RecordingParams, StatusUpdate


def whole_number(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def decimal(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


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
