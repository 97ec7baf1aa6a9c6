"""``flask --app app user skills`` and ``flask --app app user seats``:
an operator's skills (the lines and languages they take calls for) and
every operator's seat."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from accounts.models import User
from database import db
from operators.seating import seats, set_skills
from operators.seats import SeatError
from wiring import services


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
