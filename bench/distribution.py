"""Benchmark: automatic distribution with 200 callers waiting and 30
operators changing state (issue 14).

    .venv/bin/python bench/distribution.py
    .venv/bin/python bench/distribution.py --seconds 60 --backends postgresql

For each database (a throwaway SQLite file, then a throwaway PostgreSQL
database; skipped, saying why, when no server answers on 127.0.0.1:5432),
in process, with the real services and the real twilio client over an
in-memory Twilio (each REST request answered at once):

* ``--waiting`` callers wait in the urban line's operator queue, and new
  ones join as others are answered, so that many always wait;
* ``--operators`` threads play operators: become available (as the console
  does: the state change, then a distribution pass at once), wait to be
  offered a caller, answer (the whisper), talk, hang up (wrap-up), now
  and then take a break, and become available again;
* a scheduler thread runs the distribution pass every ``--every`` seconds,
  as the scheduler's ``operators.distribute`` job does.

It prints, from "available" (the state change committed) to the caller
being offered (Twilio asked to take the caller out of the queue to the
operator's device): median, 95th percentile and slowest, first with the
console's pass on the state change, then with the scheduler's pass alone.
And it checks what must hold: no caller offered to two operators at once,
no operator offered two callers at once.  Exits 1 when either failed.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import secrets
import statistics
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twilio.http import HttpClient  # noqa: E402
from twilio.http.response import Response  # noqa: E402

from bench.servers import ACCOUNT_SID, AUTH_TOKEN, probe_each_database  # noqa: E402

QUEUE = "urban-operators"
QUEUE_SID = "QU" + "c" * 32


class Twilio(HttpClient):
    """Queues.json and Members/<CallSid>.json, answered at once; each
    dequeue is noted with when it arrived."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("bench.twilio"), is_async=False)
        self.lock = threading.Lock()
        self.offered: dict[str, list[tuple[str, float]]] = {}      # operator -> [(call sid, at)]
        self.requests = 0

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False) -> Response:
        path = urlsplit(url).path
        with self.lock:
            self.requests += 1
        if path.endswith("/Queues.json"):
            return Response(200, json.dumps({
                "queues": [{"sid": QUEUE_SID, "friendly_name": QUEUE, "current_size": 200}], "uri": path,
                "first_page_uri": path, "next_page_uri": None, "previous_page_uri": None, "page": 0,
                "page_size": 50, "start": 0, "end": 0}))
        if method == "POST" and "/Members/" in path:
            call_sid = path.rsplit("/", 1)[-1].removesuffix(".json")
            operator = parse_qs(urlsplit(data["Url"]).query)["operator"][0]
            with self.lock:
                self.offered.setdefault(operator, []).append((call_sid, time.perf_counter()))
            return Response(200, json.dumps({"call_sid": call_sid, "queue_sid": QUEUE_SID, "position": 1}))
        return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))


def now() -> datetime:
    return datetime.now(timezone.utc)


