"""Twilio Messaging, as far as the hotline uses it: SMS the application
sends through the Messages resource, their status callbacks, and texts a
party sends to one of the account's numbers, posted to the number's
Messaging webhook (signed like every webhook) with its TwiML ``<Message>``
replies delivered back.

A message reaches whoever answers its number in the carrier's directory
(``Party.text``): the browser phone's complainant pane shows it.  A number in
``undeliverable`` ends ``undelivered`` (Twilio's 30003, unreachable handset);
any other number is ``delivered``, since a real phone would be somewhere.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from carrier.sids import new_sid
from carrier.twiml import TwimlProblem, parse
from carrier.twiml_schema import MESSAGING
from carrier.webhooks import CALLBACK_WARNING, WebhookFailure

if TYPE_CHECKING:
    from carrier.exchange import Carrier
    from carrier.parties import Party

MESSAGE = "SM"
MESSAGING_SERVICE = "MG"
MAX_BODY = 1600
UNREACHABLE_HANDSET = 30003
# GSM-7 fits 160 characters a segment (153 when concatenated); anything
# else, Chinese among it, is UCS-2: 70, or 67.
_GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà")


def segments(body: str) -> int:
    single, part = (160, 153) if set(body) <= _GSM else (70, 67)
    return 1 if len(body) <= single else -(-len(body) // part)


@dataclass
class Message:
    sid: str
    account_sid: str
    from_: str
    to: str
    body: str
    direction: str                        # outbound-api, outbound-reply or inbound
    status: str
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    notes: list[str] = field(default_factory=list)     # what went wrong with its webhooks

    @property
    def num_segments(self) -> int:
        return segments(self.body)


class Messaging:
    """The account's messages, and the work of sending and receiving them."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self.undeliverable: set[str] = set()
        # Messaging Services of the account: SID -> the number it sends from.
        self.services: dict[str, str] = {}
        self._messages: dict[str, Message] = {}
        self._lock = threading.Condition()
        self._threads: list[threading.Thread] = []

    # --- looking up ------------------------------------------------------------------------

    def get(self, sid: str) -> Message | None:
        with self._lock:
            return self._messages.get(sid)

    def all(self) -> list[Message]:
        """Oldest first."""
        with self._lock:
            return list(self._messages.values())

    def wait_until(self, predicate, timeout: float = 10.0) -> bool:
        with self._lock:
            return self._lock.wait_for(predicate, timeout)

    def add_service(self, number: str) -> str:
        sid = new_sid(MESSAGING_SERVICE)
        self.services[sid] = number
        return sid

    # --- the application sends ---------------------------------------------------------------

    def queue(self, *, to: str, from_: str, body: str, messaging_service_sid: str | None = None,
              status_callback: str | None = None) -> Message:
        """A message the application creates (the Messages REST resource);
        ``send`` then sends it in a thread, once its creation is answered."""
        return self._new(from_, to, body, "outbound-api", "accepted" if messaging_service_sid else "queued",
                         messaging_service_sid=messaging_service_sid, status_callback=status_callback)

    def send(self, message: Message) -> None:
        self._run(lambda: self._deliver(message))

    def _deliver(self, message: Message) -> None:
        if message.messaging_service_sid:
            self._set(message, "queued")
        self._set(message, "sending")
        self._set(message, "sent", sent=True)
        if message.to in self.undeliverable:
            message.error_code, message.error_message = UNREACHABLE_HANDSET, "Unreachable destination handset"
            self._set(message, "undelivered")
            return
        party = self.carrier.directory.lookup(message.to)
        if party is not None:
            party.text(message)
        self._set(message, "delivered")

    def _set(self, message: Message, status: str, sent: bool = False) -> None:
        with self._lock:
            message.status, message.date_updated = status, self.carrier.clock.now()
            if sent:
                message.date_sent = message.date_updated
            self._lock.notify_all()
        if message.status_callback and status in ("queued", "sent", "delivered", "undelivered", "failed"):
            params = {"MessageSid": message.sid, "SmsSid": message.sid, "AccountSid": message.account_sid,
                      "From": message.from_, "To": message.to, "MessageStatus": status, "SmsStatus": status,
                      "ApiVersion": "2010-04-01", "MessagingServiceSid": message.messaging_service_sid,
                      "ErrorCode": str(message.error_code) if message.error_code else None}
            self._notify(message, message.status_callback, params, what="status callback")

    # --- a party texts one of the account's numbers -------------------------------------------

    def text_in(self, party: Party, to: str, body: str) -> Message:
        """``party`` texts ``to``; the number's Messaging webhook is asked, in
        a thread, and its ``<Message>`` replies go back to the party."""
        message = self._new(party.address, to, body, "inbound", "received")
        message.date_sent = message.date_created
        party.text(message)
        self._run(lambda: self._ask_application(message))
        return message

    def _ask_application(self, message: Message) -> None:
        number = self.carrier.numbers.get(message.to)
        if number is None or not number.sms_url:
            message.notes.append("the number has no Messaging webhook")
            return
        params = {"MessageSid": message.sid, "SmsSid": message.sid, "SmsMessageSid": message.sid,
                  "AccountSid": message.account_sid, "From": message.from_, "To": message.to,
                  "Body": message.body, "NumMedia": "0", "NumSegments": str(message.num_segments),
                  "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        try:
            reply = self.carrier.webhooks.request(number.sms_url, number.sms_method, params)
        except WebhookFailure as failure:
            message.notes.append(f"{failure.code} {failure.message}")
            return
        if not 200 <= reply.status < 300:
            message.notes.append(f"the application answered HTTP {reply.status}")
            return
        for text in self._replies(message, reply.text):
            self._deliver(self._new(message.to, message.from_, text, "outbound-reply", "queued"))

    def _replies(self, message: Message, document: str) -> list[str]:
        """The words of each ``<Message>`` in the reply (an empty answer is no
        reply), read with the one TwiML check, leniently as Twilio reads: what
        it would warn of is noted and skipped."""
        if not document.strip():
            return []
        try:
            reply = parse(document, strict=False, vocabulary=MESSAGING)
        except TwimlProblem as problem:
            message.notes.append(str(problem))
            return []
        message.notes.extend(str(warning) for warning in reply.warnings)
        texts = []
        for verb in reply.verbs:
            body = next((part for part in verb.children if part.name == "Body"), None)
            texts.append(body.text if body is not None else verb.text)
        return [t for t in texts if t]

    # --- the work -------------------------------------------------------------------------------

    def _new(self, from_: str, to: str, body: str, direction: str, status: str, **details) -> Message:
        now = self.carrier.clock.now()
        message = Message(new_sid(MESSAGE), self.carrier.account_sid, from_, to, body, direction, status,
                          date_created=now, date_updated=now, **details)
        with self._lock:
            self._messages[message.sid] = message
            self._lock.notify_all()
        return message

    def _notify(self, message: Message, url: str, params: Mapping[str, str | None], *, what: str) -> None:
        try:
            reply = self.carrier.webhooks.request(url, "POST", {k: v for k, v in params.items() if v is not None})
        except WebhookFailure as failure:
            message.notes.append(f"{CALLBACK_WARNING} {what}: {failure.message}")
            return
        if reply.status >= 400:
            message.notes.append(f"{CALLBACK_WARNING} {what}: the application answered HTTP {reply.status}")

    def _run(self, work) -> None:
        thread = threading.Thread(target=work, name="carrier-sms", daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def join(self, timeout: float = 5.0) -> None:
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
