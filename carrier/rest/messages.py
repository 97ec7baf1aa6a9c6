"""The Messages resource under ``/2010-04-01/Accounts/<AccountSid>/``:
create (send an SMS), list (by To, From and DateSent) and fetch, with the
same basic auth and Twilio-shaped errors as the rest of the API."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request

from carrier.exchange import Carrier
from carrier.messages import MAX_BODY
from carrier.rest import errors
from carrier.rest.errors import ApiError
from carrier.rest.resources import message_json
from carrier.rest.views import absolute, guard, paged

bp = guard(Blueprint("carrier_messages", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>"))

_NUMBER = re.compile(r"^\+[1-9][0-9]{5,14}$")
# Parameters of Messages.create the carrier cannot honour.
NOT_EMULATED = ("MediaUrl", "ContentSid", "ApplicationSid", "SendAt", "ScheduleType", "PersistentAction",
                "ShortenUrls", "FallbackFrom")
NO_BODY, NO_FROM, NO_TO, NOT_SMS_CAPABLE, TOO_LONG, BAD_SERVICE = 21602, 21603, 21604, 21606, 21617, 21701
DATE_SENT_FILTERS = ("DateSent", "DateSent>", "DateSent<")


def carrier() -> Carrier:
    return current_app.extensions["carrier"]


@bp.post("/Messages.json")
def create_message():
    form = request.form
    to, from_ = form.get("To", "").strip(), form.get("From", "").strip()
    service, body = form.get("MessagingServiceSid", "").strip(), form.get("Body", "")
    for name in NOT_EMULATED:
        if form.get(name):
            raise errors.not_emulated(f"The {name} parameter of Messages")
    if not to:
        raise ApiError(400, NO_TO, "A 'To' phone number is required.")
    if not _NUMBER.match(to):
        raise ApiError(400, errors.INVALID_TO, f"The 'To' number {to} is not a valid phone number.")
    if not body.strip():
        raise ApiError(400, NO_BODY, "Message body is required.")
    if len(body) > MAX_BODY:
        raise ApiError(400, TOO_LONG, f"The concatenated message body exceeds the {MAX_BODY} character limit.")
    if service:
        if service not in carrier().messages.services:
            raise ApiError(400, BAD_SERVICE, f"The Messaging Service Sid {service} is invalid.")
        from_ = from_ or carrier().messages.services[service]
    elif not from_:
        raise ApiError(400, NO_FROM, "A 'From' phone number is required.")
    if from_ not in carrier().numbers and from_ not in carrier().messages.services.values():
        raise ApiError(400, NOT_SMS_CAPABLE, f"The From phone number {from_} is not a valid, SMS-capable inbound "
                       "phone number or short code for your account.")
    callback = form.get("StatusCallback") or None
    if callback:
        absolute(callback, "StatusCallback")
    message = carrier().messages.queue(to=to, from_=from_, body=body, messaging_service_sid=service or None,
                                       status_callback=callback)
    answer = jsonify(message_json(message))       # as created: the status callbacks tell what follows
    carrier().messages.send(message)
    return answer, 201


@bp.get("/Messages.json")
def list_messages():
    filters = {k: request.args[k] for k in ("To", "From", *DATE_SENT_FILTERS) if request.args.get(k)}
    since = {k: _moment(filters[k], k) for k in DATE_SENT_FILTERS if k in filters}
    found = [m for m in reversed(carrier().messages.all())        # newest first, as Twilio lists them
             if filters.get("To", m.to) == m.to and filters.get("From", m.from_) == m.from_
             and _sent_within(m.date_sent or m.date_created, since)]
    return paged("messages", "/Messages.json", found, message_json, filters)


@bp.get("/Messages/<sid>.json")
def fetch_message(sid: str):
    message = carrier().messages.get(sid)
    if message is None:
        raise errors.not_found(request.path)
    return jsonify(message_json(message))


def _moment(value: str, name: str) -> datetime:
    for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, layout).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    raise ApiError(400, errors.INVALID_PARAMETER, f"{name} must be a date (YYYY-MM-DD) or YYYY-MM-DDTHH:MM:SSZ")


def _sent_within(sent: datetime, since: dict[str, datetime]) -> bool:
    if "DateSent" in since and sent.date() != since["DateSent"].date():
        return False
    if "DateSent>" in since and sent < since["DateSent>"]:
        return False
    return not ("DateSent<" in since and sent > since["DateSent<"])
