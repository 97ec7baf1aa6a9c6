"""``flask --app app knowledge evaluate``: the search's figure on the frozen
held-out enquiries, published once per change of the search."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from knowledge.articles import (
    COMPLAINTS_EN,
    CURRENT_HELDOUT,
    HELDOUT_LANGUAGE,
    HELDOUT_SETS,
    load_articles,
    load_complaints,
    load_heldout,
)
from knowledge.evaluation import (
    choose_threshold,
    evaluate,
    frozen_digest,
    heldout_digest,
    own_asks_margins,
    question_figures,
)
from knowledge.search import CHINESE, Index, answer_margin
from understanding.english import is_english_question
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
    language = HELDOUT_LANGUAGE.get(which, CHINESE)
    threshold = answer_margin(language)
    heldout = load_heldout(settings.config_dir, which)
    figures = evaluate(Index(articles, language), heldout, threshold)
    questions = None
    if language == "en-US":
        _frozen_or_refuse(settings.config_dir, COMPLAINTS_EN)
        questions = question_figures(is_english_question, [e.text for e in heldout],
                                     load_complaints(settings.config_dir))
    chosen = None
    if with_threshold:
        chosen = choose_threshold(own_asks_margins(articles, language))
    if output == "json":
        click.echo(json.dumps({**figures.as_dict(), "language": language, "threshold": threshold,
                               "chosen_threshold": chosen,
                               "question_rule": questions.as_dict() if questions else None}, indent=2))
        return
    click.echo(f"{len(articles)} articles; held-out set {which} ({language}) {digest[:12]} (frozen), "
               f"{figures.enquiries} enquiries")
    click.echo(f"top-1  {figures.top1:4d}  {figures.share(figures.top1):6.1%}")
    click.echo(f"top-3  {figures.top3:4d}  {figures.share(figures.top3):6.1%}")
    click.echo(f"answered by voice (lead >= {threshold}): {figures.answered} "
               f"({figures.share(figures.answered):.1%}), of which right {figures.answered_right}")
    if questions is not None:
        click.echo(f"English questions told from reports (understanding.english): "
                   f"{questions.questions_recognised} of {questions.questions} held-out questions taken as "
                   f"questions; {questions.complaints_taken_for_questions} of {questions.complaints} "
                   f"held-out complaints taken for questions")
    if chosen is not None:
        click.echo(f"threshold chosen again on the articles' own asks: {chosen}")
    for text, expected, found in figures.misses:
        click.echo(f"  miss: {text}  [{expected} -> {found}]")


def _frozen_or_refuse(config_dir, files) -> None:
    frozen, digest = frozen_digest(config_dir, files=files), heldout_digest(config_dir, files=files)
    if frozen != digest:
        raise click.ClickException(f"{files[0]} has changed since it was frozen (frozen {frozen}, now {digest}); "
                                   "a figure on a changed set would not be honest")
