"""The REST API under ``/2010-04-01/Accounts/<AccountSid>/``, as the
``twilio`` Python client calls it: Calls (create, fetch, list, update),
a call's Recordings (start one, list, fetch, stop), Queues and their Members
(list, fetch, dequeue), and Recordings (fetch, list, media).  HTTP basic auth with the account SID and auth token."""
from __future__ import annotations

import hmac
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g, jsonify, request

from carrier import call_recording
from carrier.calls import EVENTS, Dequeue, StatusCallback, TwimlSource
from carrier.exchange import CallStateError, Carrier
from carrier.queues import DEFAULT_MAX_SIZE
from carrier.recordings import API_SOURCE, StatusNotice, silent_wav
from carrier.rest import errors
from carrier.rest.errors import ApiError
from carrier.rest.resources import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    account_uri,
    call_json,
    call_recording_json,
    member_json,
    page,
    queue_json,
    recording_json,
)

bp = Blueprint("carrier_rest", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>")

_NUMBER = re.compile(r"^\+?[0-9]{3,15}$")
MAX_QUEUE_NAME = 64
MAX_QUEUE_SIZE = 5000
MACHINE_DETECTION = ("Enable", "DetectMessageEnd")
# Parameters the twilio client may send that the carrier cannot honour.
NOT_EMULATED = ("ApplicationSid", "SipAuthUsername", "SipAuthPassword", "CallToken", "Byoc",
                "AsyncAmdStatusCallback", "RecordingConfigurationId", "ClientNotificationUrl")
# Endpoints Twilio serves without authentication by default.
PUBLIC_ENDPOINTS = {"carrier_rest.recording_media"}


def carrier() -> Carrier:
    return current_app.extensions["carrier"]


def _account(endpoint, values) -> None:
    g.account_sid = values.pop("account_sid", None)


def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    auth = request.authorization
    account_sid = g.get("account_sid")
    ok = (auth is not None and auth.type == "basic"
          and hmac.compare_digest(auth.username or "", carrier().account_sid)
          and hmac.compare_digest(auth.password or "", carrier().auth_token)
          and account_sid == carrier().account_sid)
    if not ok:
        raise ApiError(401, errors.AUTHENTICATE, "Authenticate")


def _api_error(error: ApiError):
    return error.response()


def guard(blueprint: Blueprint) -> Blueprint:
    """A blueprint under ``/2010-04-01/Accounts/<AccountSid>``: basic auth
    with the account, and errors shaped like Twilio's (the Messages
    resource, in ``carrier.rest.messages``, shares them)."""
    blueprint.url_value_preprocessor(_account)
    blueprint.before_request(_authenticate)
    blueprint.register_error_handler(ApiError, _api_error)
    return blueprint


guard(bp)


# --- calls -------------------------------------------------------------------------------

@bp.post("/Calls.json")
def create_call():
    form = request.form
    to, from_ = form.get("To", "").strip(), form.get("From", "").strip()
    if not to:
        raise ApiError(400, errors.NO_TO, "No 'To' number is specified")
    if not from_:
        raise ApiError(400, errors.NO_FROM, "No 'From' number is specified")
    for name in NOT_EMULATED:
        if form.get(name):
            raise errors.not_emulated(f"The {name} parameter")
    if form.get("Record", "").lower() == "true":
        raise errors.not_emulated("Recording a whole call (Record=true)")
    if form.get("AsyncAmd", "").lower() == "true":
        raise errors.not_emulated("Asynchronous answering machine detection (AsyncAmd)")
    if not (_NUMBER.match(to) or to.startswith("client:")):
        raise ApiError(400, errors.INVALID_TO, f"Invalid 'To' Phone Number: {to}")
    if from_ not in carrier().numbers and not to.startswith("client:"):
        raise ApiError(400, errors.FROM_NOT_VERIFIED,
                       f"The source phone number provided, {from_}, is not yet verified for your account. "
                       "You may only make calls from phone numbers that you've verified or purchased from Twilio.")
    source = _source(form, required=True)
    machine_detection = form.get("MachineDetection") or None
    if machine_detection and machine_detection not in MACHINE_DETECTION:
        raise ApiError(400, errors.CALLS_RESOURCE, "MachineDetection must be Enable or DetectMessageEnd")
    timeout = _whole_number(form.get("Timeout", "60"), "Timeout", 1, 600)
    exchange = carrier()
    call = exchange.queue_call(to=to, from_=from_, source=source, fallback=_fallback(form),
                               status_callback=_status_callback(form), machine_detection=machine_detection)
    answer = call_json(exchange, call)          # as Twilio answers: queued, before it rings
    exchange.start_call(call, timeout, form.get("SendDigits") or None)
    return jsonify(answer), 201


@bp.get("/Calls.json")
def list_calls():
    filters = {k: request.args[k] for k in ("To", "From", "Status", "ParentCallSid", *START_TIME_FILTERS)
               if request.args.get(k)}
    since = {k: _moment(filters[k], k) for k in START_TIME_FILTERS if k in filters}
    calls = [c for c in reversed(carrier().calls()) if _matches(c, filters) and _started_within(c, since)]
    return paged("calls", "/Calls.json", calls, lambda c: call_json(carrier(), c), filters)


def _matches(call, filters: dict[str, str]) -> bool:
    facts = {"To": call.to, "From": call.from_, "Status": call.status,
             "ParentCallSid": call.parent.sid if call.parent else None}
    return all(facts[k] == v for k, v in filters.items() if k in facts)


# StartTime (that day), StartTime> (on or after), StartTime< (on or before),
# as the twilio client sends them: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, in UTC.
START_TIME_FILTERS = ("StartTime", "StartTime>", "StartTime<")


def _moment(value: str, name: str) -> datetime:
    for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, layout).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    raise ApiError(400, errors.CALLS_RESOURCE, f"{name} must be a date (YYYY-MM-DD) or YYYY-MM-DDTHH:MM:SSZ")


