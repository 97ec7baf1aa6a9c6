"""The console's authenticated recording proxy: a recording's audio fetched
from Twilio with the account's credentials, so the browser never sees them
nor Twilio's URL.  Each page decides who may hear which recording; this
only streams it."""
from __future__ import annotations

from flask import Response, abort, current_app

from call_log.twilio_rest import RecordingUnavailable, recording_audio


def recording_response(recording_sid: str) -> Response:
    try:
        audio = recording_audio(current_app.config["SETTINGS"], recording_sid)
    except RecordingUnavailable as unavailable:
        abort(unavailable.status)
    headers = {"Cache-Control": "private, no-store"}
    if audio.length is not None:
        headers["Content-Length"] = str(audio.length)
    return Response(audio.chunks, mimetype=audio.content_type, headers=headers)
