"""``flask --app app spool replay``: feed back webhooks kept on disk while
the database was unavailable, so nothing a caller said is lost."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from call_log.services import CallParams, RecordingParams, StatusUpdate, record_status, save_recording
from database import db
from ivr.services import fallback_recorded

spool_cli = AppGroup("spool", help="Webhooks kept on disk while the database was down.")


@spool_cli.command("replay")
def replay() -> None:
    """Replay instance/spool/*.jsonl into the database, then empty the files."""
    app = current_app._get_current_object()
    directory = app.config["SETTINGS"].instance_dir / "spool"
    hotline, now = app.extensions["hotline"], app.extensions["clock"]
    replayed = 0
    for path in sorted(directory.glob("*.jsonl")) if directory.exists() else []:
        kind = path.stem
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        with db.session_scope(app) as session:
            for form in lines:
                _replay_one(session, hotline, kind, form, now())
                replayed += 1
        path.unlink()
    click.echo(f"replayed {replayed} webhook(s)")


def _replay_one(session, hotline, kind: str, form: dict, now) -> None:
    recording = None
    if form.get("RecordingSid"):
        duration = form.get("RecordingDuration")
        recording = RecordingParams(form["RecordingSid"], form.get("CallSid"), form.get("RecordingUrl"),
                                    int(duration) if duration else None, form.get("RecordingStatus"))
    if kind == "fallback_recorded":
        params = CallParams(form.get("CallSid", ""), form.get("From"), form.get("To"),
                            form.get("CallStatus"), form.get("Direction"))
        fallback_recorded(session, hotline, params, recording, now)
    elif kind == "recording" and recording is not None:
        save_recording(session, recording)
    elif kind == "status":
        sequence = form.get("SequenceNumber")
        duration = form.get("CallDuration")
        record_status(session, StatusUpdate(
            form.get("CallSid", ""), form.get("CallStatus", ""), int(sequence) if sequence else None,
            form.get("Timestamp"), int(duration) if duration else None, form, form.get("From"),
            form.get("To"), form.get("Direction")), now)
