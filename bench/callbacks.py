"""Benchmark: the scheduler holding 100,000 pending callbacks, firing the due ones.

    .venv/bin/python bench/callbacks.py
    .venv/bin/python bench/callbacks.py --held 100000 --spread 1200 --window 120 --burst 1000 \\
        --api-latency 0.2 --backends sqlite postgresql

For each database (a throwaway SQLite file, then a throwaway PostgreSQL
database; skipped, saying why, when no server answers on 127.0.0.1:5432):

1. the schema is built by the migrations and ``--held`` pending callbacks are
   written: most are due days from now (held, as a backlog is), ``--spread``
   fall due evenly over ``--window`` seconds starting 30 s after the
   scheduler leads, and ``--burst`` fall due at one instant after that, like
   the morning's first minute of the calling hours after a night's backlog;
2. the real scheduler process (``flask --app app scheduler``, default
   intervals unless ``--every``) runs against it, placing calls through the
   real ``twilio`` client to a Twilio stand-in on loopback that answers
   ``calls.create`` after ``--api-latency`` seconds, as Twilio's API takes
   roughly that long;
3. each call's lateness is the moment the stand-in received it less the
   moment it was due; the scheduler's resident memory is sampled from /proc.

Figures and method: docs/benchmarks.md.  Exits 1 when a callback
was placed twice, one that was not due was placed, or a due one never was.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import ACCOUNT_SID, AUTH_TOKEN, REPO, postgres_admin, postgres_database, server_versions, sqlite_url  # noqa: E402
from wiring import services

PUBLIC_URL = "https://hotline.example.org"
LEAD_TIMEOUT = 60


# --- the scheduler process, as `flask --app app scheduler` --------------------------------

def run_scheduler_process() -> None:
    """The scheduler as the lead wires it in app.py: the callbacks blueprint
    (for its URLs) and the command, registered if app.py does not yet."""
    from flask.cli import FlaskGroup

    def make_app():
        from app import create_app
        from callbacks.views import bp
        from scheduler.cli import scheduler_command

        app = create_app()
        if "callbacks" not in app.blueprints:
            app.register_blueprint(bp)
        if "scheduler" not in app.cli.commands:
            app.cli.add_command(scheduler_command)
        return app

    FlaskGroup(create_app=make_app, add_default_commands=False, load_dotenv=False)(["scheduler"])


# --- Twilio's REST API on loopback --------------------------------------------------------

class TwilioStandIn:
    def __init__(self, latency: float) -> None:
        from werkzeug.serving import make_server

        self.latency = latency
        self.arrivals: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wsgi(self, environ, start_response):
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        arrived = time.time()
        if request.method == "POST" and request.path.endswith("/Calls.json"):
            to = parse_qs(request.get_data(as_text=True))["To"][0]
            with self._lock:
                self.arrivals.setdefault(to, []).append(arrived)
            time.sleep(self.latency)
            body = {"sid": "CA" + secrets.token_hex(16), "account_sid": ACCOUNT_SID, "to": to, "status": "queued"}
            return Response(json.dumps(body), status=201, mimetype="application/json")(environ, start_response)
        return Response("{}", status=404, mimetype="application/json")(environ, start_response)

    def placed(self) -> int:
        with self._lock:
            return sum(len(times) for times in self.arrivals.values())

    def close(self) -> None:
        self.server.shutdown()


# --- one backend ----------------------------------------------------------------------------

@dataclass
class Outcome:
    backend: str
    held: int
    insert_seconds: float = 0.0
    lead_seconds: float = 0.0
    lateness: dict[str, list[float]] = field(default_factory=dict)      # phase -> seconds late
    drain_seconds: float = 0.0
    rss_start_mb: float = 0.0
    rss_peak_mb: float = 0.0
    idle_sweep_ms: list[float] = field(default_factory=list)
    log_findings: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def environment(database_url: str, work: Path, twilio_url: str, every: str | None) -> dict[str, str]:
    config = work / "config"
    shutil.copytree(REPO / "config", config, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    # Calls at any hour: the run happens whenever someone runs it.
    (config / "callbacks.yaml").write_text("callbacks:\n  hours: ['00:00-24:00']\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_"))}
    env.update(HOTLINE_ENV="testing", HOTLINE_DATABASE_URL=database_url, HOTLINE_PUBLIC_URL=PUBLIC_URL,
               HOTLINE_INSTANCE_DIR=str(work / "instance"), HOTLINE_CONFIG_DIR=str(config),
               HOTLINE_TWILIO_API_URL=twilio_url, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               HOTLINE_SECRET_KEY="bench", HOTLINE_LOG_LEVEL="INFO", PYTHONUNBUFFERED="1",
               PYTHONDONTWRITEBYTECODE="1")
    if every:
        env["HOTLINE_SCHEDULER_CALLBACKS_EVERY"] = every
    return env


def prepare(database_url: str, env: dict[str, str]):
    """Schema and lines, as `flask --app app init` makes them; returns the app."""
    import logging

    os.environ.update({k: v for k, v in env.items() if k.startswith(("HOTLINE_", "TWILIO_"))})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from app import create_app
    from database import db
    from database.setup import upgrade_schema
    from routing.models import sync_configuration

    app = create_app()
    upgrade_schema(db.engine(app))
    with db.session_scope(app) as session:
        sync_configuration(session, services(app).config)
    return app


def write_callbacks(app, rows: list[tuple[str, datetime]]) -> None:
    from sqlalchemy import insert

    from callbacks.models import Callback
    from database import db

    now = datetime.now(timezone.utc)
    values = [dict(purpose="queue", purpose_key=f"queue:bench:{number}", phone_e164=number, line_id="urban",
                   status="pending", due_at=due, next_attempt_at=due, attempts=0, language="zh-CN",
                   created_at=now, updated_at=now) for number, due in rows]
    with db.session_scope(app) as session:
        for start in range(0, len(values), 5000):
            session.execute(insert(Callback), values[start:start + 5000])


def idle_sweeps(app, runs: int = 5) -> list[float]:
    """The dispatcher's run with nothing due, over the full backlog, in ms."""
    from callbacks.dispatcher import dispatch_due
    from database import db

    class NoCalls:
        calls = None

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        dispatch_due(lambda: db.session_scope(app), services(app).config, NoCalls(), None,
                     lambda: datetime.now(timezone.utc))
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def run_backend(backend: str, database_url: str, args, work: Path) -> Outcome:
    outcome = Outcome(backend, args.held)
    twilio = TwilioStandIn(args.api_latency)
    env = environment(database_url, work, twilio.url, args.every)
    app = prepare(database_url, env)
    far = datetime.now(timezone.utc) + timedelta(days=2)
    held = [(f"+86139{i:08d}", far + timedelta(seconds=5 * i))
            for i in range(args.held - args.spread - args.burst)]
    started = time.perf_counter()
    write_callbacks(app, held)
    outcome.insert_seconds = time.perf_counter() - started
    outcome.idle_sweep_ms = idle_sweeps(app)

    log_path = work / "scheduler.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, __file__, "--run-scheduler"], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        started = time.monotonic()
        while f"scheduler {process.pid} leads" not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() - started > LEAD_TIMEOUT:
                raise RuntimeError(f"the scheduler did not lead; see {log_path}")
            time.sleep(0.05)
        outcome.lead_seconds = time.monotonic() - started
        outcome.rss_start_mb = rss_mb(process.pid)
        # The due callbacks are written once the scheduler leads, due from 30 s on.
        t0 = datetime.now(timezone.utc) + timedelta(seconds=30)
        spread = [(f"+86138{i:08d}", t0 + timedelta(seconds=args.window * i / max(1, args.spread - 1)))
                  for i in range(args.spread)]
        burst_at = t0 + timedelta(seconds=args.window + 30)
        burst = [(f"+86137{i:08d}", burst_at) for i in range(args.burst)]
        write_callbacks(app, spread + burst)
        due = dict(spread + burst)
        expected = len(due)
        deadline = time.monotonic() + 30 + args.window + 30 + args.timeout
        while twilio.placed() < expected and time.monotonic() < deadline and process.poll() is None:
            outcome.rss_peak_mb = max(outcome.rss_peak_mb, rss_mb(process.pid))
            time.sleep(0.5)
        time.sleep(max(2.0, 2 * float((args.every or "5s").rstrip("s"))))   # any duplicate would show now
        outcome.rss_peak_mb = max(outcome.rss_peak_mb, rss_mb(process.pid, "VmHWM"))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        twilio.close()

    text = log_path.read_text(errors="replace")
    outcome.log_findings = {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "ERROR lines": text.count(" ERROR "),
        "WARNING lines": text.count(" WARNING "),
        "runs skipped (still running)": text.count("maximum number of running instances reached"),
        "'database is locked'": text.count("database is locked"),
    }
    arrivals = twilio.arrivals
    twice = [n for n, times in arrivals.items() if len(times) > 1]
    early = [n for n in arrivals if n not in due]
    missing = [n for n in due if n not in arrivals]
    if twice:
        outcome.problems.append(f"{len(twice)} callbacks placed more than once")
    if early:
        outcome.problems.append(f"{len(early)} held callbacks placed before they were due")
    if missing:
        outcome.problems.append(f"{len(missing)} due callbacks never placed")
    for phase, numbers in (("spread", [n for n, _ in spread]), ("burst", [n for n, _ in burst])):
        outcome.lateness[phase] = sorted(arrivals[n][0] - due[n].timestamp() for n in numbers if n in arrivals)
    burst_times = [arrivals[n][0] for n, _ in burst if n in arrivals]
    if burst_times:
        outcome.drain_seconds = max(burst_times) - burst_at.timestamp()
    app.extensions["database"].engine.dispose()
    return outcome


