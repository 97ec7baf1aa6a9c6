"""``flask --app app user create`` and ``flask --app app api-key create``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from accounts.models import ROLES
from accounts.services import DEVICE_RULE, PASSWORD_RULE, AccountError, create_api_key, create_user
from database import db

user_cli = AppGroup("user", help="Console users.")


@user_cli.command("create", help=f"Create a console user.  The password needs {PASSWORD_RULE}; department "
                                 "staff need --department, a code from config/departments.yaml.")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", help="Name shown in the console.")
@click.option("--department", "department_code", help="Department code, for department staff.")
@click.option("--device", help=f"Where the user's calls ring: {DEVICE_RULE}.")
@click.password_option(help=f"The console password: {PASSWORD_RULE}. Asked for (twice) when not given.")
def create_user_command(username, role, display_name, department_code, device, password) -> None:
    with db.session_scope(current_app._get_current_object()) as session:
        try:
            create_user(session, username, password, role, display_name=display_name,
                        department_code=department_code, device=device)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"user {username} created with role {role}")


@click.command("api-key")
@with_appcontext
@click.argument("action", type=click.Choice(["create"]))
@click.option("--name", required=True, help="Who the key is for, e.g. the city app.")
@click.option("--role", type=click.Choice(ROLES), default="operator", show_default=True)
@click.option("--department", "department_code",
              help="Department code from config/departments.yaml; department keys need one.")
def api_key_command(action, name, role, department_code) -> None:
    """Create an API key for Open311 clients and integrations; it is shown once."""
    with db.session_scope(current_app._get_current_object()) as session:
        try:
            _, plain = create_api_key(session, name, role, department_code)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
    click.echo(plain)