def probe(args, on_state_change: bool):
    def run(backend: str, database_url: str, work: Path) -> bool:
        from accounts.services import create_user
        from app import create_app
        from call_log.models import Call
        from call_log.twilio_rest import build_client
        from database import db
        from database.setup import upgrade_schema
        from ivr.kit import public_url
        from operators import seats as rules
        from operators.distribution import distribute
        from operators.presence import report_present
        from operators.seating import answered, bridge_ended, choose
        from routing.models import sync_configuration
        from wiring import services

        logging.disable(logging.INFO)
        app = create_app({"database_url": database_url, "public_url": "https://hotline.bench.invalid",
                          "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN,
                          "instance_dir": work / "instance", "env": "testing"})
        upgrade_schema(db.engine(app))
        config = services(app).config
        twilio = Twilio()
        client = build_client(app.config["SETTINGS"], twilio)
        scope = lambda: db.session_scope(app)  # noqa: E731
        connect = lambda operator: public_url(app, "operator_voice.connect", operator=operator)  # noqa: E731

        with scope() as session:
            sync_configuration(session, config)
        with scope() as session:
            users = [create_user(session, f"op{n:02d}", "operator password 1", "operator",
                                 device=f"client:op{n:02d}", hash_method="pbkdf2:sha256:1000")
                     for n in range(args.operators)]
            session.flush()
            user_ids = {u.username: u.id for u in users}

        def add_callers(count: int) -> None:
            at = now()
            with scope() as session:
                for _ in range(count):
                    session.add(Call(call_sid="CA" + secrets.token_hex(16), line_id="urban", status="in-progress",
                                     from_raw="+8613800000000", language="zh-CN", queue_name=QUEUE,
                                     queued_at=at, last_seen_at=at, started_at=at))

        add_callers(args.waiting)
        stop = threading.Event()
        latencies: list[float] = []
        problems: list[str] = []
        lock = threading.Lock()
        served = [0]

        def one_pass():
            return distribute(scope, client, config, connect, now)

        def operator(username: str, seed: int) -> None:
            rand = random.Random(seed)
            from accounts.models import User
            while not stop.is_set():
                seen = len(twilio.offered.get(username, []))
                with scope() as session:
                    user = session.get(User, user_ids[username])
                    report_present(session, user.id, now())
                    choose(session, user, rules.AVAILABLE, now())
                became = time.perf_counter()
                if on_state_change:
                    one_pass()
                while not stop.is_set() and len(twilio.offered.get(username, [])) == seen:
                    time.sleep(0.005)
                if stop.is_set():
                    return
                call_sid, offered_at = twilio.offered[username][seen]
                with lock:
                    latencies.append(max(0.0, offered_at - became))
                with scope() as session:
                    answered(session, call_sid, now())
                time.sleep(rand.uniform(0.05, 0.3))                    # the conversation
                with scope() as session:
                    bridge_ended(session, config, call_sid, True, now())
                    session.execute(Call.__table__.update().where(Call.call_sid == call_sid)
                                    .values(status="completed", ended_at=now(), queue_ended_at=now()))
                with lock:
                    served[0] += 1
                add_callers(1)                                         # another caller joins the queue
                if rand.random() < 0.2:                                # now and then a break
                    with scope() as session:
                        choose(session, session.get(User, user_ids[username]), rules.BREAK, now())
                    time.sleep(rand.uniform(0.05, 0.2))

        passes: list[float] = []

        def scheduler() -> None:
            while not stop.wait(args.every):
                began = time.perf_counter()
                one_pass()
                passes.append(time.perf_counter() - began)

        def check() -> None:
            """Never two seats for one caller, nor two callers for one seat."""
            from sqlalchemy import func, select

            from operators.models import Seat
            while not stop.wait(0.2):
                with scope() as session:
                    doubled = session.execute(select(Seat.call_sid, func.count()).where(Seat.call_sid.is_not(None))
                                              .group_by(Seat.call_sid).having(func.count() > 1)).all()
                if doubled:
                    problems.append(f"callers held by two seats: {doubled}")

        threads = [threading.Thread(target=operator, args=(name, n), daemon=True)
                   for n, name in enumerate(user_ids)]
        threads += [threading.Thread(target=scheduler, daemon=True), threading.Thread(target=check, daemon=True)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        elapsed = time.perf_counter() - started

        # Each offer went to a caller not offered to anyone else.
        calls = [sid for offers in twilio.offered.values() for sid, _ in offers]
        if len(calls) != len(set(calls)):
            problems.append(f"{len(calls) - len(set(calls))} caller(s) offered twice")
        db.engine(app).dispose()
        mode = "console pass on the state change + scheduler every %.1f s" % args.every if on_state_change \
            else "scheduler pass every %.1f s alone" % args.every
        print(f"\n{backend}: {mode}")
        if latencies:
            ordered = sorted(latencies)
            p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
            print(f"  available -> offered: median {statistics.median(ordered) * 1000:.1f} ms, "
                  f"p95 {p95 * 1000:.1f} ms, slowest {ordered[-1] * 1000:.1f} ms ({len(ordered)} offers)")
        if passes:
            print(f"  a scheduler pass took: median {statistics.median(passes) * 1000:.1f} ms, "
                  f"slowest {max(passes) * 1000:.1f} ms ({len(passes)} passes)")
        print(f"  callers answered {served[0]} in {elapsed:.1f} s ({served[0] / elapsed:.1f}/s); "
              f"{args.operators} operators, {args.waiting} callers kept waiting; REST requests {twilio.requests}")
        for problem in problems:
            print(f"  FAILED: {problem}")
        return not problems
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--operators", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=1.0,
                        help="the scheduler's interval (HOTLINE_SCHEDULER_SEATS_EVERY)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    status = 0
    for on_state_change in (True, False):
        status |= probe_each_database("distribution", args.backends, probe(args, on_state_change))
    return status


if __name__ == "__main__":
    sys.exit(main())
