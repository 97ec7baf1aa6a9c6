"""The Hotline application factory.

    flask --app app run                 development server
    gunicorn 'app:create_app()'         production

Nothing runs at import: no app, no Twilio client, no scheduler.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from call_log.phones import MaskPhoneNumbers
from config.loader import load_config
from config.settings import Settings, load_settings
from database import db, utcnow


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app.  ``config`` overrides settings fields (tests pass a dict)."""
    settings = load_settings()
    if config:
        settings = settings.with_overrides(config)
    app = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    app.config.update(SETTINGS=settings, SECRET_KEY=settings.secret_key,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.is_production, SESSION_COOKIE_NAME="hotline_session",
                      PERMANENT_SESSION_LIFETIME=12 * 3600, WTF_CSRF_TIME_LIMIT=None)
    _configure_logging(settings)
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        if settings.public_url:
            # Twilio's URL is HOTLINE_PUBLIC_URL; the proxies still say who is calling (sign-in throttling).
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=0, x_host=0, x_port=0, x_prefix=0)
        else:
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    from ivr.services import Hotline
    config = load_config(settings.config_dir, settings.config_secrets)
    app.extensions["clock"] = settings.extra.get("clock", utcnow)
    db.init_app(app)
    app.extensions["hotline"] = Hotline(config, _understanding(app, settings, config))

    from callbacks.services import follow_cases
    follow_cases()

    from web.guards import refuse_unstorable_text
    from web.headers import add_security_headers, csp_nonce
    app.before_request(refuse_unstorable_text)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    from api.views import bp as api
    from callbacks.views import bp as callback_voice
    from ivr.views import bp as voice
    from monitoring.metrics import WebhookTimer
    from monitoring.views import bp as monitoring
    from open311.views import bp as open311
    from operators.views import bp as operator_voice
    from reports.views import bp as reports
    for blueprint in (voice, operator_voice, callback_voice, api, open311, reports, monitoring):
        app.register_blueprint(blueprint)
    app.extensions["webhook_timer"] = WebhookTimer(app)
    _register_console(app)

    from accounts.cli import api_key_command, user_cli
    from callbacks.cli import callbacks_cli
    from carrier.dev import make_dev_command
    from carrier.terminal import call_command
    from cases.cli import case_cli
    from database.cli import init_command
    from ivr.cli import spool_cli
    from notifications.cli import notifications_cli
    from reports.cli import report_command
    from scheduler.cli import scheduler_command
    from understanding.cli import classifier_cli
    for command in (init_command, case_cli, spool_cli, user_cli, api_key_command, notifications_cli,
                    callbacks_cli, report_command, scheduler_command, call_command, classifier_cli,
                    make_dev_command(create_app)):
        app.cli.add_command(command)
    return app


def _understanding(app: Flask, settings: Settings, config):
    """The trained model that reads callers' words, loaded once at start
    (tests hand in their own)."""
    if "understanding" in settings.extra:
        return settings.extra["understanding"]
    from sqlalchemy.exc import SQLAlchemyError

    from understanding.services import load_for_service
    try:
        with db.session_scope(app) as session:
            return load_for_service(session, settings.config_dir, config)
    except SQLAlchemyError as exc:
        logging.getLogger(__name__).warning(
            "no classifier loaded (%s): run `flask --app app init`", exc.__class__.__name__)
        return None


def _register_console(app: Flask) -> None:
    """The console: cookie sessions with CSRF on every form.  Twilio's
    webhooks and the token-authenticated APIs are exempt from CSRF, since
    they are not browser forms and carry their own proof."""
    from flask_wtf.csrf import CSRFProtect

    import console.board as _live_board  # noqa: F401  (adds the live board pages to the blueprint)
    import console.cases as _case_pages  # noqa: F401  (adds the case list and case pages to the blueprint)
    from console.alerts import console_alerts
    from console.i18n import init_app as init_languages
    from console.navigation import items_for
    from console.views import bp as console

    csrf = CSRFProtect(app)
    init_languages(app)
    app.register_blueprint(console)
    app.jinja_env.globals["console_nav"] = items_for
    app.jinja_env.globals["console_alerts"] = console_alerts
    for name in ("voice", "operator_voice", "callbacks", "api", "open311"):
        csrf.exempt(app.blueprints[name])
    app.extensions["csrf_protect"] = csrf


def _configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=settings.log_level,
                            format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    root.setLevel(settings.log_level)
    if settings.log_format == "json":
        from monitoring.logs import JsonFormatter
        for handler in root.handlers:
            if not isinstance(handler.formatter, JsonFormatter):
                handler.setFormatter(JsonFormatter())
    # Alembic announces every plugin it loads at INFO; that is noise here.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    for handler in root.handlers:
        if not any(isinstance(f, MaskPhoneNumbers) for f in handler.filters):
            handler.addFilter(MaskPhoneNumbers())
