"""Twilio's REST API for tests: the one test double.

The real ``twilio.rest.Client`` runs on top of it, either in process (``TwilioRest`` is a twilio
``HttpClient``: put it in ``services(app).twilio_http_client`` or hand it to ``Client``), or
over HTTP for another process (``serve()``: a loopback URL for ``HOTLINE_TWILIO_API_URL``).
End-to-end tests use the local carrier instead (carrier/).

What it answers, in this order:

* the next of ``fail_next``'s failures, and any GET while ``fail_lookups()`` holds;
* ``answers["/Calls/CA….json"] = (200, {...})``: a request whose URL path ends so;
* the calls it placed: ``POST Calls.json`` places one (201, ``queued``, kept in ``created``),
  ``GET Calls.json`` lists them by To and From, ``GET Calls/<sid>.json`` gives ``statuses[sid]``;
* conferences (``conference()`` puts one in progress, with its participants by label):
  ``GET Conferences.json`` by FriendlyName and Status; Participants create (by the conference's sid
  or FriendlyName: 201, ``queued``), list, fetch, update and delete by CallSid or Label (404 20404
  for one not there), each kept in ``conferences[name]["participants"]``;
* recordings of live calls: ``POST Calls/<sid>/Recordings.json`` starts one (201, ``in-progress``,
  its form kept in ``recordings`` with _sid and _call_sid); ``POST Calls/<sid>/Recordings/<sid>.json``
  with ``Status=stopped`` stops one it started (200, ``stopped``; _stopped is set), 404 20404 for
  one unknown or stopped already;
* the SMS it took: ``POST Messages.json`` sends one (201, ``queued``, kept in ``messages``),
  ``GET Messages.json`` lists them by To, newest first, ``GET Messages/<sid>.json`` fetches one;
* anything else: 404, as Twilio answers it.

Every request is kept in ``sent``, in order.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response
from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as WsgiResponse

from tests.support.caller import ACCOUNT_SID

NOT_FOUND = {"code": 20404, "message": "The requested resource was not found",
             "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}


@dataclass
class SentRequest:
    method: str
    url: str
    params: dict
    data: dict
    at: float   # time.time() when it arrived


@dataclass
class Placed:
    to: str
    at: float   # time.time() when the request arrived
    sid: str


class TwilioRest(HttpClient):
    """Twilio's REST API as far as the service uses it (see the module's docstring)."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(logging.getLogger("tests.twilio"), is_async=False)
        self.delay = delay                                 # seconds before placing a call
        self.answers: dict[str, tuple[int, dict]] = {}
        self.sent: list[SentRequest] = []
        self.created: list[dict] = []                      # the form of each call placed, with _sid
        self.statuses: dict[str, str] = {}
        self.messages: list[dict] = []                     # the form of each SMS taken, with _sid
        self.recordings: list[dict] = []                   # the form of each call recording started
        self.failures: list[tuple[int, int, str]] = []     # (HTTP status, Twilio code, message), used in order
        self.lookups_down = False
        self.conferences: dict[str, dict] = {}            # FriendlyName -> {"sid", "participants": {CallSid: {...}}}
        self._lock = threading.Lock()

    # --- what a test sets ------------------------------------------------------------------------

    def fail_next(self, status: int = 500, code: int = 20500, message: str = "Internal Server Error") -> None:
        self.failures.append((status, code, message))

    def fail_lookups(self, down: bool = True) -> None:
        """Every GET fails as if Twilio's API were unreachable, until called with False."""
        self.lookups_down = down

    def took(self, to: str, from_: str, status: str = "in-progress", date_created: str | None = None) -> str:
        """A call Twilio placed although the dispatcher never heard its
        answer (the scheduler died first)."""
        sid = "CA" + secrets.token_hex(16)
        with self._lock:
            self.created.append({"To": to, "From": from_, "_sid": sid, "_date_created": date_created})
            self.statuses[sid] = status
        return sid

    def took_sms(self, to: str, body: str) -> str:
        """An SMS Twilio took although the sender never heard its answer."""
        sid = "SM" + secrets.token_hex(16)
        with self._lock:
            self.messages.append({"To": to, "Body": body, "_sid": sid})
        return sid

    def conference(self, name: str, sid: str | None = None, **legs: str) -> str:
        """A conference in progress, with a participant per label (``caller="CA…"``); its sid."""
        sid = sid or "CF" + secrets.token_hex(16)
        with self._lock:
            self.conferences[name] = {"sid": sid, "status": "in-progress", "participants": {
                leg: _participant(sid, leg, label) for label, leg in legs.items()}}
        return sid

    def participant(self, name: str, label: str) -> dict | None:
        """The participant with this label now in the conference, or None."""
        return next((p for p in self.conferences.get(name, {}).get("participants", {}).values()
                     if p["label"] == label), None)

    # --- what a test reads -----------------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, str]]:
        return [(request.method, request.url) for request in self.sent]

    def calls_to(self, number: str) -> list[dict]:
        return [call for call in self.created if call.get("To") == number]

    @property
    def placed(self) -> list[Placed]:
        """The calls placed (not ``took``), in order, with when each request arrived."""
        with self._lock:
            return [Placed(call["To"], call["_placed_at"], call["_sid"]) for call in self.created
                    if "_placed_at" in call]

    def count(self) -> int:
        return len(self.placed)

    def numbers(self) -> list[str]:
        return [call.to for call in self.placed]

    # --- Twilio ------------------------------------------------------------------------------------

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False) -> Response:
        if method == "POST" and _placing(url) and self.delay:
            time.sleep(self.delay)
        with self._lock:
            sent = SentRequest(method, url, dict(params or {}), dict(data or {}), time.time())
            self.sent.append(sent)
            assert auth is None or auth[0] == ACCOUNT_SID, "calls must be made with the account SID"
            status, body = self._answer(sent)
            return Response(status, "" if body is None else json.dumps(body))

    def _answer(self, sent: SentRequest) -> tuple[int, dict]:
        method, path, params = sent.method, urlsplit(sent.url).path, sent.params
        if method == "GET" and self.lookups_down:
            return 503, {"code": 20503, "message": "Service Unavailable", "status": 503}
        if self.failures:
            status, code, message = self.failures.pop(0)
            return status, {"code": code, "message": message, "status": status}
        for suffix, answer in self.answers.items():
            if path.endswith(suffix):
                return answer
        if method == "POST" and path.endswith("/Calls.json"):
            sid = "CA" + secrets.token_hex(16)
            self.created.append({**sent.data, "_sid": sid, "_date_created": None, "_placed_at": sent.at})
            self.statuses[sid] = "queued"
            return 201, {"sid": sid, "account_sid": ACCOUNT_SID, "to": sent.data.get("To"),
                         "from": sent.data.get("From"), "status": "queued", "direction": "outbound-api",
                         "api_version": "2010-04-01"}
        if method == "GET" and path.endswith("/Calls.json"):
            wanted = {"To": params.get("To"), "From": params.get("From")}
            listed = [{"sid": c["_sid"], "to": c.get("To"), "from": c.get("From"), "direction": "outbound-api",
                       "status": self.statuses[c["_sid"]], "date_created": c.get("_date_created")}
                      for c in reversed(self.created)
                      if all(v is None or c.get(k) == v for k, v in wanted.items())]
            return 200, {"calls": listed, "page": 0, "page_size": 50, "start": 0, "end": max(len(listed) - 1, 0),
                         "uri": path, "first_page_uri": path, "next_page_uri": None, "previous_page_uri": None}
        if method == "POST" and path.endswith("/Recordings.json") and "/Calls/" in path:
            call_sid = path.split("/Calls/", 1)[1].split("/", 1)[0]
            sid = "RE" + secrets.token_hex(16)
            self.recordings.append({**sent.data, "_sid": sid, "_call_sid": call_sid})
            return 201, {"sid": sid, "account_sid": ACCOUNT_SID, "call_sid": call_sid, "api_version": "2010-04-01",
                         "status": "in-progress", "channels": 2 if sent.data.get("RecordingChannels") == "dual"
                         else 1, "source": "StartCallRecordingAPI", "track": sent.data.get("RecordingTrack", "both"),
                         "duration": None, "conference_sid": None, "error_code": None, "price": None,
                         "price_unit": None, "encryption_details": None,
                         "uri": f"{path.removesuffix('.json')}/{sid}.json"}
        if method == "POST" and "/Recordings/" in path and "/Calls/" in path:
            sid = path.rsplit("/", 1)[-1].removesuffix(".json")
            running = next((r for r in self.recordings if r["_sid"] == sid and "_stopped" not in r), None)
            if running is None or sent.data.get("Status") != "stopped":
                return 404, NOT_FOUND
            running["_stopped"] = sent.at
            return 200, {"sid": sid, "account_sid": ACCOUNT_SID, "call_sid": running["_call_sid"],
                         "api_version": "2010-04-01", "status": "stopped", "duration": None,
                         "source": "StartCallRecordingAPI", "uri": path}
        if method == "POST" and path.endswith("/Messages.json"):
            sid = "SM" + secrets.token_hex(16)
            self.messages.append({**sent.data, "_sid": sid})
            return 201, _message(self.messages[-1])
        if method == "GET" and path.endswith("/Messages.json"):
            listed = [_message(m) for m in reversed(self.messages) if params.get("To") in (None, m.get("To"))]
            return 200, {"messages": listed, "page": 0, "page_size": 50, "start": 0,
                         "end": max(len(listed) - 1, 0), "uri": path, "first_page_uri": path,
                         "next_page_uri": None, "previous_page_uri": None}
        if method == "GET" and "/Messages/" in path:
            sid = path.rsplit("/", 1)[-1].removesuffix(".json")
            for message in self.messages:
                if message["_sid"] == sid:
                    return 200, _message(message)
        if method == "GET" and "/Calls/" in path:
            sid = path.rsplit("/", 1)[-1].removesuffix(".json")
            if sid in self.statuses:
                return 200, {"sid": sid, "status": self.statuses[sid]}
        if "/Conferences" in path:
            return self._conference(method, path, params, sent.data)
        return 404, NOT_FOUND

    def _conference(self, method: str, path: str, params: dict, data: dict) -> tuple[int, dict | None]:
        parts = path.split("/Conferences", 1)[1].strip("/").removesuffix(".json").split("/")
        if parts == [""] and method == "GET":
            listed = [{"sid": c["sid"], "friendly_name": name, "status": c["status"], "account_sid": ACCOUNT_SID}
                      for name, c in self.conferences.items()
                      if params.get("FriendlyName") in (None, name) and params.get("Status") in (None, c["status"])]
            return 200, {"conferences": listed, "page": 0, "page_size": 50, "start": 0,
                         "end": max(len(listed) - 1, 0), "uri": path, "first_page_uri": path,
                         "next_page_uri": None, "previous_page_uri": None}
        name = next((n for n, c in self.conferences.items() if parts[0] in (n, c["sid"])), None)
        if name is None and method == "POST" and parts[1:] == ["Participants"] and not parts[0].startswith("CF"):
            self.conference(parts[0])
            name = parts[0]
        if name is None or len(parts) < 2 or parts[1] != "Participants":
            return 404, NOT_FOUND
        conference = self.conferences[name]
        legs = conference["participants"]
        if len(parts) == 2 and method == "POST":
            leg = "CA" + secrets.token_hex(16)
            legs[leg] = {**_participant(conference["sid"], leg, data.get("Label")), "status": "queued",
                         "muted": data.get("Muted") == "true", "coaching": data.get("Coaching") == "true",
                         "call_sid_to_coach": data.get("CallSidToCoach"), "_form": dict(data)}
            return 201, _public(legs[leg])
        if len(parts) == 2 and method == "GET":
            listed = [_public(p) for p in legs.values()]
            return 200, {"participants": listed, "page": 0, "page_size": 50, "start": 0,
                         "end": max(len(listed) - 1, 0), "uri": path, "first_page_uri": path,
                         "next_page_uri": None, "previous_page_uri": None}
        leg = next((sid for sid, p in legs.items() if parts[2] in (sid, p["label"])), None) if len(parts) == 3 else None
        if leg is None:
            return 404, NOT_FOUND
        if method == "DELETE":
            del legs[leg]
            return 204, None
        if method == "POST":
            for field, key in (("Hold", "hold"), ("Muted", "muted"), ("Coaching", "coaching"),
                               ("EndConferenceOnExit", "end_conference_on_exit")):
                if field in data:
                    legs[leg][key] = data[field] == "true"
            if "CallSidToCoach" in data or data.get("Coaching") == "false":
                legs[leg]["call_sid_to_coach"] = data.get("CallSidToCoach")
            if "HoldUrl" in data:
                legs[leg]["hold_url"] = data["HoldUrl"]
        return 200, _public(legs[leg])

    # --- over HTTP, for another process ----------------------------------------------------------

    def serve(self) -> str:
        """Serve on a loopback port until ``close()``; the base URL (also ``url``)."""
        self._served = _Served(self)
        return self.url

    @property
    def url(self) -> str:
        return self._served.url

    def close(self) -> None:
        self._served.server.shutdown()


