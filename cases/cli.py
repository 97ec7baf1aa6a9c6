"""``flask --app app case show NUMBER``: a case as JSON."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from cases.services import find_case
from cases.summaries import case_summary
from cases.workflow import flag_overdue
from database import db
from wiring import services

case_cli = AppGroup("case", help="Look at cases.")


@case_cli.command("show")
@click.argument("number")
@click.option("--reveal", is_flag=True, help="Show phone numbers in full (for calling the complainant back).")
def show(number: str, reveal: bool) -> None:
    """Print case NUMBER as JSON (phone numbers masked unless --reveal)."""
    app = current_app._get_current_object()
    with db.session_scope(app) as session:
        case = find_case(session, number)
        if case is None:
            raise click.ClickException(f"no case numbered {number}")
        summary = case_summary(case, services(app).config, full_numbers=reveal)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


@case_cli.command("overdue")
def overdue() -> None:
    """Flag the cases past their time limit now (the scheduler runs this too)."""
    app = current_app._get_current_object()
    with db.session_scope(app) as session:
        flagged = flag_overdue(session, services(app).now())
        for case in flagged:
            click.echo(f"{case.number}  {case.status:10} {case.department_code or '-':10} "
                       f"due {case.due_at.isoformat()}")
    click.echo(f"{len(flagged)} case(s) flagged overdue")
