"""``flask --app app init``: create or upgrade the schema and load the
shipped configuration.  Safe to run again and again."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from database import db
from database.setup import sync_configuration, upgrade_schema
from understanding import services as understanding
from wiring import services


@click.command("init")
@click.option("--no-train", is_flag=True, help="Do not rebuild a missing or stale classifier.")
@with_appcontext
def init_command(no_train: bool) -> None:
    """Create or upgrade the database, load lines, departments and categories,
    and train the classifier if it is missing or stale."""
    app = current_app._get_current_object()
    config = services(app).config
    upgrade_schema(db.engine(app))
    with db.session_scope(app) as session:
        counts = sync_configuration(session, config)
    url = db.engine(app).url.render_as_string(hide_password=True)
    click.echo(f"database ready: {url}")
    click.echo("configuration loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    if no_train:
        return
    settings = app.config["SETTINGS"]
    with db.session_scope(app) as session:
        state = understanding.status(session, settings.config_dir, config)
        if not state.stale:
            click.echo(f"classifier current: {state.stored[:12]}")
            return
        click.echo("training the classifier (missing or stale)...")
        model = understanding.train_and_store(session, settings.config_dir, config, services(app).now())
    click.echo(f"classifier {model.version[:12]} trained on {model.examples} examples; restart the service to load it")
