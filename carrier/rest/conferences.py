"""The Conferences resource and its Participants (API 2010-04-01), as the
``twilio`` client calls them: conferences list, fetch and update (end one,
announce to all); participants dial out (create), list, fetch, update (hold,
mute, coach, announce) and remove, by CallSid or label."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from flask import Blueprint, jsonify, request

from carrier.calls import TwimlSource
from carrier.conference import conference_events
from carrier.conferences import BEEPS, ConferenceCallback, ConferenceFull, Music, RecordingRequest
from carrier.rest import errors
from carrier.rest.errors import ApiError
from carrier.rest.resources import conference_json, conference_recording_json, participant_json
from carrier.rest.views import _NUMBER, _status_callback, absolute, carrier, guard, paged
from carrier.twiml import TwimlProblem, check_allowed, parse
from carrier.twiml_schema import ANNOUNCE_VERBS
from carrier.webhooks import WebhookFailure

bp = guard(Blueprint("carrier_conferences", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>"))

DEFAULT_RING_SECONDS = 60
# Parameters of a dial-out the carrier cannot honour.
NOT_EMULATED = ("SipAuthUsername", "SipAuthPassword", "Byoc", "CallToken", "ClientNotificationUrl")
DATE_FILTERS = ("DateCreated", "DateCreated<", "DateCreated>", "DateUpdated", "DateUpdated<", "DateUpdated>")
STATUSES = ("init", "in-progress", "completed")


def bad(message: str) -> ApiError:
    return ApiError(400, errors.INVALID_PARAMETER, message)


# --- conferences -----------------------------------------------------------------------------

@bp.get("/Conferences.json")
def list_conferences():
    args = request.args
    filters = {k: args[k] for k in ("FriendlyName", "Status", *DATE_FILTERS) if args.get(k)}
    if filters.get("Status") and filters["Status"] not in STATUSES:
        raise bad("Status must be init, in-progress or completed")
    days = {k: _day(filters[k], k) for k in DATE_FILTERS if k in filters}
    found = [c for c in reversed(carrier().conferences.all())
             if filters.get("FriendlyName") in (None, c.friendly_name) and filters.get("Status") in (None, c.status)
             and _on_days(c, days)]
    return paged("conferences", "/Conferences.json", found, conference_json, filters)


def _day(value: str, name: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc).date()
    except ValueError:
        raise bad(f"{name} must be a date, YYYY-MM-DD") from None


def _on_days(conference, days: dict) -> bool:
    for name, day in days.items():
        moment = (conference.date_created if name.startswith("DateCreated") else conference.date_updated).date()
        if (name.endswith("<") and moment > day) or (name.endswith(">") and moment < day) or \
                (name[-1] not in "<>" and moment != day):
            return False
    return True


@bp.get("/Conferences/<conference_sid>.json")
def fetch_conference(conference_sid: str):
    return jsonify(conference_json(_conference(conference_sid)))


@bp.post("/Conferences/<conference_sid>.json")
def update_conference(conference_sid: str):
    conference = _conference(conference_sid)
    form = request.form
    status = form.get("Status")
    if status and status != "completed":
        raise bad("Status may only be completed")
    announce = _source(form, "AnnounceUrl", "AnnounceMethod")
    if announce is not None:
        if conference.over:
            raise bad("The conference is completed; nobody can hear an announcement")
        _announce(conference, announce, None)
    if status == "completed":
        conference.end("conference-ended-via-api")
    return jsonify(conference_json(conference))


def _conference(conference_sid: str):
    conference = carrier().conferences.get(conference_sid)
    if conference is None:
        raise errors.not_found(request.path)
    return conference


# --- participants ----------------------------------------------------------------------------------

@bp.post("/Conferences/<conference_sid>/Participants.json")
def create_participant(conference_sid: str):
    """Dial out: call ``To``; when it answers, it joins the conference (by
    SID, or by FriendlyName, created if no live conference has it)."""
    form = request.form
    to, from_ = form.get("To", "").strip(), (form.get("From") or form.get("CallerId") or "").strip()
    if not to:
        raise ApiError(400, errors.NO_TO, "No 'To' number is specified")
    if not from_:
        raise ApiError(400, errors.NO_FROM, "No 'From' number is specified")
    for name in NOT_EMULATED:
        if form.get(name):
            raise errors.not_emulated(f"The {name} parameter")
    if not (_NUMBER.match(to) or to.startswith("client:")):
        raise ApiError(400, errors.INVALID_TO, f"Invalid 'To' Phone Number: {to}")
    if from_ not in carrier().numbers and not to.startswith("client:"):
        raise ApiError(400, errors.FROM_NOT_VERIFIED,
                       f"The source phone number provided, {from_}, is not yet verified for your account.")
    timeout = form.get("Timeout", str(DEFAULT_RING_SECONDS))
    if not timeout.isdigit() or not 5 <= int(timeout) <= 600:
        raise bad("Timeout must be a whole number from 5 to 600")
    beep = form.get("Beep", "true")
    if beep not in BEEPS:
        raise bad("Beep must be true, false, onEnter or onExit")
    if conference_sid.startswith("CF") and carrier().conferences.get(conference_sid) is not None:
        conference = carrier().conferences.get(conference_sid)
    elif conference_sid.startswith("CF") and len(conference_sid) == 34:
        raise errors.not_found(request.path)
    else:
        conference = carrier().conferences.get_or_create(conference_sid)
    if conference.over:
        raise bad(f"Conference {conference.sid} is completed")
    label = form.get("Label") or None
    if label and conference.find(label) is not None:
        raise bad(f"A participant labelled {label!r} is already in the conference")
    coach = _coach(conference, None, form, coaching_default=False)
    options = {
        "label": label, "start_on_enter": _flag(form, "StartConferenceOnEnter", True),
        "end_on_exit": _flag(form, "EndConferenceOnExit", False), "muted": _flag(form, "Muted", False),
        "beep": beep, "call_sid_to_coach": coach,
        "wait": _music(form, "WaitUrl", "WaitMethod"), "hold": _flag(form, "Hold", False),
        "hold_music": _music(form, "HoldUrl", "HoldMethod", "GET"),
    }
    if form.get("MaxParticipants"):
        size = form["MaxParticipants"]
        if not size.isdigit() or not 2 <= int(size) <= 250:
            raise bad("MaxParticipants must be a whole number from 2 to 250")
        conference.max_participants = int(size)
    conference.subscribe(_conference_callback(form))
    record = _conference_record(form)
    try:
        participant = carrier().dial_participant(conference, options, to=to, from_=from_,
                                                 status_callback=_status_callback(form), timeout=int(timeout))
    except ConferenceFull:
        raise bad(f"Conference {conference.friendly_name} is full") from None
    if record is not None:
        conference.record(RecordingRequest(participant.call.sid, *record))
    return jsonify(participant_json(conference, participant, queue_time="0", status="queued")), 201


def _conference_callback(form) -> ConferenceCallback | None:
    url = form.get("ConferenceStatusCallback")
    if not url:
        return None
    absolute(url, "ConferenceStatusCallback")
    events = conference_events(form.getlist("ConferenceStatusCallbackEvent"))
    if events is None:
        raise bad("ConferenceStatusCallbackEvent must be some of start, end, join, leave, mute, hold, modify, "
                  "speaker, announcement")
    return ConferenceCallback(url, _method(form, "ConferenceStatusCallbackMethod"), events)


def _conference_record(form) -> tuple | None:
    """``ConferenceRecord=record-from-start``: the recording's callback URL, method and events."""
    mode = form.get("ConferenceRecord")
    if mode not in (None, "", "do-not-record", "record-from-start", "true", "false"):
        raise bad("ConferenceRecord must be record-from-start or do-not-record")
    if mode not in ("record-from-start", "true"):
        return None
    url = form.get("ConferenceRecordingStatusCallback") or None
    if url:
        absolute(url, "ConferenceRecordingStatusCallback")
    events = [t for v in form.getlist("ConferenceRecordingStatusCallbackEvent") for t in v.replace(",", " ").split()]
    if any(e not in ("in-progress", "completed", "absent") for e in events):
        raise bad("ConferenceRecordingStatusCallbackEvent must be some of in-progress, completed, absent")
    return url, _method(form, "ConferenceRecordingStatusCallbackMethod"), frozenset(events or ["completed"])


