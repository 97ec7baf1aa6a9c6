"""Probe: replaying a spool with bad lines in it (issue 10, B2).

    .venv/bin/python bench/spool_replay.py [--good 200 --bad 20]

In-process, on a throwaway SQLite database: ``--good`` status callbacks and
fallback recordings are spooled as the service spools them, with ``--bad``
lines mixed in (not JSON, a NUL byte, an over-long CallSid, a recording with
no RecordingSid, a JSON list); then ``flask --app app spool replay`` runs.

Prints what was replayed and quarantined, the files' modes, and what is left.
Exits 1 unless every good line was replayed and every bad one quarantined.
"""
from __future__ import annotations

import argparse
import json
import random
import secrets
import stat
import sys
import tempfile
from pathlib import Path

from wiring import services

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACCOUNT_SID = "AC" + "f" * 32
URBAN = "+8652388012319"


def form(**extra) -> dict[str, str]:
    sid = "CA" + secrets.token_hex(16)
    return {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": "+8613812345678", "To": URBAN,
            "CallStatus": "completed", "Direction": "inbound", "SequenceNumber": "3", **extra}


BAD = [
    lambda: "{not json",
    lambda: json.dumps({"form": form(CallSid="CA\x00" + "0" * 31), "args": {}}),
    lambda: json.dumps({"form": form(CallSid="CA" + "0" * 100), "args": {}}),
    lambda: json.dumps(["a", "list"]),
    lambda: json.dumps({"form": {"CallSid": 42}, "args": {}}),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--good", type=int, default=200, help="good lines (default 200)")
    parser.add_argument("--bad", type=int, default=20, help="bad lines mixed in (default 20)")
    args = parser.parse_args(argv)
    random.seed(10)
    with tempfile.TemporaryDirectory(prefix="hotline-spool-") as directory:
        from app import create_app
        from database import db
        from database.setup import upgrade_schema
        from ivr.spool import spool
        from routing.models import sync_configuration

        work = Path(directory)
        app = create_app({"database_url": f"sqlite:///{work / 'hotline.sqlite3'}", "instance_dir": work,
                          "env": "testing", "log_level": "CRITICAL"})
        upgrade_schema(db.engine(app))
        with db.session_scope(app) as session:
            sync_configuration(session, services(app).config)
        for n in range(args.good):
            if n % 2:
                spool(work, "status", form())
            else:
                rid = "RE" + secrets.token_hex(16)
                spool(work, "fallback_recorded", form(RecordingSid=rid, RecordingDuration="9",
                                                      RecordingUrl=f"https://api.twilio.com/r/{rid}"))
        status = work / "spool" / "status.jsonl"
        lines = status.read_text().splitlines()
        for n in range(args.bad):
            lines.insert(random.randrange(len(lines) + 1), BAD[n % len(BAD)]())
        status.write_text("\n".join(lines) + "\n")
        modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in (work / "spool").iterdir()}

        result = app.test_cli_runner().invoke(args=["spool", "replay"])
        summary = result.output.strip().splitlines()[-1]
        quarantined = (work / "spool" / "quarantine" / "status.jsonl")
        kept = len(quarantined.read_text().splitlines()) if quarantined.exists() else 0
        left = sorted(p.name for p in (work / "spool").iterdir() if p.is_file())
        print(f"spooled {args.good} good webhooks and {args.bad} bad lines; file modes {modes}, "
              f"directory {oct(stat.S_IMODE((work / 'spool').stat().st_mode))}")
        print(f"spool replay: {summary}; exit {result.exit_code}")
        print(f"  quarantined lines kept in spool/quarantine/status.jsonl: {kept} "
              f"(mode {oct(stat.S_IMODE(quarantined.stat().st_mode)) if quarantined.exists() else '-'}); "
              f"named on the terminal: {result.output.count('quarantined status.jsonl line')}")
        print(f"  spool files left: {left or 'none'}")
        ok = f"replayed {args.good} webhook(s), quarantined {args.bad}" in summary and kept == args.bad
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