def _started_within(call, since: dict[str, datetime]) -> bool:
    # A call not yet dialled has no start time; its creation stands in.
    started = call.start_time or call.date_created
    if "StartTime" in since and started.date() != since["StartTime"].date():
        return False
    if "StartTime>" in since and started < since["StartTime>"]:
        return False
    return not ("StartTime<" in since and started > since["StartTime<"])


@bp.get("/Calls/<call_sid>.json")
def fetch_call(call_sid: str):
    return jsonify(call_json(carrier(), _call(call_sid)))


@bp.post("/Calls/<call_sid>.json")
def update_call(call_sid: str):
    call = _call(call_sid)
    form = request.form
    status = form.get("Status") or None
    if status and status not in ("completed", "canceled"):
        raise ApiError(400, errors.CALLS_RESOURCE, "Status must be completed or canceled")
    try:
        carrier().update_call(call, source=_source(form, required=False), status=status,
                              status_callback=_status_callback(form) if form.get("StatusCallback") else None,
                              fallback=_fallback(form))
    except CallStateError:
        raise ApiError(400, errors.CALL_NOT_LIVE, "Call is not in-progress. Cannot redirect.") from None
    return jsonify(call_json(carrier(), call))


@bp.post("/Calls/<call_sid>/Recordings.json")
def create_call_recording(call_sid: str):
    """Start recording a live call (Twilio's Call Recordings: create)."""
    call = _call(call_sid)
    form = request.form
    if form.get("RecordingConfigurationId"):
        raise errors.not_emulated("The RecordingConfigurationId parameter")
    channels = call_recording.CHANNELS.get(form.get("RecordingChannels") or "mono")
    if channels is None:
        raise ApiError(400, errors.INVALID_PARAMETER, "RecordingChannels must be mono or dual")
    track = form.get("RecordingTrack") or "both"
    if track not in call_recording.TRACKS:
        raise ApiError(400, errors.INVALID_PARAMETER, "RecordingTrack must be inbound, outbound or both")
    if (form.get("Trim") or "do-not-trim") not in ("trim-silence", "do-not-trim"):
        raise ApiError(400, errors.INVALID_PARAMETER, "Trim must be trim-silence or do-not-trim")
    notice = None
    if form.get("RecordingStatusCallback"):
        absolute(form["RecordingStatusCallback"], "RecordingStatusCallback")
        # One event a parameter, repeated; a value of several, space-separated, is read as Twilio documents it.
        events = [event for value in form.getlist("RecordingStatusCallbackEvent") for event in value.split()]
        unknown = [event for event in events if event not in call_recording.EVENTS]
        if unknown:
            raise ApiError(400, errors.INVALID_PARAMETER, f"RecordingStatusCallbackEvent {unknown[0]!r} is not one "
                           "of " + ", ".join(call_recording.EVENTS))
        notice = StatusNotice(form["RecordingStatusCallback"],
                              _method(form.get("RecordingStatusCallbackMethod"), "RecordingStatusCallbackMethod"),
                              frozenset(events or ["completed"]))
    if call.status != "in-progress":
        raise ApiError(400, errors.CALL_NOT_LIVE, "Requested resource is not eligible for recording")
    recording = call_recording.start(carrier(), call, channels, track, notice)
    return jsonify(call_recording_json(recording)), 201


