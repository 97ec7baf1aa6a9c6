"""Calls bridged through a conference in tests: an offered caller moved to
/connect, the operator's leg answering, and the conference's status
callbacks, with signed webhooks and the one REST double."""
from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from accounts.services import create_user
from call_log.models import Call as CallRow
from call_log.models import CallParticipant
from call_log.twilio_rest import build_client
from database import db
from ivr.kit import public_url
from operators import seats as rules
from operators.distribution import distribute
from operators.models import Seat
from operators.presence import report_present
from operators.seating import choose
from tests.support.twilio_http import TwilioRest
from tests.support.twiml import Document, parse
from wiring import services

QUEUE_SID = "QU" + "1" * 32
CONFERENCE_SID = "CF" + "c" * 32
QUEUES = (200, {
    "queues": [{"sid": QUEUE_SID, "friendly_name": "urban-operators", "current_size": 1, "max_size": 100}],
    "uri": "/Queues.json", "first_page_uri": "/Queues.json", "next_page_uri": None, "previous_page_uri": None,
    "page": 0, "page_size": 50, "start": 0, "end": 0})


def double(app) -> TwilioRest:
    """The app's Twilio client over a new double that knows the urban queue."""
    http = TwilioRest()
    http.answers["/Queues.json"] = QUEUES
    services(app).twilio_http_client = http
    services(app).twilio_client = None
    return http


def available(app, clock, username: str, role: str = "operator", create: bool = True) -> None:
    with db.session_scope(app) as session:
        if create:
            user = create_user(session, username, "operator password 1", role, device=f"client:{username}",
                               hash_method="pbkdf2:sha256:1000")
            session.flush()
        else:
            user = session.scalars(select(User).where(User.username == username)).one()
        report_present(session, user.id, clock())
        choose(session, user, rules.AVAILABLE, clock())


def one_pass(app, http):
    return distribute(lambda: db.session_scope(app), build_client(app.config["SETTINGS"], http),
                      services(app).config,
                      lambda operator: public_url(app, "operator_voice.connect", operator=operator),
                      services(app).clock)


def seat(app, username: str) -> Seat:
    with db.session_scope(app) as session:
        found = session.scalars(select(Seat).join(User, User.id == Seat.user_id)
                                .where(User.username == username)).one()
        session.expunge(found)
        return found


def offered(app, new_call, http, webhooks):
    """A queued caller, offered by distribution and moved to /connect: the caller's TwiML."""
    call = new_call()
    call.dial()
    assert call.press("0").root.find("Enqueue") is not None
    http.answers[f"/Members/{call.sid}.json"] = (200, {"call_sid": call.sid, "queue_sid": QUEUE_SID, "position": 1})
    assert one_pass(app, http).offered == 1
    connect = next(s for s in http.sent if "/Members/" in s.url).data["Url"]
    response = webhooks.post(connect, call.base_params())
    assert response.status_code == 200
    return call, Document(parse(response.data))


def operator_leg(http: TwilioRest) -> dict:
    [leg] = [c for c in http.created if c.get("To", "").startswith("client:")]
    return leg


def event(webhooks, call, name: str, label: str | None = None, leg: str | None = None, sequence: int = 1,
          **flags: str):
    params = {"AccountSid": call.base_params()["AccountSid"], "ConferenceSid": CONFERENCE_SID,
              "FriendlyName": f"hotline-{call.sid}", "StatusCallbackEvent": name, "SequenceNumber": str(sequence),
              "Timestamp": "Mon, 30 Nov 2026 12:00:00 +0000"}
    if leg:
        params.update({"CallSid": leg, "Label": label or "", "Muted": "false", "Hold": "false",
                       "Coaching": "false", "EndConferenceOnExit": "false", "StartConferenceOnEnter": "true"})
    params.update(flags)
    response = webhooks.post("/voice/operator/conference", params)
    assert response.status_code == 204


def answered(webhooks, call, http) -> Document:
    """The operator's device picked up: Twilio asks the leg's URL (the whisper)."""
    leg = operator_leg(http)
    response = webhooks.post(leg["Url"], {**call.base_params(), "CallSid": leg["_sid"], "Direction": "outbound-api",
                                          "To": leg["To"]})
    assert response.status_code == 200
    return Document(parse(response.data))


def in_conference(webhooks, call, http) -> str:
    """Caller and operator both joined (as the conference's callbacks say); the operator's leg sid."""
    answered(webhooks, call, http)
    leg = operator_leg(http)["_sid"]
    event(webhooks, call, "conference-start")
    event(webhooks, call, "participant-join", "caller", call.sid, 2)
    event(webhooks, call, "participant-join", "operator", leg, 3)
    http.conference(f"hotline-{call.sid}", CONFERENCE_SID, caller=call.sid, operator=leg)
    return leg


def participants(app, call) -> list[tuple[str, str, str, bool]]:
    with db.session_scope(app) as session:
        return [(p.role, p.status, p.mode, p.hold) for p in session.scalars(
            select(CallParticipant).join(CallRow).where(CallRow.call_sid == call.sid).order_by(CallParticipant.id))]
