"""Fuzz: malformed requests at every route of the service; counts the 5xx answers.

    .venv/bin/python bench/fuzz.py                              12,000 requests on SQLite
    .venv/bin/python bench/fuzz.py --database postgresql        on a throwaway PostgreSQL database
    .venv/bin/python bench/fuzz.py --requests 50000 --seed 7    more, another sequence
    .venv/bin/python bench/fuzz.py --show 20                    print up to 20 failing requests

The service is built with ``create_app`` as in production (exceptions become
answers, not test failures), on a fresh database made by the migrations, with
a few users, API keys, cases, calls and callback attempts to find.  Every
route in the app's URL map gets its share of requests, made as the route
needs them: Twilio's webhooks signed with the auth token, the JSON API with
bearer keys of every role (and without), the console with a signed-in
session and its CSRF token.  The values are hostile: control characters and
NUL, huge and negative numbers, dates in year 1 and 9999, strings of 100,000
characters, JSON nested 5,000 deep, Flask's own ``_anchor``/``_external``/
``_scheme`` arguments, path segments that are not numbers.

It prints, per route and in all: requests, 5xx answers, exceptions logged with
a traceback, and TwiML answers that are not well-formed XML.  The exit status
is 1 when any of the three is not 0.  Method and figures: docs/security.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import re
import shutil
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlencode

from wiring import services

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "fuzz-auth-token-0123456789abcdef"
PUBLIC_URL = "https://hotline.example.org"
PASSWORD = "fuzzing-password-1"
PG_HOST = "127.0.0.1"

# Values that have broken services before, or ought to be refused politely.
HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x01\x0b\x1f", "\x7f", "\t\r\n", "\n\nSet-Cookie: x=1", "\ufeff", "\u202e",
    "😀", "中文", "一三九一二三四五六七八", "%", "%00", "%ZZ", "'", '"', "' OR '1'='1", "1; DROP TABLE case_file",
    "<script>alert(1)</script>", "]]>", "&amp;", "&#0;", "{0}", "{}", "%s%s%n", "${jndi:ldap://x}",
    "../../etc/passwd", "\\", "/", "//evil.example", "http://evil.example/", "javascript:alert(1)",
    "-1", "0", "1", "1.5", "-0", "0x10", "1e309", "NaN", "inf", "-inf", "true", "null", "[]", "{}",
    "9" * 20, "-" + "9" * 20, "99999999999999999999", "2147483648", "9223372036854775808", "1" * 400,
    "0001-01-01", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31", "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00", "0000-01", "9999-12", "0000-00", "2026-13", "2026-00", "2026-02-30",
    "2026-10-09T25:61:61Z", "+999999-01-01", "2026-10-09T10:00:00", "2026-10-09T10:00:00 08:00",
    "+8613812345678", "13812345678", "anonymous", "+266696687", "client:", "client:x", "+", "++", "sip:x@y",
    "CA" + "0" * 32, "CA" + "z" * 40, "AC", "hk_", "hk_" + "A" * 43, "Bearer", "A" * 5000, "中" * 3000,
]
# Flask's url_for takes these as instructions, not as query arguments.
URL_FOR_ARGUMENTS = ["_anchor", "_external", "_scheme", "_method", "_ns", "_cls", "_host"]


@dataclass
class Outcome:
    requests: int = 0
    errors: int = 0          # 5xx answers
    malformed_xml: int = 0   # TwiML that does not parse
    statuses: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class Request:
    method: str
    path: str                       # already quoted, may carry a query string
    data: object = None             # dict (form) or bytes
    headers: tuple = ()
    content_type: str | None = None
    client: str = "anonymous"       # which signed-in client sends it
    twiml: bool = False             # the answer is TwiML (when 200 and text/xml)
    address: str = "127.0.0.1"      # where it comes from


class Tracebacks(logging.Handler):
    """Counts records logged with an exception attached."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count, self.kinds = 0, Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.count += 1
            error = record.exc_info[1]
            where = record.exc_info[2]
            while where is not None and where.tb_next is not None:
                where = where.tb_next
            place = f"{Path(where.tb_frame.f_code.co_filename).name}:{where.tb_lineno}" if where else "?"
            self.kinds[f"{type(error).__name__} at {place}: {str(error)[:160]!r}"] += 1


class FakeTwilio:
    """Twilio's REST API as the console's takeover and transfer use it."""

    def __new__(cls):
        from twilio.http import HttpClient
        from twilio.http.response import Response

        class _Fake(HttpClient):
            def __init__(self) -> None:
                super().__init__(logging.getLogger("fuzz.twilio"), is_async=False)

            def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                        allow_redirects=False):
                if method == "GET" and uri.endswith("/Queues.json"):
                    # One queue per line, each with a caller at the front.
                    queues = [{"sid": f"QU{index:032d}", "friendly_name": name, "current_size": 1}
                              for index, name in enumerate(self.queue_names)]
                    return Response(200, json.dumps({"queues": queues, "next_page_uri": None, "page": 0,
                                                     "page_size": 50}))
                sid = uri.rsplit("/", 1)[-1].removesuffix(".json")
                body = {"sid": sid if sid.startswith("CA") else "CA" + uuid.uuid4().hex,
                        "call_sid": "CA" + uuid.uuid4().hex, "account_sid": ACCOUNT_SID, "status": "in-progress"}
                return Response(200 if method == "POST" and sid != "Calls" else 201, json.dumps(body))

            queue_names: list[str] = []

        return _Fake()


