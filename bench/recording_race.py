"""Probe: concurrent recording callbacks for one RecordingSid (issue 10, B3).

    .venv/bin/python bench/recording_race.py
    .venv/bin/python bench/recording_race.py --code /tmp/main      (another checkout, to compare)

For each database (a throwaway SQLite file, then a throwaway PostgreSQL
database; skipped, saying why, when no server answers on 127.0.0.1:5432),
with gunicorn (gthread, 2 workers x 4 threads) on a free loopback port:
``--recordings`` recordings are each reported ``--copies`` times at once
(signed ``/voice/recording`` callbacks released together), as Twilio may
post a recording's action and its status callback in the same instant.

Prints the answers by status, the rows stored, and the server's log lines
about unique violations.  Exits 1 on any 5xx or a missing or doubled row.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import threading
from collections import Counter
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import (  # noqa: E402
    ACCOUNT_SID,
    AUTH_TOKEN,
    REPO,
    Gunicorn,
    WorkerConfig,
    app_environment,
    flask_init,
    free_port,
    probe_each_database,
)

WORKERS = WorkerConfig(worker_class="gthread", workers=2, threads=4)


COUNTING = threading.Lock()


def send(url: str, form: dict, signature: str, start: threading.Barrier, answers: Counter) -> None:
    start.wait()                     # all copies of one callback leave together
    try:
        status = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60).status_code
    except requests.RequestException:
        status = "no answer"
    with COUNTING:
        answers[status] += 1


def probe(backend: str, database_url: str, args: argparse.Namespace, work: Path) -> bool:
    port = free_port()
    env = app_environment(port, work / "instance", database_url)
    log = work / "server.log"
    flask_init(env, log, args.code)
    server = Gunicorn("app:create_app()", port, env, WORKERS, log, code=args.code)
    server.start()
    answers: Counter = Counter()
    try:
        url = server.base_url + "/voice/recording"
        for _ in range(args.recordings):
            sid = "RE" + secrets.token_hex(16)
            form = {"AccountSid": ACCOUNT_SID, "CallSid": "CA" + secrets.token_hex(16), "RecordingSid": sid,
                    "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}",
                    "RecordingStatus": "completed", "RecordingDuration": "14", "RecordingChannels": "1",
                    "RecordingSource": "RecordVerb"}
            signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
            start = threading.Barrier(args.copies)
            threads = [threading.Thread(target=send, args=(url, form, signature, start, answers))
                       for _ in range(args.copies)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        server.stop()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*), count(DISTINCT recording_sid) FROM recording")).one()
    engine.dispose()
    findings = server.log_findings()
    unique = log.read_text(errors="replace").count("UniqueViolation") + \
        log.read_text(errors="replace").count("UNIQUE constraint failed")
    print(f"\n{backend} ({args.code}): {args.recordings} recordings, each reported {args.copies} times at once")
    print("  answers: " + ", ".join(f"{n} x {status}" for status, n in sorted(answers.items(), key=str)))
    print(f"  rows stored: {rows[0]} ({rows[1]} distinct RecordingSids); unique violations in the log: {unique}; "
          f"tracebacks: {findings['tracebacks']}")
    fives = sum(n for status, n in answers.items() if isinstance(status, int) and status >= 500)
    return fives == 0 and rows[0] == rows[1] == args.recordings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recordings", type=int, default=100, help="recordings (default 100)")
    parser.add_argument("--copies", type=int, default=4, help="simultaneous callbacks per recording (default 4)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both (default)")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout to serve (default: this one)")
    args = parser.parse_args(argv)
    return probe_each_database("recording", args.backends,
                               lambda backend, url, work: probe(backend, url, args, work))


if __name__ == "__main__":
    sys.exit(main())
