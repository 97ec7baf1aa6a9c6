"""Benchmark: the call-centre figures over a busy month, and the wallboard's poll.

    .venv/bin/python bench/callcentre.py
    .venv/bin/python bench/callcentre.py --calls 120000 --backends postgresql

For each database (a throwaway SQLite file, then a throwaway PostgreSQL database; skipped, saying
why, when no server answers on 127.0.0.1:5432), the schema built by the migrations, then a month
(October 2026) of ``--calls`` calls that joined an operator queue, spread over the days and the
centre's hours, with as many calls that never asked for a person: 80% answered (each with three
seat changes: ringing, on the call, wrap-up), 15% abandoned (half of them owed a missed callback,
reached or not), 5% left for a callback. It prints the time to compute the month's four
call-centre reports (``reports.callcentre_sql.call_reports``, as the report page, the exports and
``flask report`` do) and the wallboard's figures for one day (``reports.wallboard.wallboard``, as
each poll does): median and slowest of ``--repeat`` runs.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import probe_each_database  # noqa: E402

TZ = "Asia/Shanghai"


def fill(engine, calls: int, rng: random.Random) -> None:
    from sqlalchemy import insert

    from accounts.models import User
    from call_log.models import Call
    from callbacks.models import Callback, CallbackAttempt
    from operators.models import SeatChange

    zone = ZoneInfo(TZ)
    with engine.begin() as connection:
        users = [{"username": f"op{n}", "display_name": f"op{n}", "password_hash": "x", "role": "operator",
                  "active": True, "created_at": datetime(2026, 9, 1, tzinfo=timezone.utc)} for n in range(1, 31)]
        connection.execute(insert(User), users)
        user_ids = list(connection.execute(User.__table__.select().with_only_columns(User.id)).scalars())
    call_rows, seat_rows, callback_rows, attempt_rows = [], [], [], []
    for number in range(calls * 2):
        day = rng.randrange(31)
        start = datetime(2026, 10, 1 + day, 8, 0, tzinfo=zone) + timedelta(seconds=rng.randrange(12 * 3600))
        phone = f"+86138{rng.randrange(10**8):08d}"
        row = {"id": number + 1, "call_sid": f"CA{number:032d}", "line_id": rng.choice(("urban", "conduct")),
               "direction": "inbound", "caller_e164": phone, "status": "completed", "started_at": start,
               "answered_at": start, "last_seen_at": start, "ivr_step": 3, "via_fallback": False,
               "ended_at": start + timedelta(minutes=1), "queued_at": None, "queue_ended_at": None,
               "queue_result": None, "operator": None, "operator_joined_at": None, "queue_name": None}
        call_rows.append(row)
        if number % 2:
            continue                                   # never asked for a person
        queued = start + timedelta(seconds=40)
        row.update(queued_at=queued, queue_name=f"{row['line_id']}-operators")
        fate = rng.random()
        if fate < 0.8:
            joined = queued + timedelta(seconds=rng.choice((5, 10, 14, 20, 45, 90)))
            user = rng.choice(user_ids)
            ended = joined + timedelta(seconds=rng.randrange(60, 600))
            row.update(operator=f"op{user}", operator_joined_at=joined, queue_ended_at=joined, queue_result="answered",
                       ended_at=ended + timedelta(seconds=10))
            for at, previous, state in ((queued, "available", "ringing"), (joined, "ringing", "on_call"),
                                        (ended, "on_call", "wrap_up")):
                seat_rows.append({"user_id": user, "at": at, "previous": previous, "state": state,
                                  "call_sid": row["call_sid"], "by": "service"})
        elif fate < 0.95:
            gave_up = queued + timedelta(seconds=rng.randrange(10, 300))
            row.update(queue_result="hangup", queue_ended_at=gave_up, ended_at=gave_up)
            if rng.random() < 0.5:
                callback_id = len(callback_rows) + 1
                callback_rows.append({"id": callback_id, "purpose": "missed", "purpose_key": f"missed:call{number}",
                                      "phone_e164": phone, "line_id": row["line_id"], "status": "completed",
                                      "due_at": gave_up, "next_attempt_at": gave_up, "attempts": 1,
                                      "created_at": gave_up, "updated_at": gave_up})
                attempt_rows.append({"callback_id": callback_id, "number": 1, "status": "ended",
                                     "placed_at": gave_up + timedelta(hours=rng.choice((1, 3, 30))),
                                     "result": rng.choice(("answered", "no-answer"))})
        else:
            row.update(queue_result="leave", queue_ended_at=queued + timedelta(seconds=60))
    with engine.begin() as connection:
        for table, rows in ((Call, call_rows), (SeatChange, seat_rows), (Callback, callback_rows),
                            (CallbackAttempt, attempt_rows)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start:start + 5000])


def probe(calls: int, repeat: int):
    def run(backend: str, url: str, work: Path) -> bool:
        from app import create_app
        from database import db
        from database.setup import upgrade_schema
        from reports.callcentre import CallMeasure
        from reports.callcentre_sql import call_reports
        from reports.wallboard import wallboard
        from routing.periods import month

        app = create_app({"database_url": url, "instance_dir": work / "instance"})
        engine = db.engine(app)
        upgrade_schema(engine)
        from routing.models import sync_configuration
        from wiring import services
        with db.session_scope(app) as session:
            sync_configuration(session, services(app).config)
        began = time.perf_counter()
        fill(engine, calls, random.Random(2026))
        if backend == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        print(f"\n{backend}: {calls} offered calls (and {calls} never queued) in October 2026, "
              f"filled in {time.perf_counter() - began:.1f} s")
        october = month("2026-10", TZ)
        monthly, polls = [], []
        offered = 0
        for _ in range(repeat):
            with db.session_scope(app) as session:
                started = time.perf_counter()
                reports = call_reports(session, october, TZ)
                monthly.append(time.perf_counter() - started)
                offered = reports["line"].all.count(CallMeasure.OFFERED)
            with db.session_scope(app) as session:
                started = time.perf_counter()
                wallboard(session, TZ, datetime(2026, 10, 15, 12, 0, tzinfo=ZoneInfo(TZ)))
                polls.append(time.perf_counter() - started)
        print(f"  month, four reports (line, operator, day, hour): median {statistics.median(monthly):.2f} s, "
              f"slowest {max(monthly):.2f} s ({offered} offered counted)")
        print(f"  wallboard, one day's poll: median {statistics.median(polls) * 1000:.0f} ms, "
              f"slowest {max(polls) * 1000:.0f} ms")
        engine.dispose()
        return offered == calls
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=60_000, help="offered calls in the month (default 60000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    arguments = parser.parse_args()
    return probe_each_database("callcentre", arguments.backends, probe(arguments.calls, arguments.repeat))


if __name__ == "__main__":
    sys.exit(main())
