"""Probe: webhooks while the database is held by someone else (issue 10, B1).

    .venv/bin/python bench/outage.py
    .venv/bin/python bench/outage.py --backends sqlite --requests 20 --lock-timeout 30s   (the old wait)
    .venv/bin/python bench/outage.py --code /tmp/main       (another checkout, e.g. `git archive main`)

For each database (a throwaway SQLite file, then a throwaway PostgreSQL
database; skipped, saying why, when no server answers on 127.0.0.1:5432):

1. ``flask init``, then gunicorn (gthread, 2 workers x 4 threads) on a free
   loopback port, with ``HOTLINE_DB_LOCK_TIMEOUT`` as given;
2. another process takes the database: SQLite's write lock (``BEGIN
   IMMEDIATE``), or on PostgreSQL an exclusive lock on the call log's tables;
3. ``--requests`` signed webhooks of each kind are sent, 8 at a time: a new
   call (``/voice/incoming``), the recording left after the apology
   (``/voice/fallback/recorded``) and a status callback (``/voice/status``);
   each answer is timed and classified;
4. the lock is released and ``flask spool replay`` is run: what was spooled
   must all come back.

Prints, per database and kind: answers by class, median and slowest time.
Twilio gives up on a webhook after 15 s; exits 1 if any answer took that
long, was a 5xx, or a spooled webhook was not replayed.
"""
from __future__ import annotations

import argparse
import contextlib
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
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

URBAN = "+8652388012319"
TWILIO_PATIENCE = 15.0
WORKERS = WorkerConfig(worker_class="gthread", workers=2, threads=4)


def classify(response: requests.Response | None) -> str:
    if response is None:
        return "no answer"
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if response.status_code == 204:
        return "204 (spooled)"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError:
        return "200, not TwiML"
    verbs = [child.tag for child in root]
    if "Record" in verbs:
        return "apology + <Record>"
    if "Hangup" in verbs:
        return "goodbye (kept)"
    return "200 " + "+".join(verbs)


def params(call_sid: str, **extra) -> dict[str, str]:
    return {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": "+8613812345678", "To": URBAN,
            "Caller": "+8613812345678", "Called": URBAN, "CallStatus": "in-progress", "Direction": "inbound",
            "ApiVersion": "2010-04-01", **extra}


def post(base: str, path: str, form: dict[str, str]) -> tuple[float, requests.Response | None]:
    url = base + path
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    started = time.monotonic()
    try:
        response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)
    except requests.RequestException:
        response = None
    return time.monotonic() - started, response


def webhooks(count: int) -> list[tuple[str, str, dict[str, str]]]:
    sent = []
    for _ in range(count):
        sid = "CA" + secrets.token_hex(16)
        sent.append(("incoming", "/voice/incoming", params(sid, CallStatus="ringing")))
        sent.append(("fallback_recorded", "/voice/fallback/recorded", params(
            sid, RecordingSid="RE" + secrets.token_hex(16), RecordingDuration="12",
            RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/x")))
        sent.append(("status", "/voice/status", params(sid, CallStatus="completed", SequenceNumber="3",
                                                        CallDuration="40")))
    return sent


@contextlib.contextmanager
def held(database_url: str):
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        import psycopg
        holder = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"))
        holder.execute("LOCK TABLE call, call_status_event, recording, ivr_step IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def probe(backend: str, database_url: str, args: argparse.Namespace, work: Path) -> bool:
    port = free_port()
    env = app_environment(port, work / "instance", database_url)
    env["HOTLINE_DB_LOCK_TIMEOUT"] = args.lock_timeout
    log = work / "server.log"
    flask_init(env, log, args.code)
    server = Gunicorn("app:create_app()", port, env, WORKERS, log, extra_args=["--timeout", "120"], code=args.code)
    server.start()
    try:
        with held(database_url), ThreadPoolExecutor(max_workers=8) as pool:
            sent = webhooks(args.requests)
            results = list(pool.map(lambda w: (w[0], *post(server.base_url, w[1], w[2])), sent))
    finally:
        server.stop()
    replay = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "spool", "replay"], cwd=args.code, env=env,
                            capture_output=True, text=True, timeout=300)
    spooled = sum(1 for kind, _, response in results
                  if classify(response) == "204 (spooled)" or (kind == "fallback_recorded"
                                                               and classify(response) == "goodbye (kept)"))
    replayed = int(replay.stdout.split("replayed ", 1)[1].split()[0]) if "replayed " in replay.stdout else 0

    print(f"\n{backend} ({args.code}): database held by another process; HOTLINE_DB_LOCK_TIMEOUT={args.lock_timeout}; "
          f"{args.requests} webhooks of each kind, 8 at a time")
    print(f"  {'webhook':20} {'answers':42} {'median':>8} {'slowest':>8}")
    ok = True
    for kind in ("incoming", "fallback_recorded", "status"):
        mine = [(seconds, response) for k, seconds, response in results if k == kind]
        classes: dict[str, int] = {}
        for _, response in mine:
            classes[classify(response)] = classes.get(classify(response), 0) + 1
        times = [seconds for seconds, _ in mine]
        answers = ", ".join(f"{n} {c}" for c, n in sorted(classes.items()))
        print(f"  {kind:20} {answers:42} {statistics.median(times):7.2f}s {max(times):7.2f}s")
        ok &= max(times) < TWILIO_PATIENCE and not any(c.startswith(("HTTP 5", "no answer")) for c in classes)
    print(f"  answered within Twilio's {TWILIO_PATIENCE:.0f} s: "
          f"{sum(1 for _, s, _ in results if s < TWILIO_PATIENCE)} of {len(results)}")
    print(f"  spool replay after the lock was released: {replay.stdout.strip() or replay.stderr.strip()} "
          f"({spooled} spooled)")
    ok &= replayed == spooled and replay.returncode == 0
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="webhooks of each kind (default 20)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both (default)")
    parser.add_argument("--lock-timeout", default="3s", help="HOTLINE_DB_LOCK_TIMEOUT for the server (default 3s)")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout to serve (default: this one)")
    args = parser.parse_args(argv)
    return probe_each_database("outage", args.backends,
                               lambda backend, url, work: probe(backend, url, args, work))


if __name__ == "__main__":
    sys.exit(main())