@bp.get("/Calls/<call_sid>/Recordings.json")
def list_call_recordings(call_sid: str):
    _call(call_sid)
    recordings = carrier().recordings.all(call_sid)
    return paged("recordings", f"/Calls/{call_sid}/Recordings.json", recordings, call_recording_json, {})


@bp.get("/Calls/<call_sid>/Recordings/<recording_sid>.json")
def fetch_call_recording(call_sid: str, recording_sid: str):
    _call(call_sid)
    recording = carrier().recordings.get(recording_sid)
    if recording is None or recording.call_sid != call_sid:
        raise errors.not_found(request.path)
    return jsonify(call_recording_json(recording))


# Status values Twilio's call-recording update takes; only stopping is emulated.
RECORDING_UPDATES = ("stopped", "paused", "in-progress")
CURRENT = "Twilio.CURRENT"      # Twilio's name for the call's recording running now


@bp.post("/Calls/<call_sid>/Recordings/<recording_sid>.json")
def update_call_recording(call_sid: str, recording_sid: str):
    """Stop a call's running recording (Twilio's Call Recordings: update,
    ``Status=stopped``): it ends now, the call goes on, and its status
    callback reports ``completed``.  A recording that has ended, or
    none, is 20404."""
    call = _call(call_sid)
    status = request.form.get("Status")
    if not status:
        raise ApiError(400, errors.INVALID_PARAMETER, "Missing required parameter Status in the post body")
    if status not in RECORDING_UPDATES:
        raise ApiError(400, errors.INVALID_PARAMETER, "Status must be one of " + ", ".join(RECORDING_UPDATES))
    if status != "stopped":
        raise errors.not_emulated(f"Status={status} (pausing and resuming a call's recording)")
    if recording_sid == CURRENT:
        running = carrier().recordings.running(call.sid)
        recording = running[-1] if running else None
    else:
        recording = carrier().recordings.get(recording_sid)
    if recording is None or recording.call_sid != call.sid or recording.source != API_SOURCE \
            or not call_recording.stop(carrier(), call, recording):
        raise errors.not_found(request.path)
    # As Twilio answers a stop: ``stopped``, its duration not known until the file is ready (the
    # status callback, and a fetch, say ``completed`` and the duration).
    return jsonify({**call_recording_json(recording), "status": "stopped", "duration": None})


def _call(call_sid: str):
    call = carrier().call(call_sid)
    if call is None:
        raise errors.not_found(request.path)
    return call


def _source(form, *, required: bool) -> TwimlSource | None:
    method = _method(form.get("Method"), "Method")
    if form.get("Twiml"):
        return TwimlSource(twiml=form["Twiml"])
    url = form.get("Url")
    if not url:
        if required:
            raise ApiError(400, errors.INVALID_URL, "Url parameter is required.")
        return None
    absolute(url, "Url")
    return TwimlSource(url, method)


def _fallback(form) -> TwimlSource | None:
    url = form.get("FallbackUrl")
    if not url:
        return None
    absolute(url, "FallbackUrl")
    return TwimlSource(url, _method(form.get("FallbackMethod"), "FallbackMethod"))


def _status_callback(form) -> StatusCallback | None:
    url = form.get("StatusCallback")
    if not url:
        return None
    absolute(url, "StatusCallback")
    # Twilio takes one event per parameter, repeated; "initiated ringing"
    # in one value is refused, not split.
    events = form.getlist("StatusCallbackEvent")
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise ApiError(400, errors.CALLS_RESOURCE, f"StatusCallbackEvent {unknown[0]!r} is not one of "
                       + ", ".join(EVENTS) + " (repeat the parameter for several events)")
    return StatusCallback(url, _method(form.get("StatusCallbackMethod"), "StatusCallbackMethod"),
                          frozenset(events or ["completed"]))


def _method(value: str | None, name: str) -> str:
    method = (value or "POST").upper()
    if method not in ("GET", "POST"):
        raise ApiError(400, errors.CALLS_RESOURCE, f"{name} must be GET or POST")
    return method


