"""``flask --app app classifier train|evaluate|status``."""
from __future__ import annotations

import json
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from database import db
from understanding import services
from understanding.corpus import CorpusError, frozen_digest, heldout_digest, load_heldout
from understanding.evaluation import evaluate, report
from wiring import services as app_services

classifier_cli = AppGroup("classifier", help="Train and evaluate the model that understands callers.")


def train_if_stale(app: Flask) -> None:
    """``flask --app app init``'s last step: train the classifier if it is missing or stale."""
    settings, config = app.config["SETTINGS"], app_services(app).config
    with db.session_scope(app) as session:
        state = services.status(session, settings.config_dir, config)
        if not state.stale:
            click.echo(f"classifier current: {state.stored[:12]}")
            return
        click.echo("training the classifier (missing or stale)...")
        model = services.train_and_store(session, settings.config_dir, config, app_services(app).now())
    click.echo(f"classifier {model.version[:12]} trained on {model.examples} examples; restart the service to load it")


@classifier_cli.command("train")
def train_command() -> None:
    """Rebuild the model from the training examples and the centre's labelled cases."""
    app = current_app._get_current_object()
    settings, config = app.config["SETTINGS"], app_services(app).config
    started = time.perf_counter()
    try:
        with db.session_scope(app) as session:
            understanding = services.train_and_store(session, settings.config_dir, config,
                                                     app_services(app).now())
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"trained model {understanding.version[:12]} on {understanding.examples} examples "
               f"in {time.perf_counter() - started:.1f} s; confirm threshold {understanding.thresholds.confirm}")
    click.echo("restart the web workers to load it")


@classifier_cli.command("evaluate")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
def evaluate_command(output: str) -> None:
    """Top-1 and top-3 accuracy of the stored model on the frozen held-out set."""
    app = current_app._get_current_object()
    settings, config = app.config["SETTINGS"], app_services(app).config
    frozen, digest = frozen_digest(settings.config_dir), heldout_digest(settings.config_dir)
    if frozen != digest:
        raise click.ClickException(
            f"the held-out set has changed since it was frozen (frozen {frozen}, now {digest}); "
            "figures on a changed held-out set would not be honest")
    with db.session_scope(app) as session:
        understanding = services.load_latest(session)
    if understanding is None:
        raise click.ClickException("no trained model: run `flask --app app classifier train` (or init)")
    complaints, enquiries = load_heldout(settings.config_dir, config.categories)
    lines = {line_id: {c.code for c in config.categories_of(line_id)} for line_id in config.lines}

    def read(text: str, line: str):
        return understanding.read(text, lines.get(line))

    figures = evaluate(read, complaints, enquiries, understanding.thresholds)
    if output == "json":
        click.echo(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
        return
    names = {code: c.name("zh-CN") for code, c in config.categories.items()}
    names.update({code: c.name("zh-CN") for code, c in config.classes.items()})
    click.echo(f"model {understanding.version[:12]}, trained {understanding.trained_at:%Y-%m-%d %H:%M} UTC "
               f"on {understanding.examples} examples; held-out set {digest[:12]} (frozen)")
    click.echo(report(figures, names))


@classifier_cli.command("status")
def status_command() -> None:
    """Whether the stored model is current with the training data."""
    app = current_app._get_current_object()
    settings, config = app.config["SETTINGS"], app_services(app).config
    with db.session_scope(app) as session:
        state = services.status(session, settings.config_dir, config)
    if state.stored is None:
        click.echo("no trained model: run `flask --app app classifier train` (or init)")
    elif state.stale:
        click.echo(f"stale: the stored model {state.stored[:12]} ({state.trained_at:%Y-%m-%d %H:%M} UTC) was "
                   f"trained on other data than today's {state.current[:12]}; run `flask --app app classifier train`")
    else:
        click.echo(f"current: model {state.stored[:12]}, trained {state.trained_at:%Y-%m-%d %H:%M} UTC")
