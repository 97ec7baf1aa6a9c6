"""Probe: what the callback dispatcher does with Twilio's error answers and
with a scheduler killed mid-placement (issue 10, A1 and A4).

    .venv/bin/python bench/callback_faults.py

In-process, on a throwaway SQLite database, with the real ``twilio`` client
over a transport that answers like Twilio:

- A1: for each error code, ``--owed`` complainants are owed a callback and
  ``calls.create`` answers the first with that code; one dispatcher run
  later, it prints what became of them: placed, paused, unreachable, waiting
  for a retry, and the attempts counted against them;
- A4: ``--owed`` claims are cut off mid-placement (the scheduler died), half
  of them after Twilio had taken the call; five minutes later the
  dispatcher runs again, and it prints how many complainants were called
  twice.

Exits 1 when an account fault marked anyone unreachable, a bad number did
not, or anyone was called twice.
"""
from __future__ import annotations

import argparse
import json
import logging
import secrets
import sys
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twilio.http import HttpClient  # noqa: E402
from twilio.http.response import Response  # noqa: E402

from wiring import services

ACCOUNT_SID = "AC" + "c" * 32
CODES = [
    (400, 21215, "account: no geographic permission"),
    (400, 21210, "account: From not verified"),
    (400, 21205, "account: Url not valid"),
    (400, 21211, "number: invalid To"),
    (400, 21217, "number: To not valid"),
    (400, 13224, "number: invalid phone number"),
    (429, 20429, "rate limited"),
    (503, 20503, "Twilio unavailable"),
    (400, 21208, "another refusal"),
]


class Twilio(HttpClient):
    def __init__(self) -> None:
        super().__init__(logging.getLogger("bench.twilio"), is_async=False)
        self.fail: list[tuple[int, int]] = []
        self.created: list[dict] = []
        self.taken: list[dict] = []          # calls Twilio has although nobody heard its answer

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        path = urlsplit(uri).path
        if method == "POST" and path.endswith("/Calls.json"):
            if self.fail:
                status, code = self.fail.pop(0)
                return Response(status, json.dumps({"code": code, "message": "refused", "status": status}))
            sid = "CA" + secrets.token_hex(16)
            self.created.append({"sid": sid, "to": data["To"], "from": data["From"]})
            return Response(201, json.dumps({"sid": sid, "status": "queued", "to": data["To"]}))
        if method == "GET" and path.endswith("/Calls.json"):
            calls = [{"sid": c["sid"], "to": c["to"], "from": c["from"], "status": "completed",
                      "direction": "outbound-api"} for c in self.created + self.taken
                     if c["to"] == (params or {}).get("To")]
            return Response(200, json.dumps({"calls": calls, "next_page_uri": None, "page": 0, "page_size": 50}))
        return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))


def build(work: Path):
    from app import create_app
    from database import db
    from database.setup import upgrade_schema
    from routing.models import sync_configuration

    app = create_app({"database_url": f"sqlite:///{work / 'hotline.sqlite3'}", "instance_dir": work / "instance",
                      "env": "testing", "public_url": "https://hotline.example.org",
                      "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": "t" * 32, "log_level": "CRITICAL"})
    upgrade_schema(db.engine(app))
    with db.session_scope(app) as session:
        sync_configuration(session, services(app).config)
    return app


def fresh_start(app) -> None:
    from callbacks.models import Callback, CallbackAttempt, CallbackPause
    from database import db
    with db.session_scope(app) as session:
        for model in (CallbackPause, CallbackAttempt, Callback):
            session.query(model).delete()


def owe(app, count: int, now) -> list[str]:
    from callbacks.services import request_call_back
    from database import db
    numbers = [f"+861381234{n:04d}" for n in range(count)]
    with db.session_scope(app) as session:
        for number in numbers:
            request_call_back(session, services(app).config, purpose="queue", phone_e164=number,
                              line_id="urban", origin_call_id=None, language=None, now=now)
    return numbers


def dispatch(app, twilio, clock):
    from twilio.rest import Client

    from callbacks.dispatcher import dispatch_due, placement_urls
    from database import db
    client = Client(ACCOUNT_SID, "t" * 32, http_client=twilio)
    with app.app_context():
        return dispatch_due(lambda: db.session_scope(app), services(app).config, client,
                            placement_urls(app), clock, concurrency=1)


def error_codes(app, owed: int, clock) -> bool:
    from sqlalchemy import select

    from callbacks.models import Callback
    from callbacks.pauses import active_pause
    from database import db
    print(f"\nA1: calls.create answers the first of {owed} owed callbacks with an error; one dispatcher run")
    print(f"  {'HTTP':>4} {'code':>6}  {'meaning':34} {'placed':>6} {'paused':>6} {'owed':>5} {'unreach.':>8} "
          f"{'attempts used':>13}")
    ok = True
    for status, code, meaning in CODES:
        fresh_start(app)
        owe(app, owed, clock())
        twilio = Twilio()
        twilio.fail = [(status, code)]
        dispatch(app, twilio, clock)
        with db.session_scope(app) as session:
            statuses = Counter(session.scalars(select(Callback.status)))
            used = sum(session.scalars(select(Callback.attempts)))
            paused = active_pause(session) is not None
        owed_now = statuses["pending"] + statuses["calling"]
        print(f"  {status:>4} {code:>6}  {meaning:34} {len(twilio.created):>6} {'yes' if paused else 'no':>6} "
              f"{owed_now:>5} {statuses['unreachable']:>8} {used:>13}")
        if meaning.startswith("account"):
            ok &= paused and statuses["unreachable"] == 0 and owed_now == owed and not twilio.created
        if meaning.startswith("number"):
            ok &= statuses["unreachable"] == 1
    return ok


def cut_off(app, owed: int, clock) -> bool:
    from callbacks.models import Callback, CallbackAttempt
    from database import db
    fresh_start(app)
    numbers = owe(app, owed, clock())
    twilio = Twilio()
    with db.session_scope(app) as session:
        for callback in session.query(Callback).all():
            callback.status, callback.attempts = "calling", 1
            session.add(CallbackAttempt(callback_id=callback.id, number=1, status="placing", placed_at=clock()))
    taken = numbers[: owed // 2]
    twilio.taken = [{"sid": "CA" + secrets.token_hex(16), "to": n, "from": "+8652388012319"} for n in taken]
    clock.moment += timedelta(minutes=6)
    counts = dispatch(app, twilio, clock)
    calls = Counter(c["to"] for c in twilio.created + twilio.taken)
    twice = sum(1 for n in numbers if calls[n] > 1)
    never = sum(1 for n in numbers if calls[n] == 0)
    print(f"\nA4: {owed} claims cut off mid-placement, Twilio had taken {len(taken)} of them; "
          "the dispatcher 6 minutes later")
    print(f"  attempts reconciled {counts.reconciled}; calls placed now {len(twilio.created)}; "
          f"complainants called twice {twice}; never called {never}")
    return twice == 0 and never == 0


class Clock:
    def __init__(self) -> None:
        from datetime import datetime
        from zoneinfo import ZoneInfo
        self.moment = datetime(2026, 10, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    def __call__(self):
        return self.moment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owed", type=int, default=10, help="complainants owed a callback (default 10)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hotline-callback-faults-") as directory:
        app = build(Path(directory))
        clock = Clock()
        services(app).clock = clock
        ok = error_codes(app, args.owed, clock)
        ok &= cut_off(app, args.owed, clock)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