# --- reporting ------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[index]


def report(outcomes: list[Outcome], args, skipped: list[str]) -> None:
    print(f"callback scheduler benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}; "
          + ", ".join(f"{k} {v}" for k, v in server_versions(postgres_admin()[0]).items()))
    print(f"held {args.held:,} pending; spread {args.spread} over {args.window} s; burst {args.burst} at once; "
          f"Twilio API latency {args.api_latency * 1000:.0f} ms; dispatcher every {args.every or '5s (default)'}, "
          "4 calls.create at once (default)")
    for reason in skipped:
        print(f"skipped: {reason}")
    for o in outcomes:
        print(f"\n[{o.backend}]  {o.held:,} callbacks written in {o.insert_seconds:.1f} s; "
              f"idle dispatcher run over them {statistics.median(o.idle_sweep_ms):.1f} ms (median of "
              f"{len(o.idle_sweep_ms)}); scheduler led {o.lead_seconds:.1f} s after start")
        for phase, late in o.lateness.items():
            if late:
                print(f"  {phase:6} {len(late):5} placed; late by p50 {percentile(late, 50):.2f} s, "
                      f"p90 {percentile(late, 90):.2f} s, p99 {percentile(late, 99):.2f} s, max {late[-1]:.2f} s")
        if o.drain_seconds:
            print(f"  burst drained in {o.drain_seconds:.1f} s ({args.burst / o.drain_seconds:.1f} calls/s)")
        print(f"  scheduler RSS {o.rss_start_mb:.0f} MB on taking the lead, peak {o.rss_peak_mb:.0f} MB")
        print("  scheduler log: " + ", ".join(f"{name} {count}" for name, count in o.log_findings.items()))
        for problem in o.problems:
            print(f"  PROBLEM: {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held", type=int, default=100_000, help="pending callbacks in the database in all")
    parser.add_argument("--spread", type=int, default=1200, help="of those, due evenly over --window")
    parser.add_argument("--window", type=float, default=120.0, help="seconds the spread callbacks fall due over")
    parser.add_argument("--burst", type=int, default=1000, help="of those, due at one instant after the window")
    parser.add_argument("--api-latency", type=float, default=0.2, help="seconds Twilio takes to answer calls.create")
    parser.add_argument("--every", default=None, help="HOTLINE_SCHEDULER_CALLBACKS_EVERY, e.g. 1s (default 5s)")
    parser.add_argument("--timeout", type=float, default=300.0, help="extra seconds to wait for the last calls")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--run-scheduler", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_scheduler:
        run_scheduler_process()
        return 0
    outcomes, skipped = [], []
    for backend in args.backends:
        with tempfile.TemporaryDirectory(prefix=f"bench-callbacks-{backend}-") as tmp:
            work = Path(tmp)
            if backend == "sqlite":
                outcomes.append(run_backend(backend, sqlite_url(work), args, work))
                continue
            user, why = postgres_admin()
            if user is None:
                skipped.append(f"postgresql: no server on 127.0.0.1:5432 let us in ({why})")
                continue
            with postgres_database(user) as url:
                outcomes.append(run_backend(backend, url, args, work))
    report(outcomes, args, skipped)
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
