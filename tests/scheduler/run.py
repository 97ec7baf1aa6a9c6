"""``flask --app app scheduler`` for the tests' subprocesses: the app exactly
as ``create_app`` builds it, with the callback webhooks and the scheduler
command registered as app.py is to register them."""
from __future__ import annotations

import sys

from flask.cli import FlaskGroup


def make_app():
    from app import create_app
    from tests.callbacks.support import register_callbacks

    app = create_app()
    register_callbacks(app)
    return app


if __name__ == "__main__":
    FlaskGroup(create_app=make_app, add_default_commands=False, load_dotenv=False)(
        sys.argv[1:] or ["scheduler"], prog_name="flask --app app")
