"""``flask --app app init``: create or upgrade the schema, load the shipped
configuration and bring the classifier up to date.  Safe to run again and again.

This package knows no feature: ``create_app`` hands in what loading the
configuration and training mean (``make_init_command(sync, train)``).
"""
from __future__ import annotations

from typing import Callable, Mapping

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from database import db
from database.setup import upgrade_schema

# Loads the app's configuration into its rows; returns the counts loaded, by kind.
Sync = Callable[[Session, Flask], Mapping[str, int]]
# Trains the classifier when it is missing or stale, saying what it did.
Train = Callable[[Flask], None]


def make_init_command(sync: Sync, train: Train) -> click.Command:
    @click.command("init")
    @click.option("--no-train", is_flag=True, help="Do not rebuild a missing or stale classifier.")
    @with_appcontext
    def init_command(no_train: bool) -> None:
        """Create or upgrade the database, load lines, departments and categories,
        and train the classifier if it is missing or stale."""
        app = current_app._get_current_object()
        upgrade_schema(db.engine(app))
        with db.session_scope(app) as session:
            counts = sync(session, app)
        url = db.engine(app).url.render_as_string(hide_password=True)
        click.echo(f"database ready: {url}")
        click.echo("configuration loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
        if not no_train:
            train(app)

    return init_command