@bp.get("/Conferences/<conference_sid>/Recordings.json")
def list_conference_recordings(conference_sid: str):
    conference = _conference(conference_sid)
    recordings = [r for r in carrier().recordings.all() if r.conference_sid == conference.sid]
    return paged("recordings", f"/Conferences/{conference.sid}/Recordings.json", recordings,
                 conference_recording_json, {})


@bp.get("/Conferences/<conference_sid>/Recordings/<recording_sid>.json")
def fetch_conference_recording(conference_sid: str, recording_sid: str):
    conference = _conference(conference_sid)
    recording = carrier().recordings.get(recording_sid)
    if recording is None or recording.conference_sid != conference.sid:
        raise errors.not_found(request.path)
    return jsonify(conference_recording_json(recording))


@bp.get("/Conferences/<conference_sid>/Participants.json")
def list_participants(conference_sid: str):
    conference = _conference(conference_sid)
    filters = {k: request.args[k] for k in ("Muted", "Hold", "Coaching") if request.args.get(k)}
    wanted = {k: _boolean(v, k) for k, v in filters.items()}
    found = [p for p in conference.participants()
             if all({"Muted": p.muted, "Hold": p.hold, "Coaching": p.coaching}[k] == v for k, v in wanted.items())]
    return paged("participants", f"/Conferences/{conference.sid}/Participants.json", found,
                 lambda p: participant_json(conference, p), filters)