def absolute(url: str, name: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiError(400, errors.INVALID_URL, f"{name} is not a valid URL: {url}")


def _whole_number(value: str, name: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise ApiError(400, errors.CALLS_RESOURCE, f"{name} must be a whole number from {low} to {high}")
    return int(value)


# --- queues ------------------------------------------------------------------------------

@bp.get("/Queues.json")
def list_queues():
    account = carrier().account_sid
    return paged("queues", "/Queues.json", carrier().queues.all(), lambda q: queue_json(account, q), {})


@bp.post("/Queues.json")
def create_queue():
    name = request.form.get("FriendlyName", "").strip()
    if not name or len(name) > MAX_QUEUE_NAME:
        raise ApiError(400, errors.INVALID_FRIENDLY_NAME,
                       f"FriendlyName is required and may be up to {MAX_QUEUE_NAME} characters long")
    size = request.form.get("MaxSize", str(DEFAULT_MAX_SIZE))
    if not size.isdigit() or not 1 <= int(size) <= MAX_QUEUE_SIZE:
        raise ApiError(400, errors.INVALID_PARAMETER, f"MaxSize must be a whole number from 1 to {MAX_QUEUE_SIZE}")
    if carrier().queues.named(name) is not None:
        # <Enqueue> finds a queue by its name; two of one name would be ambiguous here.
        raise errors.not_emulated("A second queue with the same FriendlyName")
    queue = carrier().queues.create(name, int(size))
    return jsonify(queue_json(carrier().account_sid, queue)), 201


@bp.get("/Queues/<queue_sid>.json")
def fetch_queue(queue_sid: str):
    return jsonify(queue_json(carrier().account_sid, _queue(queue_sid)))


@bp.get("/Queues/<queue_sid>/Members.json")
def list_members(queue_sid: str):
    queue = _queue(queue_sid)
    account = carrier().account_sid
    return paged("queue_members", f"/Queues/{queue_sid}/Members.json", queue.members,
                 lambda m: member_json(account, queue, m), {})


@bp.get("/Queues/<queue_sid>/Members/<which>.json")
def fetch_member(queue_sid: str, which: str):
    queue = _queue(queue_sid)
    member = queue.find(which)
    if member is None:
        raise errors.not_found(request.path)
    return jsonify(member_json(carrier().account_sid, queue, member))


@bp.post("/Queues/<queue_sid>/Members/<which>.json")
def dequeue_member(queue_sid: str, which: str):
    """Take a caller out of the queue; their call continues at ``Url``."""
    queue = _queue(queue_sid)
    url = request.form.get("Url")
    if not url:
        raise ApiError(400, errors.INVALID_URL, "Url parameter is required.")
    absolute(url, "Url")
    member = queue.find(which)
    if member is None:
        raise errors.not_found(request.path)
    body = member_json(carrier().account_sid, queue, member)
    taken = queue.take(member.call.sid)
    if taken is None:
        raise errors.not_found(request.path)      # someone else took the caller meanwhile
    taken.call.mailbox.put(Dequeue(source=TwimlSource(url, _method(request.form.get("Method"), "Method")),
                                   reason="redirected"))
    return jsonify(body)


def _queue(queue_sid: str):
    queue = carrier().queues.get(queue_sid)
    if queue is None:
        raise errors.not_found(request.path)
    return queue


# --- recordings ------------------------------------------------------------------------------

@bp.get("/Recordings.json")
def list_recordings():
    filters = {"CallSid": request.args["CallSid"]} if request.args.get("CallSid") else {}
    recordings = carrier().recordings.all(filters.get("CallSid"))
    return paged("recordings", "/Recordings.json", recordings, lambda r: recording_json(carrier(), r), filters)


@bp.get("/Recordings/<recording_sid>.json")
def fetch_recording(recording_sid: str):
    return jsonify(recording_json(carrier(), _recording(recording_sid)))


@bp.get("/Recordings/<recording_sid>")
def recording_media(recording_sid: str):
    """The audio: a silent WAV as long as the recording (there is no sound)."""
    name, _, extension = recording_sid.partition(".")
    if extension not in ("", "wav"):
        raise errors.not_emulated(f"Recording media as .{extension} (only WAV)")
    recording = _recording(name)
    return Response(silent_wav(recording.duration, recording.channels), mimetype="audio/x-wav")


def _recording(recording_sid: str):
    recording = carrier().recordings.get(recording_sid)
    if recording is None:
        raise errors.not_found(request.path)
    return recording


# --- pages -----------------------------------------------------------------------------------

def paged(key: str, path: str, items, render, filters: dict[str, str]):
    size = request.args.get("PageSize", str(DEFAULT_PAGE_SIZE))
    number = request.args.get("Page", "0")
    if not (size.isdigit() and number.isdigit()):
        raise ApiError(400, errors.CALLS_RESOURCE, "Page and PageSize must be whole numbers")
    uri = account_uri(carrier().account_sid) + path
    return jsonify(page(key, uri, list(items), render, int(number), min(max(int(size), 1), MAX_PAGE_SIZE), filters))