# --- the service, its database and what is in it ----------------------------------------------

def postgres_admin_url() -> str:
    from sqlalchemy import create_engine, text
    for user in ("postgres", "root"):
        url = f"postgresql+psycopg://{user}@{PG_HOST}:5432/postgres"
        try:
            engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            return url
        except Exception:  # noqa: BLE001 - try the next user
            continue
    raise SystemExit(f"no PostgreSQL server at {PG_HOST}:5432 accepted user postgres or root")


def build_app(database_url: str, instance_dir: Path):
    from app import create_app
    from database import db
    from database.setup import upgrade_schema
    from routing.models import sync_configuration

    app = create_app({"database_url": database_url, "public_url": PUBLIC_URL, "twilio_account_sid": ACCOUNT_SID,
                      "twilio_auth_token": AUTH_TOKEN, "instance_dir": instance_dir, "env": "testing",
                      "log_level": "ERROR"})
    fake = FakeTwilio()
    fake.queue_names = [line.operator_queue.name for line in services(app).config.lines.values()]
    services(app).twilio_http_client = fake
    upgrade_schema(db.engine(app))
    with db.session_scope(app) as session:
        sync_configuration(session, services(app).config)
    return app


@dataclass
class World:
    """What the fuzzer can name: real ids next to the hostile ones."""

    keys: dict[str, str]
    users: dict[str, str]
    case_numbers: list[str]
    call_sids: list[str]
    attempts: list[int]
    tasks: list[int]
    departments: list[str]
    categories: list[str]
    lines: list[str]
    tokens: list[str]


def seed(app) -> World:
    from sqlalchemy import select

    from accounts.services import create_api_key, create_user
    from callbacks.models import Callback, CallbackAttempt
    from cases.models import Case, InspectorTask
    from cases.services import NewCase, open_case
    from database import db

    config = services(app).config
    now = datetime.now(timezone.utc)
    departments = sorted(config.departments)
    categories = sorted(config.categories)
    lines = sorted(config.lines)
    keys, users = {}, {}
    with db.session_scope(app) as session:
        for role in ("operator", "dispatcher", "supervisor", "admin", "department", "inspector"):
            department = departments[0] if role == "department" else None
            _, keys[role] = create_api_key(session, f"fuzz-{role}", role, department)
            create_user(session, f"fuzz-{role}", PASSWORD, role, department_code=department,
                        device="client:fuzz" if role in ("operator", "supervisor") else None,
                        hash_method="pbkdf2:sha256:1000")
            users[role] = f"fuzz-{role}"
        numbers = []
        for index, code in enumerate(categories[:12]):
            category = config.categories[code]
            case = open_case(session, config, NewCase(
                line_id=category.lines[0] if category.lines else None, channel="hotline",
                description=f"测试 {index} 请回电 13812345678", location=f"海陵区测试路{index + 1}号",
                category_code=code, caller_e164="+8613812345678", callback_number="+8613812345678"), now)
            case.open311_token = uuid.uuid4().hex
            numbers.append(case.number)
        session.flush()
        tokens = [token for token in session.scalars(select(Case.open311_token)) if token]
        tasks = list(session.scalars(select(InspectorTask.id)))
        callback = Callback(purpose="queue", purpose_key="fuzz-1", phone_e164="+8613812345678", line_id=lines[0],
                            status="calling", due_at=now, next_attempt_at=now)
        session.add(callback)
        session.flush()
        attempts = []
        for number in (1, 2):
            attempt = CallbackAttempt(callback_id=callback.id, number=number, status="placed",
                                      call_sid="CA" + uuid.uuid4().hex, placed_at=now)
            session.add(attempt)
            session.flush()
            attempts.append(attempt.id)
    call_sids = []
    client = app.test_client()
    for line in lines:
        sid = "CA" + uuid.uuid4().hex
        number = config.lines[line].number
        params = base_call(sid, number)
        signed_post(client, "/voice/incoming", params)
        call_sids.append(sid)
    return World(keys=keys, users=users, case_numbers=numbers, call_sids=call_sids, attempts=attempts,
                 tasks=tasks or [1], departments=departments, categories=categories, lines=lines, tokens=tokens)


def base_call(sid: str, to: str) -> dict:
    return {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": "+8613812345678", "To": to,
            "Caller": "+8613812345678", "Called": to, "CallStatus": "in-progress", "Direction": "inbound",
            "ApiVersion": "2010-04-01"}


def signature(url: str, params: dict) -> str:
    from twilio.request_validator import RequestValidator
    return RequestValidator(AUTH_TOKEN).compute_signature(url, params)


def signed_post(client, path: str, params: dict):
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature(PUBLIC_URL + path, params)})


def signed_in_clients(app, world: World) -> dict:
    """A test client per role, signed in, with its CSRF token."""
    clients = {"anonymous": (app.test_client(), None)}
    for role, username in world.users.items():
        client = app.test_client()
        client.get("/console/login")
        token = csrf_of(client.get("/console/login").get_data(as_text=True))
        answer = client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                     "csrf_token": token})
        if answer.status_code != 302:
            raise SystemExit(f"could not sign {username} in: {answer.status_code}")
        clients[role] = (client, csrf_of(client.get("/console/").get_data(as_text=True)))
    anonymous = clients["anonymous"][0]
    clients["anonymous"] = (anonymous, csrf_of(anonymous.get("/console/login").get_data(as_text=True)))
    return clients


