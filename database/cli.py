"""``flask --app app init``: create or upgrade the schema and load the
shipped configuration.  Safe to run again and again."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from database import db
from database.setup import sync_configuration, upgrade_schema


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database and load lines, departments and categories."""
    app = current_app._get_current_object()
    upgrade_schema(db.engine(app))
    with db.session_scope(app) as session:
        counts = sync_configuration(session, app.extensions["hotline"].config)
    url = db.engine(app).url.render_as_string(hide_password=True)
    click.echo(f"database ready: {url}")
    click.echo("configuration loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
