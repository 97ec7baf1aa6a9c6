"""``flask --app app knowledge evaluate``: the search's figure on the frozen
held-out enquiries, published once per change of the search."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from knowledge.articles import CURRENT_HELDOUT, HELDOUT_SETS, load_articles, load_heldout
from knowledge.evaluation import choose_threshold, evaluate, frozen_digest, heldout_digest, own_asks_margins
from knowledge.search import ANSWER_MARGIN, Index
from wiring import services

knowledge_cli = AppGroup("knowledge", help="The knowledge base that answers callers' questions.")


@knowledge_cli.command("evaluate")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
@click.option("--set", "which", type=click.Choice(sorted(HELDOUT_SETS)), default=CURRENT_HELDOUT, show_default=True,
              help="Which frozen held-out set (the first has been measured and looked at: held out no more).")
@click.option("--threshold", "with_threshold", is_flag=True,
              help="Also choose the answering threshold again on the articles' own asks (half a minute).")
def evaluate_command(output: str, which: str, with_threshold: bool) -> None:
    """Top-1 and top-3 on the frozen held-out enquiries (the shipped articles, as in YAML)."""
    app = current_app._get_current_object()
    settings, config = app.config["SETTINGS"], services(app).config
    frozen, digest = frozen_digest(settings.config_dir, which), heldout_digest(settings.config_dir, which)
    if frozen != digest:
        raise click.ClickException(
            f"the held-out enquiries have changed since they were frozen (frozen {frozen}, now {digest}); "
            "a figure on a changed set would not be honest")
    articles = load_articles(settings.config_dir, config.lines, config.departments)
    figures = evaluate(Index(articles), load_heldout(settings.config_dir, which), ANSWER_MARGIN)
    chosen = None
    if with_threshold:
        chosen = choose_threshold(own_asks_margins(articles))
    if output == "json":
        click.echo(json.dumps({**figures.as_dict(), "threshold": ANSWER_MARGIN, "chosen_threshold": chosen},
                              indent=2))
        return
    click.echo(f"{len(articles)} articles; held-out set {which} {digest[:12]} (frozen), {figures.enquiries} enquiries")
    click.echo(f"top-1  {figures.top1:4d}  {figures.share(figures.top1):6.1%}")
    click.echo(f"top-3  {figures.top3:4d}  {figures.share(figures.top3):6.1%}")
    click.echo(f"answered by voice (lead >= {ANSWER_MARGIN}): {figures.answered} "
               f"({figures.share(figures.answered):.1%}), of which right {figures.answered_right}")
    if chosen is not None:
        click.echo(f"threshold chosen again on the articles' own asks: {chosen}")
    for text, expected, found in figures.misses:
        click.echo(f"  miss: {text}  [{expected} -> {found}]")