def csrf_of(page: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page)
    return found.group(1) if found else None


# --- hostile requests, route by route -------------------------------------------------------------

class Fuzzer:
    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng, self.world = rng, world

    # values
    def hostile(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return rng.choice(HOSTILE)
        if roll < 0.7:
            return "x" * rng.choice((1000, 10_000, 100_000))
        if roll < 0.85:
            return self.mutate(self.real())
        return "".join(chr(rng.randrange(0, 0x250)) for _ in range(rng.randrange(1, 40)))

    def mutate(self, value: str) -> str:
        rng = self.rng
        how = rng.randrange(6)
        if how == 0:
            return value + rng.choice(["\x00", "\x01", "\x0b", "%00", "'", " ", "\u202e"])
        if how == 1:
            return value[: rng.randrange(len(value) + 1)]
        if how == 2:
            return value * rng.randrange(2, 50)
        if how == 3:
            return value.upper()
        if how == 4:
            return rng.choice(["-", "+", "0", "9" * 25]) + value
        return value.replace(value[:1], rng.choice(["\x00", "中", "%", "/"]), 1)

    def real(self) -> str:
        world = self.world
        pool = [*world.case_numbers, *world.call_sids, *map(str, world.attempts), *map(str, world.tasks),
                *world.departments, *world.categories, *world.lines, *world.tokens, "2026-10", "json", "xml"]
        return self.rng.choice(pool)

    def either(self, real: list) -> str:
        return str(self.rng.choice(real)) if real and self.rng.random() < 0.35 else self.hostile()

    def segment(self, real: list) -> str:
        return quote(self.either(real), safe="")

    def query(self, names: list[str], extra: int = 2) -> dict:
        rng = self.rng
        chosen = rng.sample(names, rng.randrange(0, len(names) + 1)) if names else []
        if rng.random() < 0.3:
            chosen += rng.sample(URL_FOR_ARGUMENTS, rng.randrange(1, 4))
        chosen += [self.hostile()[:40] for _ in range(rng.randrange(extra + 1))]
        return {name: self.hostile() if rng.random() < 0.85 else self.real() for name in chosen}

    def with_query(self, path: str, args: dict) -> str:
        if not args:
            return path
        pairs = [(self._encodable(k), self._encodable(v)) for k, v in args.items()]
        return path + "?" + urlencode(pairs, quote_via=quote)

    @staticmethod
    def _encodable(text: str) -> str:
        return text.encode("utf-8", "replace").decode("utf-8")

    @staticmethod
    def header(text: str) -> str:
        """As an HTTP server passes a header on: latin-1, and no line breaks (those end the header)."""
        return text.encode("utf-8", "replace").decode("latin-1").replace("\r", "").replace("\n", "")

    def form(self, names: list[str], base: dict | None = None) -> dict:
        rng = self.rng
        form = dict(base or {})
        for name in rng.sample(names, rng.randrange(1, len(names) + 1)):
            form[name] = self.hostile()
        for _ in range(rng.randrange(3)):
            form[self.hostile()[:30] or "x"] = self.hostile()
        if rng.random() < 0.1 and form:
            form.pop(rng.choice(list(form)))
        return {self._encodable(k): self._encodable(v) for k, v in form.items()}

    def json_body(self, names: list[str]) -> bytes:
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            depth = rng.choice((100, 1000, 5000, 20000))
            return ("[" * depth + "]" * depth).encode() if rng.random() < 0.5 else \
                ('{"a":' * depth + "1" + "}" * depth).encode()
        if roll < 0.2:
            return rng.choice([b"", b"null", b"[]", b"1", b'"x"', b"{", b"\xff\xfe", b"{\"action\": NaN}",
                               b'{"action": "file"}' * 3, b"\x00" * 10, b"1e999999"])
        body = {}
        for name in rng.sample(names, rng.randrange(0, len(names) + 1)):
            body[name] = self.json_value()
        if rng.random() < 0.2:
            body[self.hostile()[:20]] = self.json_value()
        return json.dumps(body, ensure_ascii=rng.random() < 0.5).encode()

    def json_value(self):
        rng = self.rng
        return rng.choice([
            self.hostile(), self.hostile(), rng.choice(["file", "dispatch", "suspend", "void", "reopen", "claim",
                                                        "return", "dispose", "reactivate", "confirmed", "passed"]),
            None, True, 0, -1, 10 ** 30, 1.5e308, [], {}, ["a"], {"a": 1}, "2026-12-31", "0001-01-01",
            "9999-12-31", "99999-01-01",
        ])

    # routes
    def voice(self, path: str, names: list[str], query: list[str] | None = None) -> Request:
        world, rng = self.world, self.rng
        sid = rng.choice(world.call_sids) if rng.random() < 0.6 else "CA" + uuid.uuid4().hex
        base = base_call(sid, rng.choice(["+8652388012319", "+8652386012345", self.hostile()]))
        base["CallSid"] = sid if rng.random() < 0.9 else self.hostile()
        form = self.form(names + ["From", "To", "CallStatus", "Direction", "Caller"], base)
        target = self.with_query(path, self.query(query or [], extra=1))
        url = PUBLIC_URL + target
        headers = [("X-Twilio-Signature", signature(url, form))]
        if rng.random() < 0.05:
            headers = [("X-Twilio-Signature", self.header(self.hostile()[:200]))]
        if rng.random() < 0.05:
            headers.append(("X-Twilio-Webhooks-Signature-Settings", self.header(self.hostile()[:100])))
        return Request("POST", target, form, tuple(headers), twiml=True)

    def api(self, method: str, path: str, query: list[str], body: list[str] | None = None) -> Request:
        rng = self.rng
        roll = rng.random()
        if roll < 0.85:
            auth = "Bearer " + self.world.keys[rng.choice(list(self.world.keys))]
        elif roll < 0.95:
            auth = rng.choice(["", "Bearer", "Bearer ", "Basic eA==", "Bearer " + self.hostile()[:300]])
        else:
            auth = None
        headers = [("Authorization", self.header(auth))] if auth is not None else []
        data = self.json_body(body) if body is not None else None
        content_type = rng.choice(["application/json", "application/json; charset=utf-8", "text/plain",
                                   "application/x-www-form-urlencoded", "multipart/form-data"]) \
            if data is not None else None
        return Request(method, self.with_query(path, self.query(query)), data, tuple(headers), content_type)

    def console(self, method: str, path: str, query: list[str], form: list[str] | None = None,
                roles: tuple[str, ...] = ("operator", "supervisor", "admin")) -> Request:
        rng = self.rng
        role = rng.choice(roles) if rng.random() < 0.9 else rng.choice(["anonymous", "department", "inspector"])
        data = self.form(form) if form else None
        if data is not None and rng.random() < 0.95:
            data["csrf_token"] = "CSRF"          # replaced by the client's token when sent
        if data is not None and "username" in data and rng.random() < 0.3:
            data["username"] = rng.choice(list(self.world.users.values()))      # a real name, a wrong password
        # Sign-in is throttled per address: come from a few, so the view is reached, and the lockouts too.
        address = f"198.51.100.{rng.randrange(1, 40)}"
        return Request(method, self.with_query(path, self.query(query)), data, client=role, address=address)


def routes(f: Fuzzer, world: World) -> dict[str, Callable[[], Request]]:
    """One request maker per route of the service (checked against the URL map)."""
    fmt = lambda: f.rng.choice(["json", "xml"]) if f.rng.random() < 0.9 else quote(f.hostile(), safe="")  # noqa: E731
    open311_get = ["start_date", "end_date", "status", "service_code", "service_request_id", "jurisdiction_id"]
    open311_post = ["api_key", "service_code", "lat", "long", "address_string", "address_id", "description",
                    "email", "phone", "media_url", "device_id", "account_id", "first_name", "last_name",
                    "attribute[x]", "jurisdiction_id"]
    gather = ["Digits", "SpeechResult", "Confidence", "RecordingSid", "RecordingUrl", "RecordingDuration",
              "QueueResult", "RecordingStatus"]
    status = ["CallStatus", "SequenceNumber", "Timestamp", "CallDuration", "AnsweredBy", "ErrorCode"]
    case_args = ["q", "status", "department", "category", "line", "channel", "overdue", "created_from",
                 "created_to", "page", "per_page"]
    transition = ["action", "reason", "note", "review_date", "department", "to"]
    report_args = ["rank", "month", "view", "key", "indicator", "measure", "part", "format"]

    def api_key():
        return world.keys.get("admin")

    def open311_post_request():
        request = f.api("POST", f"/open311/v2/requests.{fmt()}", ["api_key"])
        form = f.form(open311_post, {"api_key": api_key(), "service_code": f.either(world.categories),
                                     "address_string": "海陵区测试路1号"})
        return Request("POST", request.path, form)

    return {
        # Open311
        "open311.discovery_document": lambda: f.api("GET", f"/open311/v2/discovery.{fmt()}", open311_get),
        "open311.services": lambda: f.api("GET", f"/open311/v2/services.{fmt()}", open311_get),
        "open311.service": lambda: f.api("GET", f"/open311/v2/services/{f.segment(world.categories)}.{fmt()}",
                                         open311_get),
        "open311.requests": lambda: f.api("GET", f"/open311/v2/requests.{fmt()}", open311_get),
        "open311.create_request": open311_post_request,
        "open311.service_request": lambda: f.api(
            "GET", f"/open311/v2/requests/{f.segment(world.case_numbers)}.{fmt()}", open311_get),
        "open311.token": lambda: f.api("GET", f"/open311/v2/tokens/{f.segment(world.tokens)}.{fmt()}", []),
        # JSON API
        "api.openapi_document": lambda: f.api("GET", "/api/v1/openapi.json", ["x"]),
        "api.whoami": lambda: f.api("GET", "/api/v1/me", ["x"]),
        "api.list_cases": lambda: f.api("GET", "/api/v1/cases", case_args),
        "api.get_case": lambda: f.api("GET", f"/api/v1/cases/{f.segment(world.case_numbers)}", case_args),
        "api.case_events": lambda: f.api("GET", f"/api/v1/cases/{f.segment(world.case_numbers)}/events", []),
        "api.take_transition": lambda: f.api("POST", f"/api/v1/cases/{f.segment(world.case_numbers)}/transitions",
                                             [], transition),
        "api.claim_case": lambda: f.api("POST", f"/api/v1/cases/{f.segment(world.case_numbers)}/claim", [], []),
        "api.department_queue": lambda: f.api("GET", f"/api/v1/departments/{f.segment(world.departments)}/queue",
                                              ["page", "per_page", "status"]),
        "api.claim_next": lambda: f.api("POST", f"/api/v1/departments/{f.segment(world.departments)}/queue/claim",
                                        [], []),
        "api.list_tasks": lambda: f.api("GET", "/api/v1/tasks", ["kind", "page", "per_page"]),
        "api.report_task_result": lambda: f.api(
            "POST", f"/api/v1/tasks/{f.rng.choice([*world.tasks, 0, -1, 10 ** 20, 2 ** 63, 2 ** 31])}/result",
            [], ["result", "note"]),
        # Twilio's webhooks
        "voice.incoming": lambda: f.voice("/voice/incoming", ["ForwardedFrom", "CallerName", "FromCity"]),
        "voice.step": lambda: f.voice("/voice/step", gather, ["step"]),
        "voice.wait": lambda: f.voice("/voice/queue/wait", ["QueuePosition", "QueueTime", "AvgQueueTime",
                                                           "CurrentQueueSize"]),
        "voice.wait_choice": lambda: f.voice("/voice/queue/choice", ["Digits"]),
        "voice.status": lambda: f.voice("/voice/status", status),
        "voice.recording": lambda: f.voice("/voice/recording", gather),
        "voice.fallback": lambda: f.voice("/voice/fallback", ["ErrorCode", "ErrorUrl"]),
        "voice.fallback_recorded": lambda: f.voice("/voice/fallback/recorded", gather),
        "operator_voice.connect": lambda: f.voice("/voice/operator/connect", ["DialCallStatus"], ["operator"]),
        "operator_voice.whisper": lambda: f.voice("/voice/operator/whisper", [], ["call"]),
        "operator_voice.transfer": lambda: f.voice("/voice/operator/transfer", [], ["department", "case"]),
        "operator_voice.department_whisper": lambda: f.voice("/voice/operator/department-whisper", [], ["case"]),
        "operator_voice.after": lambda: f.voice("/voice/operator/after", ["DialCallStatus", "DialCallDuration"]),
        "operator_voice.operator_leg": lambda: f.voice("/voice/operator/leg", [], ["call", "operator"]),
        "operator_voice.requeue": lambda: f.voice("/voice/operator/requeue", []),
        "operator_voice.left": lambda: f.voice("/voice/operator/left", ["DialCallStatus"], ["call"]),
        "operator_voice.hold": lambda: f.voice("/voice/operator/hold", []),
        "operator_voice.conference_events": lambda: f.voice(
            "/voice/operator/conference", ["ConferenceSid", "FriendlyName", "StatusCallbackEvent", "Label", "Muted",
                                           "Hold", "Coaching", "SequenceNumber"]),
        "operator_voice.participant_leg": lambda: f.voice("/voice/operator/participant", [], ["call", "role", "who"]),
        "operator_voice.recording": lambda: f.voice("/voice/operator/recording", gather + ["RecordingChannels"]),
        "callbacks.answer": lambda: f.voice("/voice/callback/answer", ["AnsweredBy"], ["attempt"]),
        "callbacks.step": lambda: f.voice("/voice/callback/step", gather, ["attempt", "step"]),
        "callbacks.status": lambda: f.voice("/voice/callback/status", status, ["attempt"]),
        "callbacks.recording": lambda: f.voice("/voice/callback/recording", gather),
        # The console
        "console.login": lambda: f.console("GET", "/console/login", ["next"], roles=("anonymous",)),
        "console.login_submit": lambda: f.console("POST", "/console/login", [],
                                                  ["username", "password", "next"], roles=("anonymous",)),
        "console.logout": lambda: f.console("POST", "/console/logout", [], ["x"], roles=("anonymous",)),
        "console.index": lambda: f.console("GET", "/console/", ["x"]),
        "console.static": lambda: f.console("GET", f"/console/static/{f.segment(['console.css'])}", []),
        "console_board.board": lambda: f.console("GET", "/console/board", ["x"]),
        "console_board.board_json": lambda: f.console("GET", "/console/board.json", ["x"]),
        "console_board.presence": lambda: f.console("POST", "/console/presence", [], ["x"]),
        "wallboard.wallboard": lambda: f.console("GET", "/console/wallboard", ["x"]),
        "wallboard.wallboard_json": lambda: f.console("GET", "/console/wallboard.json", ["x"]),
        "monitoring.healthz": lambda: f.api("GET", "/healthz", ["x"]),
        "monitoring.readyz": lambda: f.api("GET", "/readyz", ["x"]),
        "monitoring.metrics": lambda: f.api("GET", "/internal/metrics", ["x"]),
        "console_board.takeover": lambda: f.console("POST", f"/console/calls/{f.segment(world.call_sids)}/takeover",
                                              [], ["x"]),
        "console_board.answer": lambda: f.console("POST", f"/console/queues/{f.segment(world.lines)}/answer",
                                                  [], ["x"]),
        "console_board.call_case": lambda: f.console(
            f.rng.choice(["GET", "POST"]), f"/console/calls/{f.segment(world.call_sids)}/case", [],
            ["description", "location", "category_code", "callback_number"]),
        "console_board.supervise_call": lambda: f.console(
            "POST", f"/console/calls/{f.segment(world.call_sids)}/supervise", [], ["mode", "back"],
            roles=("supervisor", "operator")),
        "console_board.conference_move": lambda: f.console(
            "POST", f"/console/calls/{f.segment(world.call_sids)}/conference", [], ["move", "department", "back"]),
        "console_board.transfer_call": lambda: f.console(
            "POST", f"/console/calls/{f.segment(world.call_sids)}/transfer", [], ["department", "case"]),
        "console.choose_language": lambda: f.console("POST", "/console/language", [], ["language", "next"],
                                                     roles=("anonymous", "operator", "department")),
        "console_cases.cases": lambda: f.console("GET", "/console/cases/", [
            "q", "status", "department", "category", "line", "channel", "overdue", "needs_person", "from", "to",
            "sort", "page"], roles=("operator", "supervisor", "department")),
        "console_cases.case_page": lambda: f.console("GET", f"/console/cases/{f.segment(world.case_numbers)}", ["x"],
                                               roles=("operator", "supervisor", "department")),
        "console_cases.show_numbers": lambda: f.console(
            "POST", f"/console/cases/{f.segment(world.case_numbers)}/numbers", [], ["reason"]),
        "console_cases.take_step": lambda: f.console(
            "POST", f"/console/cases/{f.segment(world.case_numbers)}/steps", [],
            ["action", "reason", "note", "review_date", "department", "to", "category"],
            roles=("operator", "supervisor", "department")),
        "console_cases.merge": lambda: f.console(
            "POST", f"/console/cases/{f.segment(world.case_numbers)}/merge", [], ["into", "note"],
            roles=("supervisor", "operator", "department")),
        "console_cases.split": lambda: f.console(
            "POST", f"/console/cases/{f.segment(world.case_numbers)}/split", [],
            ["description", "category", "location", "note"], roles=("supervisor", "operator", "department")),
        "console_cases.photo": lambda: f.console(
            "GET", f"/console/cases/{f.segment(world.case_numbers)}/photos/{f.segment(['1', '0', '-1', '99999'])}",
            [], roles=("supervisor", "department", "inspector")),
        "console_cases.recording": lambda: f.console(
            "GET", f"/console/cases/{f.segment(world.case_numbers)}/recordings/{f.segment(['1', '0', '99999'])}",
            [], roles=("supervisor", "department")),
        "console_board.seat": lambda: f.console("POST", "/console/seat", [], ["state"]),
        # The inspector's tasks, the supervisor's pages, the knowledge base
        "console_tasks.tasks": lambda: f.console("GET", "/console/tasks/", ["x"], roles=("inspector", "supervisor")),
        "console_tasks.task_page": lambda: f.console(
            "GET", f"/console/tasks/{f.segment([*map(str, world.tasks), '0', '99999'])}", ["x"],
            roles=("inspector", "supervisor")),
        "console_tasks.report": lambda: f.console(
            "POST", f"/console/tasks/{f.segment([*map(str, world.tasks), '0', '99999'])}", [],
            ["finding", "note"], roles=("inspector", "supervisor")),
        "console_supervision.overdue": lambda: f.console("GET", "/console/overdue/", ["x"], roles=("supervisor",)),
        "console_supervision.remind": lambda: f.console(
            "POST", f"/console/overdue/{f.segment(world.case_numbers)}/remind", [], ["note"], roles=("supervisor",)),
        "console_supervision.supervise": lambda: f.console(
            "POST", f"/console/overdue/{f.segment(world.case_numbers)}/supervise", [], ["note"],
            roles=("supervisor",)),
        "console_supervision.hotspots": lambda: f.console("GET", "/console/hotspots/", ["weeks", "x"],
                                                          roles=("supervisor",)),
        "console_quality.sample": lambda: f.console("GET", "/console/quality/", ["week", "x"],
                                                    roles=("supervisor",)),
        "console_quality.call_page": lambda: f.console(
            "GET", f"/console/quality/calls/{f.segment(world.call_sids)}", ["x"], roles=("supervisor",)),
        "console_quality.save": lambda: f.console(
            "POST", f"/console/quality/calls/{f.segment(world.call_sids)}", [],
            ["score-greeting", "score-identity", "score-category", "score-courtesy", "score-closure", "comment"],
            roles=("supervisor",)),
        "console_quality.recording": lambda: f.console(
            "GET", f"/console/quality/calls/{f.segment(world.call_sids)}/recordings/"
                   f"{f.segment(['1', '0', '99999'])}", [], roles=("supervisor",)),
        "console_quality.summary": lambda: f.console("GET", "/console/quality/summary", ["month", "x"],
                                                     roles=("supervisor",)),
        "console_knowledge.index": lambda: f.console("GET", "/console/knowledge/", ["q", "line"]),
        "console_knowledge.article": lambda: f.console(
            "GET", f"/console/knowledge/{f.segment(['street-vending-permit', 'urban-hotline-scope'])}", ["x"]),
        "console_knowledge.edit": lambda: f.console(
            "POST", f"/console/knowledge/{f.segment(['street-vending-permit', 'urban-hotline-scope'])}", [],
            ["title_zh-CN", "spoken_zh-CN", "answer_zh-CN", "asks"], roles=("supervisor",)),
        # SMS webhooks and the public tracking page
        "sms.incoming": lambda: f.voice("/sms/incoming", ["Body", "MessageSid", "SmsSid", "NumMedia"]),
        "sms.status": lambda: f.voice("/sms/status", ["MessageSid", "MessageStatus", "ErrorCode"], ["message"]),
        "tracking.page": lambda: f.console(f.rng.choice(["GET", "POST"]), "/track/", ["number", "last4"],
                                           ["number", "last4"], roles=("anonymous",)),
        "tracking.static": lambda: f.console("GET", f"/track/static/{f.segment(['track.css'])}", [],
                                             roles=("anonymous",)),
        "api.merge_case": lambda: f.api("POST", f"/api/v1/cases/{f.segment(world.case_numbers)}/merge", [],
                                        ["into", "note"]),
        "api.split_case": lambda: f.api("POST", f"/api/v1/cases/{f.segment(world.case_numbers)}/split", [],
                                        ["description", "category", "location", "note"]),
        # Reports
        "reports.index": lambda: f.console("GET", "/console/reports/", report_args, roles=("supervisor",)),
        "reports.monthly": lambda: f.console("GET", f"/console/reports/{f.segment(['2026-10', '2026-09'])}",
                                             report_args, roles=("supervisor", "department")),
        "reports.breakdown": lambda: f.console(
            "GET", f"/console/reports/{f.segment(['2026-10'])}/by/{f.segment(['lines', 'categories'])}",
            report_args, roles=("supervisor", "department")),
        "reports.export": lambda: f.console(
            "GET", f"/console/reports/{f.segment(['2026-10'])}/{f.segment(['departments', 'lines'])}."
                   f"{f.segment(['csv', 'xlsx'])}", report_args, roles=("supervisor", "department")),
        "reports.cases": lambda: f.console("GET", f"/console/reports/{f.segment(['2026-10'])}/cases",
                                           report_args, roles=("supervisor", "department")),
        "reports.notice": lambda: f.console(
            "GET", f"/console/reports/{f.segment(['2026-10'])}/notice/{f.segment(world.departments)}",
            report_args, roles=("supervisor", "department")),
        "reports.static": lambda: f.console("GET", f"/console/reports/static/{f.segment(['reports.css'])}", []),
        "static": lambda: f.console("GET", f"/static/{f.segment(['x.css'])}", []),
    }


def send(clients: dict, request: Request):
    client, token = clients.get(request.client, clients["anonymous"])
    data = request.data
    if isinstance(data, dict) and data.get("csrf_token") == "CSRF":
        if request.client == "anonymous":
            # Signing in or out starts a new session, and with it a new token.
            token = csrf_of(client.get("/console/login").get_data(as_text=True))
        data = {**data, "csrf_token": token or ""}
    return client.open(request.path, method=request.method, data=data, headers=list(request.headers),
                       content_type=request.content_type, environ_base={"REMOTE_ADDR": request.address})


def well_formed(body: bytes) -> bool:
    try:
        ET.fromstring(body)
    except ET.ParseError:
        return False
    return True


def run(app, world: World, total: int, seed_value: int, show: int, tracebacks: Tracebacks,
        conversations: int = 100) -> tuple[dict[str, Outcome], list]:
    tracebacks.count, tracebacks.kinds = 0, Counter()      # only what the fuzzing itself caused
    rng = random.Random(seed_value)
    fuzzer = Fuzzer(rng, world)
    makers = routes(fuzzer, world)
    served = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = served - set(makers)
    if missing:
        raise SystemExit(f"routes the fuzzer does not know: {', '.join(sorted(missing))}")
    clients = signed_in_clients(app, world)
    outcomes: dict[str, Outcome] = defaultdict(Outcome)
    failures = []

    def record(name: str, request: Request):
        try:
            answer = send(clients, request)
        except Exception as error:  # noqa: BLE001 - the WSGI app itself raised: count it as a 500
            status, body, mimetype = 500, repr(error).encode(), "text/plain"
        else:
            status, body, mimetype = answer.status_code, answer.get_data(), answer.mimetype
        outcome = outcomes[name]
        outcome.requests += 1
        outcome.statuses[status] += 1
        bad_xml = request.twiml and status == 200 and mimetype == "text/xml" and not well_formed(body)
        if name == "monitoring.readyz" and status == 503:
            status = 200        # "not ready" is /readyz's own answer (no scheduler here), not a failure
        if status >= 500:
            outcome.errors += 1
        if bad_xml:
            outcome.malformed_xml += 1
        if (status >= 500 or bad_xml) and len(failures) < show:
            failures.append((name, status, request, body[:300]))
        return body if status == 200 and not bad_xml else None

    names = sorted(makers)
    for index in range(total):
        name = names[index % len(names)]
        record(name, makers[name]())
    for _ in range(conversations):
        converse(fuzzer, world, record)
    return outcomes, failures


# Things callers say, with the control characters a speech engine never returns.
SPEECH = ["西仓路银春旅馆门前有两个上水井盖丢失", "海陵北路的下水道堵了", "路灯不亮", "青年路", "海陵区凤凰路88号"]
CONTROLS = ["\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f", "\t", "\r\n"]


def converse(fuzzer: Fuzzer, world: World, record: Callable) -> None:
    """One call through the IVR, answering each Gather with hostile speech or keys,
    then the operator's whisper of what was said: where a caller's words are spoken back."""
    rng = fuzzer.rng
    sid = "CA" + uuid.uuid4().hex
    params = base_call(sid, rng.choice(["+8652388012319", "+8652386012345"]))

    def post(target: str, form: dict, name: str) -> bytes | None:
        form = {key: fuzzer._encodable(value) for key, value in form.items()}
        signed = (("X-Twilio-Signature", signature(PUBLIC_URL + target, form)),)
        return record(name, Request("POST", target, form, signed, twiml=True))

    body = post("/voice/incoming", params, "conversation: voice.incoming")
    for _ in range(rng.randrange(2, 9)):
        action = _next_action(body)
        if action is None:
            break
        roll = rng.random()
        if roll < 0.5:
            words = rng.choice(SPEECH)
            cut = rng.randrange(len(words) + 1)
            extra = {"SpeechResult": words[:cut] + "".join(rng.sample(CONTROLS, 3)) + words[cut:],
                     "Confidence": rng.choice(["0.9", "nan", "-1", "1e309"])}
        elif roll < 0.9:
            extra = {"Digits": rng.choice(["1", "1", "2", "0", "9", "#", "*", "\x00", "1\x0b", "99999999999"])}
        else:
            extra = {}
        body = post(action, {**params, **extra}, "conversation: voice.step")
    post(f"/voice/operator/whisper?call={sid}", params, "conversation: operator_voice.whisper")


def _next_action(body: bytes | None) -> str | None:
    if body is None:
        return None
    root = ET.fromstring(body)
    verb = root.find("Gather") if root.find("Gather") is not None else root.find("Record")
    if verb is None or not verb.get("action", "").startswith(PUBLIC_URL):
        return None
    return verb.get("action").removeprefix(PUBLIC_URL)


def report(outcomes: dict[str, Outcome], tracebacks: Tracebacks, failures: list, database: str) -> int:
    total = sum(o.requests for o in outcomes.values())
    errors = sum(o.errors for o in outcomes.values())
    malformed = sum(o.malformed_xml for o in outcomes.values())
    print(f"{'route':38} {'requests':>8} {'5xx':>5} {'bad xml':>7}  statuses")
    for name in sorted(outcomes):
        o = outcomes[name]
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(o.statuses.items()))
        print(f"{name:38} {o.requests:8d} {o.errors:5d} {o.malformed_xml:7d}  {statuses}")
    for name, status, request, body in failures:
        print(f"\n{status} {name}: {request.method} {request.path[:300]}\n  data: {str(request.data)[:300]}"
              f"\n  answer: {body!r}")
    for kind, count in tracebacks.kinds.most_common():
        print(f"traceback logged {count}x: {kind}")
    routes_fuzzed = sum(1 for name in outcomes if not name.startswith("conversation:"))
    calls = outcomes["conversation: voice.incoming"].requests if "conversation: voice.incoming" in outcomes else 0
    print(f"\n{database}: {total} malformed requests to {routes_fuzzed} routes and in {calls} calls; "
          f"5xx answers: {errors}; tracebacks logged: {tracebacks.count}; malformed TwiML: {malformed}")
    return 1 if errors or malformed or tracebacks.count else 0


