"""``flask --app app callbacks list|status|resume|cancel`` (and ``satisfaction``, which the
reports own: ``reports.cli.satisfaction_command``, added to this group by ``create_app``)."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from call_log.phones import mask
from callbacks import calls
from callbacks.models import PURPOSES, STATUSES, Callback, CallbackAttempt
from callbacks.pauses import active_pause, resume_callbacks
from callbacks.services import CallbackNotFound, CannotCancel, cancel_callback, line_of
from cases.models import Case
from database import db
from ivr.kit import BadLine, SpooledWebhook, answered_by, recording_params, status_update, whole_number
from wiring import Services, services

callbacks_cli = AppGroup("callbacks", help="Callbacks to complainants: list, status, resume, cancel, satisfaction.")


@callbacks_cli.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only these statuses (repeatable).  Default: pending and calling.")
@click.option("--purpose", type=click.Choice(PURPOSES), help="Only this purpose.")
@click.option("--due", is_flag=True, help="Only pending callbacks whose next attempt is due now.")
@click.option("--limit", default=50, show_default=True)
def list_callbacks(statuses: tuple[str, ...], purpose: str | None, due: bool, limit: int) -> None:
    """Callbacks with their next attempt in the line's local time (numbers masked)."""
    app = current_app._get_current_object()
    config = services(app).config
    now = services(app).now()
    with db.session_scope(app) as session:
        counts = dict(session.execute(select(Callback.status, func.count()).group_by(Callback.status)).all())
        click.echo("  ".join(f"{status} {counts.get(status, 0)}" for status in STATUSES))
        query = (select(Callback, Case.number).outerjoin(Case, Case.id == Callback.case_id)
                 .where(Callback.status.in_(statuses or ("pending", "calling"))))
        if purpose:
            query = query.where(Callback.purpose == purpose)
        if due:
            query = query.where(Callback.status == "pending", Callback.next_attempt_at <= now)
        rows = session.execute(query.order_by(Callback.next_attempt_at, Callback.id).limit(limit)).all()
        click.echo(f"{'id':>6}  {'purpose':11} {'status':11} {'number':16} {'case':10}  {'next attempt':16}  "
                   f"tries  last result")
        for callback, case_number in rows:
            zone = ZoneInfo(line_of(config, callback.line_id).time_zone)
            at = callback.next_attempt_at.astimezone(zone)
            click.echo(f"{callback.id:>6}  {callback.purpose:11} {callback.status:11} "
                       f"{mask(callback.phone_e164):16} {case_number or '-':10}  {at:%Y-%m-%d %H:%M}  "
                       f"{callback.attempts:>5}  {callback.last_result or ''}")


@callbacks_cli.command("status")
def status() -> None:
    """Whether callbacks are being placed or paused, what is owed, and the
    results of the last 24 hours' attempts.  Exits 1 while paused."""
    app = current_app._get_current_object()
    now = services(app).now()
    with db.session_scope(app) as session:
        pause = active_pause(session)
        if pause is None:
            click.echo("callbacks: placing")
        else:
            click.echo(f"callbacks: PAUSED since {pause.paused_at:%Y-%m-%d %H:%M} UTC: Twilio error {pause.code}: "
                       f"{pause.reason}")
            click.echo("  fix the Twilio account, then run `flask --app app callbacks resume`; "
                       "every complainant stays owed meanwhile")
        counts = dict(session.execute(select(Callback.status, func.count()).group_by(Callback.status)).all())
        due = session.scalar(select(func.count()).select_from(Callback).where(
            Callback.status == "pending", Callback.next_attempt_at <= now)) or 0
        click.echo("owed: " + "  ".join(f"{s} {counts.get(s, 0)}" for s in ("pending", "calling"))
                   + f"  (due now {due})")
        click.echo("done: " + "  ".join(f"{s} {counts.get(s, 0)}" for s in STATUSES if s not in ("pending", "calling")))
        attempts = dict(session.execute(select(CallbackAttempt.status, func.count())
                                        .where(CallbackAttempt.status != "ended")
                                        .group_by(CallbackAttempt.status)).all())
        click.echo("attempts in flight: " + "  ".join(f"{s} {attempts.get(s, 0)}" for s in ("placing", "placed")))
        results = session.execute(select(CallbackAttempt.result, func.count())
                                  .where(CallbackAttempt.status == "ended",
                                         CallbackAttempt.ended_at >= now - timedelta(hours=24))
                                  .group_by(CallbackAttempt.result).order_by(CallbackAttempt.result)).all()
        click.echo("last 24 h: " + ("  ".join(f"{r} {n}" for r, n in results) if results else "no attempts"))
    if pause is not None:
        raise SystemExit(1)


@callbacks_cli.command("resume")
def resume() -> None:
    """End a pause raised by an account fault, once the account is fixed."""
    app = current_app._get_current_object()
    with db.session_scope(app) as session:
        resumed = resume_callbacks(session, services(app).now(), actor="cli")
    click.echo("callbacks resumed" if resumed else "callbacks were not paused")


@callbacks_cli.command("cancel")
@click.argument("callback_id", type=int)
def cancel(callback_id: int) -> None:
    """Cancel callback CALLBACK_ID (a call already ringing is not retried)."""
    app = current_app._get_current_object()
    try:
        with db.session_scope(app) as session:
            callback = cancel_callback(session, callback_id, services(app).now(), actor="cli")
            click.echo(f"callback {callback.id} to {mask(callback.phone_e164)} cancelled")
    except (CallbackNotFound, CannotCancel) as error:
        raise click.ClickException(str(error)) from None


# --- spooled webhooks of the callback calls (``flask --app app spool replay``) ---

def _replay_status(session, kept: Services, webhook: SpooledWebhook) -> None:
    attempt = whole_number(webhook.args.get("attempt"))
    calls.call_status(session, kept.config, attempt if attempt is not None else -1, status_update(webhook.form),
                      answered_by(webhook.form), kept.now())


def _replay_recording(session, kept: Services, webhook: SpooledWebhook) -> None:
    recording = recording_params(webhook.form)
    if recording is None:
        raise BadLine("a recording callback without RecordingSid")
    calls.recording_status(session, recording)


SPOOL_REPLAYERS = {"callback_status": _replay_status, "callback_recording": _replay_recording}
