"""How long /track/ takes to say "nothing matches" for wrong digits, for an
unknown case number, and to show a case for the right digits: the first two
must not tell a guesser whether the case exists.

In-process (Flask's test client), on a fresh SQLite file, throttling
loosened so every request is answered.  Prints mean and median per kind, and
the ratio of wrong digits to an unknown number.

    .venv/bin/python bench/tracking.py --requests 300
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import ACCOUNT_SID, AUTH_TOKEN, sqlite_url  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind")
    args = parser.parse_args()

    from app import create_app, model_metadata
    from cases.services import NewCase, open_case
    from config.settings import TrackingSettings
    from database import db
    from routing.models import sync_configuration
    from wiring import services

    with tempfile.TemporaryDirectory() as directory:
        app = create_app({
            "database_url": sqlite_url(Path(directory)), "public_url": "https://hotline.example.org",
            "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN,
            "instance_dir": Path(directory) / "instance", "env": "testing", "understanding": None,
            "tracking": TrackingSettings(max_failures_per_address=10**9, max_failures_per_case=10**9,
                                         window=timedelta(minutes=1)),
        })
        model_metadata().create_all(db.engine(app))
        now = datetime.now(UTC)
        with db.session_scope(app) as session:
            sync_configuration(session, services(app).config)
            number = open_case(session, services(app).config, NewCase(
                line_id="urban", channel="hotline", description="下水道堵了", location="海陵北路",
                category_code="E0404", caller_e164="+8613812345678", callback_number="+8613812345678"), now).number
        client = app.test_client()
        kinds = {"right digits": (number, "5678"), "wrong digits": (number, "1234"),
                 "unknown number": ("2699999999", "5678")}
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for round_ in range(args.requests + 20):            # the first 20 of each warm up
            for kind, (case, last4) in kinds.items():
                started = time.perf_counter()
                response = client.get(f"/track/?number={case}&last4={last4}",
                                      environ_base={"REMOTE_ADDR": f"10.{round_ % 250}.0.1"})
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.status_code
                if round_ >= 20:
                    times[kind].append(elapsed * 1000)
        db.engine(app).dispose()
    print(f"/track/ in-process on SQLite, {args.requests} requests of each kind (ms)")
    print(f"{'kind':16} {'mean':>7} {'median':>7} {'p90':>7}")
    for kind, values in times.items():
        ordered = sorted(values)
        print(f"{kind:16} {statistics.mean(values):7.2f} {statistics.median(values):7.2f} "
              f"{ordered[int(len(ordered) * 0.9)]:7.2f}")
    wrong, unknown = statistics.median(times["wrong digits"]), statistics.median(times["unknown number"])
    print(f"median wrong digits / unknown number: {wrong / unknown:.2f}")


if __name__ == "__main__":
    main()
