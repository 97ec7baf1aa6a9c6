"""Probe: the live board with stale calls and huge speech (issue 10, B5).

    .venv/bin/python bench/board.py
    .venv/bin/python bench/board.py --stale 300 --backends sqlite --code /tmp/main   (another checkout)

For each database (a throwaway SQLite file, then a throwaway PostgreSQL
database; skipped, saying why, when no server answers on 127.0.0.1:5432),
with gunicorn (gthread, 2 workers x 4 threads) on a free loopback port:

1. ``--stale`` calls come in through signed webhooks, each caller saying
   100 kB of words twice; then they are aged by 30 minutes in the database,
   as calls whose final status callback was lost; ``--live`` ordinary calls
   come in after them;
2. an operator signs in and polls ``/console/board.json``: bytes and time
   of a poll, and the calls it shows;
3. ``--calls`` new calls are answered (``/voice/incoming``, 4 at a time),
   once alone and once while 4 operators poll the board back to back:
   the time to answer a caller, median, 95th percentile and slowest.

Exits 1 when the board shows a stale call or a poll is over 1 MB.
"""
from __future__ import annotations

import argparse
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, inspect, text
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
WORKERS = WorkerConfig(worker_class="gthread", workers=2, threads=4)
PASSWORD = "bench operator password"
HUGE = "西仓路银春旅馆门前有两个上水井盖丢失" * 1_852            # 100 kB of UTF-8 (18 characters of 3 bytes)


def signed(base: str, path: str, form: dict[str, str]) -> requests.Response:
    url = base + path
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)


def call_params(sid: str, caller: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": caller, "To": URBAN, "Caller": caller,
            "Called": URBAN, "CallStatus": "in-progress", "Direction": "inbound", "ApiVersion": "2010-04-01"}


def place_call(base: str, words: list[str]) -> float:
    """A call answered, then each of ``words`` said; returns the seconds /voice/incoming took."""
    sid, caller = "CA" + secrets.token_hex(16), f"+86139{secrets.randbelow(10**8):08d}"
    started = time.monotonic()
    response = signed(base, "/voice/incoming", {**call_params(sid, caller), "CallStatus": "ringing"})
    took = time.monotonic() - started
    for said in words:
        gather = ET.fromstring(response.content).find("Gather")
        if gather is None:
            break
        response = signed(base, gather.get("action").removeprefix(base), {**call_params(sid, caller),
                                                                           "SpeechResult": said, "Confidence": "0.9"})
    return took


def age_calls(database_url: str, minutes: int) -> int:
    engine = create_engine(database_url)
    columns = {c["name"] for c in inspect(engine).get_columns("call")}
    moved = ["started_at", "answered_at"] + (["last_seen_at"] if "last_seen_at" in columns else [])
    if database_url.startswith("sqlite"):
        sets = ", ".join(f"{c} = strftime('%Y-%m-%d %H:%M:%f', {c}, '-{minutes} minutes')" for c in moved)
    else:
        sets = ", ".join(f"{c} = {c} - interval '{minutes} minutes'" for c in moved)
    with engine.begin() as connection:
        count = connection.execute(text(f"UPDATE call SET {sets}")).rowcount
    engine.dispose()
    return count


def operator_session(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/console/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(base + "/console/login", data={"username": "bench-op", "password": PASSWORD, "csrf_token": token},
                 timeout=30)
    return session


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def answer_times(base: str, calls: int) -> list[float]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda _: place_call(base, []), range(calls)))


def probe(backend: str, database_url: str, args: argparse.Namespace, work: Path) -> bool:
    port = free_port()
    env = app_environment(port, work / "instance", database_url)
    log = work / "server.log"
    flask_init(env, log, args.code)
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "user", "create", "bench-op", "--role", "operator",
                    "--device", "client:bench-op", "--password", PASSWORD], cwd=args.code, env=env, check=True,
                   capture_output=True, timeout=120)
    server = Gunicorn("app:create_app()", port, env, WORKERS, log, code=args.code)
    server.start()
    try:
        base = server.base_url
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda _: place_call(base, [HUGE, HUGE]), range(args.stale)))
        aged = age_calls(database_url, 30)
        for _ in range(args.live):
            place_call(base, ["路灯不亮"])
        operator = operator_session(base)
        sizes, times, shown = [], [], 0
        for _ in range(10):
            started = time.monotonic()
            response = operator.get(base + "/console/board.json", timeout=120)
            times.append(time.monotonic() - started)
            sizes.append(len(response.content))
            shown = len(response.json()["calls"])

        alone = answer_times(base, args.calls)
        stop = threading.Event()
        polls: list[float] = []

        sessions = [operator_session(base) for _ in range(4)]       # signed in before the clock starts

        def poll(session: requests.Session) -> None:
            while not stop.is_set():
                started = time.monotonic()
                session.get(base + "/console/board.json", timeout=120)
                polls.append(time.monotonic() - started)

        pollers = [threading.Thread(target=poll, args=(session,)) for session in sessions]
        for thread in pollers:
            thread.start()
        busy = answer_times(base, args.calls)
        stop.set()
        for thread in pollers:
            thread.join()
    finally:
        server.stop()

    print(f"\n{backend} ({args.code}): {args.stale} stale calls (100 kB said twice, aged 30 min; {aged} rows), "
          f"{args.live} live calls")
    print(f"  board poll: {statistics.median(sizes) / 1024:,.1f} kB, median {statistics.median(times) * 1000:,.0f} ms, "
          f"slowest {max(times) * 1000:,.0f} ms; calls shown {shown} (live {args.live})")
    for label, values in (("alone", alone), ("4 operators polling", busy)):
        print(f"  /voice/incoming, {label:20} median {statistics.median(values) * 1000:6,.0f} ms   "
              f"p95 {percentile(values, 0.95) * 1000:6,.0f} ms   slowest {max(values) * 1000:6,.0f} ms")
    if polls:
        print(f"  polls meanwhile: {len(polls)}, median {statistics.median(polls) * 1000:,.0f} ms")
    return shown <= args.live and max(sizes) < 1_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stale", type=int, default=300, help="calls whose final status never came (default 300)")
    parser.add_argument("--live", type=int, default=10, help="live calls (default 10)")
    parser.add_argument("--calls", type=int, default=60, help="new calls timed in each phase (default 60)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both (default)")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout to serve (default: this one)")
    args = parser.parse_args(argv)
    return probe_each_database("board", args.backends,
                               lambda backend, url, work: probe(backend, url, args, work))


if __name__ == "__main__":
    sys.exit(main())
