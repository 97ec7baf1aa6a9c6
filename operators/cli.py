"""``flask --app app user skills`` and ``flask --app app user seats``:
an operator's skills (the lines and languages they take calls for) and
every operator's seat; and the replayers of the operators' callbacks kept
in the spool while the database was unavailable (``SPOOL_REPLAYERS``)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from accounts.models import User
from database import db
from ivr.kit import (
    BadLine,
    SpooledWebhook,
    call_sid,
    call_status,
    conference_update,
    recording_channels,
    recording_params,
)
from operators.conference_services import conference_event, dialled_leg_ended, operator_leg_ended
from operators.recording import recording_status
from operators.seating import seats, set_skills
from operators.seats import SeatError
from wiring import Services, services


def _listed(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


@click.command("skills", help="Set an operator's skills: the lines and the callers' languages they take "
                              "calls for (comma-separated; an empty list means any).  Shows them after.")
@with_appcontext
@click.argument("username")
@click.option("--lines", help="Line ids from config/lines.yaml, e.g. urban,conduct.")
@click.option("--languages", help="Callers' languages, e.g. zh-CN,en-US.")
def skills_command(username, lines, languages) -> None:
    app = current_app._get_current_object()
    with db.session_scope(app) as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise click.ClickException(f"no user {username}")
        try:
            seat = set_skills(session, user, _listed(lines), _listed(languages), services(app).config,
                              services(app).now())
        except SeatError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{username}: lines {', '.join(seat.lines) or 'any'}; "
                   f"languages {', '.join(seat.languages) or 'any'}")


@click.command("seats", help="Every operator's state, since when (UTC), and skills.")
@with_appcontext
def seats_command() -> None:
    with db.session_scope(current_app._get_current_object()) as session:
        for seat in seats(session):
            reason = f" ({seat.reason})" if seat.reason else ""
            click.echo(f"{seat.username}\t{seat.state}{reason}\tsince {seat.since:%Y-%m-%d %H:%M:%S}Z\t"
                       f"lines {','.join(seat.lines) or 'any'}\tlanguages {','.join(seat.languages) or 'any'}")


# --- spooled callbacks of the operators' legs (``flask --app app spool replay``) ---
# Each reads the spooled parameters with the live webhook's reader and runs the same use case.

def _replay_operator_leg(session, kept: Services, webhook: SpooledWebhook) -> None:
    """The operator's leg ended.  Only what is kept is replayed (the leg, the
    seat); a caller the live webhook would have sent back to the queue has
    long since left the call that was waiting then."""
    operator_leg_ended(session, kept.config, webhook.args.get("call", ""), call_sid(webhook.form),
                       call_status(webhook.form), kept.now())


def _replay_conference_event(session, kept: Services, webhook: SpooledWebhook) -> None:
    conference_event(session, conference_update(webhook.form), kept.now())


def _replay_participant_leg(session, kept: Services, webhook: SpooledWebhook) -> None:
    dialled_leg_ended(session, webhook.args.get("call", ""), call_sid(webhook.form), call_status(webhook.form),
                      kept.now(), role=webhook.args.get("role"), who=webhook.args.get("who"))


def _replay_recording(session, kept: Services, webhook: SpooledWebhook) -> None:
    recording = recording_params(webhook.form)
    if recording is None:
        raise BadLine("a recording callback without RecordingSid")
    recording_status(session, recording, recording_channels(webhook.form))


SPOOL_REPLAYERS = {"operator_leg": _replay_operator_leg, "conference_event": _replay_conference_event,
                   "participant_leg": _replay_participant_leg, "operator_recording": _replay_recording}