class _Served:
    """A ``TwilioRest`` on a loopback port, for ``HOTLINE_TWILIO_API_URL``."""

    def __init__(self, twilio: TwilioRest) -> None:
        self.twilio = twilio
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wsgi(self, environ, start_response):
        request = Request(environ)
        form = {key: values[0] for key, values in parse_qs(request.get_data(as_text=True)).items()}
        auth = (request.authorization.username, request.authorization.password) if request.authorization else None
        answer = self.twilio.request(request.method, request.url, params=request.args.to_dict(), data=form,
                                     auth=auth)
        return WsgiResponse(answer.text, status=answer.status_code,
                            mimetype="application/json")(environ, start_response)


def _placing(url: str) -> bool:
    return urlsplit(url).path.endswith("/Calls.json")


def _message(form: dict) -> dict:
    return {"sid": form["_sid"], "account_sid": ACCOUNT_SID, "to": form.get("To"), "from": form.get("From"),
            "body": form.get("Body"), "status": "queued", "direction": "outbound-api",
            "messaging_service_sid": form.get("MessagingServiceSid"), "api_version": "2010-04-01"}


def _participant(conference_sid: str, call_sid: str, label: str | None) -> dict:
    return {"account_sid": ACCOUNT_SID, "call_sid": call_sid, "conference_sid": conference_sid, "label": label,
            "status": "connected", "muted": False, "hold": False, "coaching": False, "call_sid_to_coach": None,
            "end_conference_on_exit": False, "start_conference_on_enter": True}


def _public(participant: dict) -> dict:
    return {k: v for k, v in participant.items() if not k.startswith("_") and k != "hold_url"}


def call_resource(sid: str, status: str = "in-progress", **extra) -> dict:
    return {"sid": sid, "account_sid": ACCOUNT_SID, "status": status, "to": "+8652388012319",
            "from": "+8613812345678", **extra}


def form(data) -> dict:
    return {k: v[0] if isinstance(v, list) else v for k, v in parse_qs(data).items()} if isinstance(data, str) else data


def use_double(app) -> TwilioRest:
    """From now on the app's real Twilio client talks to a new recording double."""
    from wiring import services
    double = services(app).twilio_http_client = TwilioRest()
    services(app).twilio_client = None
    return double
