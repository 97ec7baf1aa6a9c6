"""``flask --app app spool replay``: feed back webhooks kept on disk while
the database was unavailable, so nothing a caller said is lost.

Each line is replayed in a transaction of its own.  A line that cannot be
replayed (not JSON, parameters the database would refuse, a use case that
fails on it) is moved to ``spool/quarantine/`` with the reason and named on
the terminal; the rest are replayed.  If the database goes away again, the
lines not yet replayed go back to the spool and the command exits 1.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from call_log.services import record_status, save_recording
from database import db
from ivr.params import BadWebhook, call_params, recording_params, status_update
from ivr.recovery import database_unavailable
from ivr.services import fallback_recorded
from ivr.spool import BadLine, SpooledWebhook, give_back, parse_line, quarantine, take_files
from wiring import Services, services

spool_cli = AppGroup("spool", help="Webhooks kept on disk while the database was down.")


@spool_cli.command("replay")
def replay() -> None:
    """Replay instance/spool/*.jsonl into the database; quarantine bad lines."""
    app = current_app._get_current_object()
    instance_dir = app.config["SETTINGS"].instance_dir
    replayed, quarantined = 0, 0
    for kind, path in take_files(instance_dir):
        lines = path.read_text(encoding="utf-8").splitlines()
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            number = index + 1
            try:
                webhook = parse_line(kind, line)
                with db.session_scope(app) as session:
                    _replay_one(session, app, webhook)
            except Exception as error:  # noqa: BLE001 - each line stands alone
                if database_unavailable(error):
                    give_back(instance_dir, kind, lines[index:])
                    path.unlink()
                    click.echo(f"replayed {replayed} webhook(s); the database is unavailable again, so "
                               f"{len(lines) - index} line(s) of {kind}.jsonl stay in the spool", err=True)
                    raise SystemExit(1) from None
                reason = str(error) if isinstance(error, (BadLine, BadWebhook, ValueError)) else \
                    f"{error.__class__.__name__}: {error}"
                kept = quarantine(instance_dir, kind, number, line, reason[:500])
                quarantined += 1
                click.echo(f"quarantined {kind}.jsonl line {number}: {reason[:200]} (kept in {kept})", err=True)
                continue
            replayed += 1
        path.unlink()
    click.echo(f"replayed {replayed} webhook(s)" + (f", quarantined {quarantined}" if quarantined else ""))


def _replay_one(session, app, webhook: SpooledWebhook) -> None:
    kept = services(app)
    replayer = kept.spool_replayers.get(webhook.kind)
    if replayer is None:
        raise BadLine(f"no webhook kind {webhook.kind!r}")
    replayer(session, kept, webhook)


# The intake's own kinds; other voice blueprints hand in theirs (create_app
# wires them all into ``Services.spool_replayers``).  Every replayer reads
# the spooled parameters with the same reader as the live webhook.

def _fallback_recorded(session, kept: Services, webhook: SpooledWebhook) -> None:
    fallback_recorded(session, kept.hotline, call_params(webhook.form), recording_params(webhook.form), kept.now())


def _recording(session, kept: Services, webhook: SpooledWebhook) -> None:
    recording = recording_params(webhook.form)
    if recording is None:
        raise BadLine("a recording callback without RecordingSid")
    save_recording(session, recording)


def _status(session, kept: Services, webhook: SpooledWebhook) -> None:
    record_status(session, status_update(webhook.form), kept.now())


SPOOL_REPLAYERS = {"fallback_recorded": _fallback_recorded, "recording": _recording, "status": _status}