def fuzz(database_url: str, instance_dir: Path, requests: int, seed_value: int = 2026, conversations: int = 100,
         show: int = 10) -> tuple[dict[str, Outcome], Tracebacks, list]:
    """Build the service on ``database_url`` (migrated here), fill it, and fuzz it."""
    app = build_app(database_url, instance_dir)
    world = seed(app)
    tracebacks = Tracebacks()
    logging.getLogger().addHandler(tracebacks)
    try:
        outcomes, failures = run(app, world, requests, seed_value, show, tracebacks, conversations)
    finally:
        logging.getLogger().removeHandler(tracebacks)
        from database import db
        db.engine(app).dispose()
    return outcomes, tracebacks, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--conversations", type=int, default=100,
                        help="calls walked through the IVR with hostile speech, after the route by route requests")
    parser.add_argument("--show", type=int, default=10, help="print this many failing requests")
    options = parser.parse_args()
    # Errors are counted, not printed: the service's own log set-up finds a handler and adds none.
    logging.getLogger().addHandler(logging.NullHandler())
    workdir = Path(tempfile.mkdtemp(prefix="hotline-fuzz-"))
    admin = name = None
    try:
        if options.database == "sqlite":
            url = f"sqlite:///{workdir / 'hotline.sqlite3'}"
        else:
            from sqlalchemy import create_engine, text
            admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
            name = f"hotline_fuzz_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin.url.set(database=name).render_as_string(hide_password=False)
        outcomes, tracebacks, failures = fuzz(url, workdir / "instance", options.requests, options.seed,
                                              options.conversations, options.show)
        return report(outcomes, tracebacks, failures, options.database)
    finally:
        if admin is not None:
            from sqlalchemy import text
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
