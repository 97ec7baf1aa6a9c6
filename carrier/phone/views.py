"""The browser phone's page and the small JSON API its script uses.

Each pane of the page is a ``LivePhone``: the caller's phone only places
calls; the operator's and the complainant's phones register an address
(``client:operator``, a number) so the carrier rings them.  The page long-polls
each phone's feed for what it hears and for the call's log, and posts the
person's keys, words, answers and hang-ups back.  A phone also texts the
account's numbers, and its feed carries the SMS it sends and receives.

This is a development tool without authentication: it serves on loopback by
default and is refused in production with the rest of the carrier.  Its API
accepts JSON bodies only, which a cross-site form cannot send.
"""
from __future__ import annotations

import secrets
import threading

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from carrier.actions import Answer, HangUp, Pickup, Press, Silence, Speak
from carrier.exchange import Carrier
from carrier.messages import MAX_BODY
from carrier.parties import LivePhone

bp = Blueprint("carrier_phone", __name__, url_prefix="/phone", template_folder="templates",
               static_folder="static", static_url_path="/static")

LONG_POLL_SECONDS = 20
DEFAULT_CALLER = "+8613812345678"
DEFAULT_OPERATOR = "client:operator"
MAX_EXTRA_HANDSETS = 8
PICKUPS = {"human": Pickup.HUMAN, "machine": Pickup.MACHINE, "decline": Pickup.DECLINE}


class Phones:
    """The page's phones, by id."""

    def __init__(self) -> None:
        self._phones: dict[str, LivePhone] = {}
        self._lock = threading.Lock()

    def add(self, phone: LivePhone) -> str:
        phone_id = secrets.token_hex(8)
        with self._lock:
            self._phones[phone_id] = phone
        return phone_id

    def get(self, phone_id: str) -> LivePhone:
        with self._lock:
            phone = self._phones.get(phone_id)
        if phone is None:
            abort(404)
        return phone

    def remove(self, phone_id: str) -> LivePhone | None:
        with self._lock:
            return self._phones.pop(phone_id, None)


def carrier() -> Carrier:
    return current_app.extensions["carrier"]


def phones() -> Phones:
    return current_app.extensions.setdefault("carrier_phones", Phones())


def _body() -> dict:
    if not request.is_json:
        abort(415)
    return request.get_json() or {}


@bp.get("/")
def page():
    lines = [{"number": n.number, "name": n.friendly_name or n.number} for n in carrier().numbers.values()]
    # More handsets beside the three: ?handsets=client:operator2,client:supervisor,+8613900000003
    # (a "+" typed in the address bar arrives as a space: a number of digits only gets it back).
    extra = [_e164(a.strip()) for a in request.args.get("handsets", "").split(",") if a.strip()]
    return render_template("carrier/phone.html", lines=lines, caller_number=DEFAULT_CALLER,
                           operator_address=DEFAULT_OPERATOR, extra_handsets=extra[:MAX_EXTRA_HANDSETS])


def _e164(address: str) -> str:
    return "+" + address if address.isdigit() else address


@bp.post("/api/phones")
def add_phone():
    """A phone for a pane.  ``ring`` registers its address with the carrier
    so calls to it ring here; ``catch_all`` also takes numbers nobody has."""
    body = _body()
    address = str(body.get("address", "")).strip()
    if not address:
        abort(400)
    phone = LivePhone(address, name=str(body.get("name") or address))
    if body.get("ring"):
        carrier().directory.register(phone)
        if body.get("catch_all"):
            carrier().directory.catch_all = phone
    return jsonify(id=phones().add(phone), address=address), 201


@bp.post("/api/phones/<phone_id>/close")
def close_phone(phone_id: str):
    """The page replaced the phone or went away (sent as a beacon, without JSON)."""
    phone = phones().remove(phone_id)
    if phone is not None:
        carrier().directory.unregister(phone)
        if phone.current is not None:
            carrier().deliver(phone.current.sid, HangUp())
    return "", 204


@bp.get("/api/phones/<phone_id>/events")
def events(phone_id: str):
    phone = phones().get(phone_id)
    after = request.args.get("after", "0")
    return jsonify(events=phone.feed.since(int(after) if after.isdigit() else 0, LONG_POLL_SECONDS))


@bp.post("/api/phones/<phone_id>/dial")
def dial(phone_id: str):
    phone = phones().get(phone_id)
    to = str(_body().get("to", "")).strip()
    if to not in carrier().numbers:
        abort(400)
    call = carrier().call_in(phone, to)
    return jsonify(call_sid=call.sid), 201


@bp.post("/api/phones/<phone_id>/text")
def text(phone_id: str):
    """The person texts one of the account's numbers (an SMS to the hotline)."""
    phone = phones().get(phone_id)
    body = _body()
    to, words = str(body.get("to", "")).strip(), str(body.get("body", "")).strip()
    if to not in carrier().numbers or not words or len(words) > MAX_BODY:
        abort(400)
    message = carrier().messages.text_in(phone, to, words)
    return jsonify(sid=message.sid), 201


@bp.post("/api/phones/<phone_id>/<action>")
def act(phone_id: str, action: str):
    phone = phones().get(phone_id)
    body = _body()
    if action == "answer":
        item = Answer(PICKUPS.get(str(body.get("as", "human")), Pickup.HUMAN))
    elif action == "press":
        try:
            item = Press(str(body.get("digits", "")))
        except ValueError:
            abort(400)
    elif action == "say":
        text = str(body.get("text", "")).strip()
        if not text:
            abort(400)
        item = Speak(text)
    elif action == "silence":
        item = Silence()
    elif action == "hangup":
        item = HangUp()
    else:
        abort(404)
    call = phone.current
    delivered = call is not None and carrier().deliver(call.sid, item)
    return jsonify(delivered=delivered), 200 if delivered else 409