@bp.get("/Conferences/<conference_sid>/Participants/<which>.json")
def fetch_participant(conference_sid: str, which: str):
    conference = _conference(conference_sid)
    return jsonify(participant_json(conference, _participant(conference, which)))


@bp.post("/Conferences/<conference_sid>/Participants/<which>.json")
def update_participant(conference_sid: str, which: str):
    conference = _conference(conference_sid)
    participant = _participant(conference, which)
    form = request.form
    changes: dict = {}
    if "Hold" in form:
        changes["hold"] = _flag(form, "Hold", False)
    if form.get("HoldUrl") is not None:
        changes["hold_music"] = _music(form, "HoldUrl", "HoldMethod", "GET")     # GET unless told
    if form.get("WaitUrl") is not None:
        changes["wait"] = _music(form, "WaitUrl", "WaitMethod")
    if "Muted" in form:
        changes["muted"] = _flag(form, "Muted", False)
    if "EndConferenceOnExit" in form:
        changes["end_on_exit"] = _flag(form, "EndConferenceOnExit", False)
    if "BeepOnExit" in form:
        on_enter = participant.beep in ("true", "onEnter")
        on_exit = _flag(form, "BeepOnExit", True)
        changes["beep"] = {(True, True): "true", (True, False): "onEnter", (False, True): "onExit",
                           (False, False): "false"}[(on_enter, on_exit)]
    if "Coaching" in form or "CallSidToCoach" in form:
        changes["call_sid_to_coach"] = _coach(conference, participant, form, coaching_default=participant.coaching)
    announce = _source(form, "AnnounceUrl", "AnnounceMethod")
    if changes:
        conference.update(participant, **changes)
    if announce is not None:
        _announce(conference, announce, participant)
    return jsonify(participant_json(conference, participant))


@bp.delete("/Conferences/<conference_sid>/Participants/<which>.json")
def delete_participant(conference_sid: str, which: str):
    """Remove: a ``<Dial>`` participant goes on to its action; a dial-out's call ends."""
    conference = _conference(conference_sid)
    participant = _participant(conference, which)
    carrier().remove_participant(conference, participant)
    return "", 204


def _participant(conference, which: str):
    participant = conference.find(which)
    if participant is None:
        raise errors.not_found(request.path)
    return participant


def _coach(conference, participant, form, *, coaching_default: bool) -> str | None:
    """The CallSid to coach, or None; 400 if it is not someone else in the conference."""
    coaching = _flag(form, "Coaching", coaching_default or bool(form.get("CallSidToCoach")))
    if not coaching:
        return None
    target = form.get("CallSidToCoach") or (participant.call_sid_to_coach if participant else None)
    if not target:
        raise bad("CallSidToCoach is required when Coaching is true")
    coached = conference.find(target)
    if coached is None or coached.call.sid != target or coached is participant:
        raise bad(f"CallSidToCoach {target} is not another participant of conference {conference.sid}")
    return target


# --- parameters ------------------------------------------------------------------------------------

def _boolean(value: str, name: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise bad(f"{name} must be true or false")
    return value.lower() == "true"


def _flag(form, name: str, default: bool) -> bool:
    value = form.get(name)
    return default if value in (None, "") else _boolean(value, name)


def _method(form, name: str, default: str = "POST") -> str:
    method = (form.get(name) or default).upper()
    if method not in ("GET", "POST"):
        raise bad(f"{name} must be GET or POST")
    return method


def _music(form, url_name: str, method_name: str, default_method: str = "POST") -> Music:
    url = form.get(url_name)
    if url is None:
        return Music()
    if not url.strip():
        return Music(silent=True)
    absolute(url, url_name)
    return Music(TwimlSource(url, _method(form, method_name, default_method)))


def _source(form, url_name: str, method_name: str) -> TwimlSource | None:
    url = form.get(url_name)
    if not url:
        return None
    absolute(url, url_name)
    return TwimlSource(url, _method(form, method_name))


# --- announcements -----------------------------------------------------------------------------------

def _announce(conference, source: TwimlSource, participant) -> None:
    """Fetch the announcement in the background (the request answers at
    once, as on Twilio), then play it to one participant or to all."""
    the_carrier = carrier()

    def fetch() -> None:
        params = {"AccountSid": conference.account_sid, "ConferenceSid": conference.sid,
                  "FriendlyName": conference.friendly_name}
        if participant is not None:
            params["CallSid"] = participant.call.sid
        try:
            text = the_carrier.webhooks.fetch_twiml(source.url, source.method, params)
            document = parse(text, url=source.url, strict=the_carrier.strict)
            check_allowed(document, ANNOUNCE_VERBS, "an announcement")
        except (WebhookFailure, TwimlProblem) as problem:
            conference.announced(participant, failed=str(problem))
            return
        conference.announce(document, participant)

    threading.Thread(target=fetch, name=f"announce-{conference.sid}", daemon=True).start()
