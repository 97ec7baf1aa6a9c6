"""Twilio's JSON representations of calls, queues, queue members,
recordings and messages (API version 2010-04-01), and its list pages."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import phonenumbers

from carrier.calls import API_VERSION, FINAL, rfc2822

if TYPE_CHECKING:
    from carrier.calls import Call
    from carrier.conferences import Conference, Participant
    from carrier.exchange import Carrier
    from carrier.messages import Message
    from carrier.queues import CallQueue, Member
    from carrier.recordings import Recording

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def account_uri(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


def call_json(carrier: Carrier, call: Call) -> dict:
    uri = f"{account_uri(call.account_sid)}/Calls/{call.sid}"
    own_number = call.to if call.direction == "inbound" else call.from_
    number = carrier.numbers.get(own_number)
    return {
        "sid": call.sid, "date_created": rfc2822(call.date_created), "date_updated": rfc2822(call.date_updated),
        "parent_call_sid": call.parent.sid if call.parent else None, "account_sid": call.account_sid,
        "to": call.to, "to_formatted": _formatted(call.to), "from": call.from_,
        "from_formatted": _formatted(call.from_), "phone_number_sid": number.sid if number else None,
        "status": call.status, "start_time": rfc2822(call.start_time), "end_time": rfc2822(call.end_time),
        "duration": str(call.duration) if call.status in FINAL else None, "price": None, "price_unit": "USD",
        "direction": call.direction, "answered_by": call.answered_by, "api_version": API_VERSION,
        "forwarded_from": call.forwarded_from, "group_sid": None, "caller_name": call.caller_name,
        "queue_time": str(call.queue_time), "trunk_sid": None, "uri": uri + ".json",
        "subresource_uris": {
            "recordings": uri + "/Recordings.json", "notifications": uri + "/Notifications.json",
            "events": uri + "/Events.json", "siprec": uri + "/Siprec.json", "streams": uri + "/Streams.json",
            "transcriptions": uri + "/Transcriptions.json",
            "user_defined_message_subscriptions": uri + "/UserDefinedMessageSubscriptions.json",
            "user_defined_messages": uri + "/UserDefinedMessages.json", "payments": uri + "/Payments.json",
        },
    }


def queue_json(account_sid: str, queue: CallQueue) -> dict:
    uri = f"{account_uri(account_sid)}/Queues/{queue.sid}"
    return {
        "sid": queue.sid, "account_sid": account_sid, "friendly_name": queue.friendly_name,
        "current_size": queue.current_size, "max_size": queue.max_size,
        "average_wait_time": queue.average_wait_time, "date_created": rfc2822(queue.date_created),
        "date_updated": rfc2822(queue.date_updated), "uri": uri + ".json",
    }


def member_json(account_sid: str, queue: CallQueue, member: Member) -> dict:
    return {
        "call_sid": member.call.sid, "queue_sid": queue.sid, "date_enqueued": rfc2822(member.enqueued_at),
        "position": queue.position(member), "wait_time": queue.wait_time(member),
        "uri": f"{account_uri(account_sid)}/Queues/{queue.sid}/Members/{member.call.sid}.json",
    }


def recording_json(carrier: Carrier, recording: Recording) -> dict:
    return {
        "sid": recording.sid, "account_sid": recording.account_sid, "call_sid": recording.call_sid,
        "api_version": API_VERSION, "conference_sid": recording.conference_sid,
        "date_created": rfc2822(recording.started),
        "date_updated": rfc2822(recording.date_updated or recording.started),
        "start_time": rfc2822(recording.started), "duration": str(recording.duration),
        "price": None, "price_unit": "USD", "status": recording.status, "channels": 1,
        "source": recording.source, "error_code": None, "uri": recording.uri() + ".json",
        "encryption_details": None, "media_url": carrier.api_url(recording.uri()),
        "subresource_uris": {"add_on_results": recording.uri() + "/AddOnResults.json",
                             "transcriptions": recording.uri() + "/Transcriptions.json"},
    }


def call_recording_json(recording: Recording) -> dict:
    """A recording as the call's own Recordings list shows it (Twilio's
    ``call_recording``): a call-level URI and ``track``, no media URL or
    subresources."""
    uri = f"{account_uri(recording.account_sid)}/Calls/{recording.call_sid}/Recordings/{recording.sid}"
    return {
        "account_sid": recording.account_sid, "api_version": API_VERSION, "call_sid": recording.call_sid,
        "conference_sid": recording.conference_sid, "date_created": rfc2822(recording.started),
        "date_updated": rfc2822(recording.date_updated or recording.started),
        "start_time": rfc2822(recording.started), "duration": str(recording.duration), "sid": recording.sid,
        "price": None, "uri": uri + ".json", "encryption_details": None, "price_unit": "USD",
        "status": recording.status, "channels": 1, "source": recording.source, "error_code": None,
        "track": "both",
    }


def page(key: str, uri: str, items: Sequence, render: Callable, page_number: int, page_size: int,
         filters: dict[str, str]) -> dict:
    """One page of a list, with the URIs the twilio client follows."""
    start = page_number * page_size
    chunk = items[start:start + page_size]

    def link(number: int) -> str:
        return uri + "?" + urlencode({**filters, "PageSize": page_size, "Page": number})

    has_next = start + page_size < len(items)
    return {
        key: [render(item) for item in chunk], "page": page_number, "page_size": page_size,
        "start": start, "end": start + max(len(chunk) - 1, 0), "uri": link(page_number),
        "first_page_uri": link(0), "previous_page_uri": link(page_number - 1) if page_number else None,
        "next_page_uri": link(page_number + 1) if has_next else None,
    }


def _formatted(number: str) -> str:
    if not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def message_json(message: Message) -> dict:
    uri = f"{account_uri(message.account_sid)}/Messages/{message.sid}"
    return {
        "sid": message.sid, "account_sid": message.account_sid, "api_version": API_VERSION,
        "body": message.body, "num_segments": str(message.num_segments), "num_media": "0",
        "direction": message.direction, "from": message.from_, "to": message.to, "status": message.status,
        "messaging_service_sid": message.messaging_service_sid, "date_created": rfc2822(message.date_created),
        "date_updated": rfc2822(message.date_updated), "date_sent": rfc2822(message.date_sent),
        "error_code": message.error_code, "error_message": message.error_message, "price": None,
        "price_unit": "USD", "uri": uri + ".json",
        "subresource_uris": {"media": uri + "/Media.json", "feedback": uri + "/Feedback.json"},
    }


def conference_json(conference: Conference) -> dict:
    uri = f"{account_uri(conference.account_sid)}/Conferences/{conference.sid}"
    return {
        "account_sid": conference.account_sid, "date_created": rfc2822(conference.date_created),
        "date_updated": rfc2822(conference.date_updated), "api_version": API_VERSION,
        "friendly_name": conference.friendly_name, "region": "us1", "sid": conference.sid,
        "status": conference.status, "uri": uri + ".json",
        "subresource_uris": {"participants": uri + "/Participants.json", "recordings": uri + "/Recordings.json"},
        "reason_conference_ended": conference.reason_ended,
        "call_sid_ending_conference": conference.call_sid_ending,
    }


def participant_json(conference: Conference, participant: Participant, *, queue_time: str | None = None,
                     status: str | None = None) -> dict:
    """``queue_time`` only in the answer to a dial-out, as on Twilio, which
    also says ``queued`` there however fast the phone rings."""
    return {
        "account_sid": conference.account_sid, "call_sid": participant.call.sid, "label": participant.label,
        "call_sid_to_coach": participant.call_sid_to_coach, "coaching": participant.coaching,
        "conference_sid": conference.sid, "date_created": rfc2822(participant.date_created),
        "date_updated": rfc2822(participant.date_updated), "end_conference_on_exit": participant.end_on_exit,
        "muted": participant.muted, "hold": participant.hold,
        "start_conference_on_enter": participant.start_on_enter, "status": status or participant.status,
        "queue_time": queue_time,
        "uri": f"{account_uri(conference.account_sid)}/Conferences/{conference.sid}/Participants/"
               f"{participant.call.sid}.json",
    }


def conference_recording_json(recording: Recording) -> dict:
    """A recording as a conference's Recordings list shows it."""
    uri = f"{account_uri(recording.account_sid)}/Conferences/{recording.conference_sid}/Recordings/{recording.sid}"
    return {
        "account_sid": recording.account_sid, "api_version": API_VERSION, "call_sid": recording.call_sid,
        "conference_sid": recording.conference_sid, "date_created": rfc2822(recording.started),
        "date_updated": rfc2822(recording.date_updated or recording.started),
        "start_time": rfc2822(recording.started), "duration": str(recording.duration), "sid": recording.sid,
        "price": None, "price_unit": "USD", "status": recording.status, "channels": 1, "source": recording.source,
        "error_code": None, "encryption_details": None, "uri": uri + ".json",
    }
