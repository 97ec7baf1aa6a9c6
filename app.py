"""The Hotline application factory.

    flask --app app run                 development server
    gunicorn 'app:create_app()'         production

Nothing runs at import: no app, no Twilio client, no scheduler.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask
from sqlalchemy import MetaData
from werkzeug.middleware.proxy_fix import ProxyFix

from call_log.phones import MaskPhoneNumbers
from cases import events as case_events
from config.loader import load_config
from config.settings import Settings, load_settings
from database import db, register_models, utcnow

# Every feature's tables.  The app owns this list, and database/ knows no
# feature: create_app, Alembic's migrations/env.py and the migration drift
# test all get the tables through ``model_metadata``.
MODEL_MODULES = (
    "accounts.models", "call_log.models", "callbacks.models", "cases.models", "knowledge.models",
    "notifications.models", "operators.models", "quality.models", "reports.models", "routing.models",
    "scheduler.models", "sms.models", "tracking.models", "understanding.models",
)


def model_metadata() -> MetaData:
    """The metadata of every table the service has (MODEL_MODULES)."""
    return register_models(MODEL_MODULES)


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

    from callbacks.services import request_call_back
    from ivr.services import Hotline
    from operators.operator_desk import operator_desk, queue_estimate
    from sms.settings import load as load_sms_settings
    from wiring import Services, install
    config = load_config(settings.config_dir, settings.config_secrets)
    sms = load_sms_settings(settings.config_dir, config.lines)          # sms.yaml, checked at start
    model_metadata()
    db.init_app(app, session_info={case_events.SESSION_KEY: _case_events(sms)})
    understanding = _understanding(app, settings, config)
    knowledge = _knowledge_base(settings, config, sms)
    install(app, Services(config=config, clock=settings.extra.get("clock", utcnow),
                          hotline=Hotline(config, understanding, owe_callback=request_call_back,
                                          admit_caller=operator_desk, estimate_wait=queue_estimate,
                                          knowledge=knowledge),
                          understanding=understanding, knowledge=knowledge, sms=sms))
    _check_other_config_files(app, settings, config)
    if settings.is_production:
        _warm_knowledge(app, knowledge, tuple(dict.fromkeys(
            language for line in config.lines.values() for language in line.languages)))

    from web.guards import cap_request_size, refuse_unstorable_text
    from web.headers import add_security_headers, csp_nonce
    app.before_request(cap_request_size)
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
    from reports.views import wallboard_bp as wallboard
    from sms.views import bp as sms_webhooks
    from tracking.views import bp as tracking
    from wiring import services
    for blueprint in (voice, operator_voice, callback_voice, sms_webhooks, api, open311, reports, wallboard,
                      monitoring, tracking):
        app.register_blueprint(blueprint)
    services(app).webhook_timer = WebhookTimer(app)
    _register_console(app)

    from accounts.cli import api_key_command, user_cli
    from callbacks.cli import SPOOL_REPLAYERS as callback_spool_replayers
    from callbacks.cli import callbacks_cli
    from cases.cli import case_cli
    from database.cli import make_init_command
    from ivr.cli import SPOOL_REPLAYERS as spool_replayers
    from ivr.cli import spool_cli
    from knowledge.cli import knowledge_cli
    from notifications.cli import notifications_cli
    from operators.cli import SPOOL_REPLAYERS as operator_spool_replayers
    from reports.cli import report_command, satisfaction_command
    from scheduler.cli import scheduler_command
    from sms.cli import SPOOL_REPLAYERS as sms_spool_replayers
    from sms.cli import sms_cli
    from understanding.cli import classifier_cli, train_if_stale
    services(app).spool_replayers.update(spool_replayers | callback_spool_replayers | operator_spool_replayers
                                         | sms_spool_replayers)
    for command in (make_init_command(_sync_configuration, train_if_stale), case_cli, spool_cli, user_cli,
                    api_key_command, notifications_cli, callbacks_cli, report_command, scheduler_command,
                    sms_cli, classifier_cli, knowledge_cli):
        app.cli.add_command(command)
    # Satisfaction is a report over the callbacks' surveys: reports/ and callbacks/ import neither
    # the other, so the command joins its group here.
    callbacks_cli.add_command(satisfaction_command)
    # Operators' skills and seats are the operators' business; the commands sit with the other user commands.
    from operators.cli import seats_command, skills_command
    user_cli.add_command(skills_command)
    user_cli.add_command(seats_command)
    if not settings.is_production:
        _add_development_tools(app)
    return app


def _sync_configuration(session, app: Flask):
    """``flask init``'s step that loads lines, departments and categories into their rows."""
    from routing.models import sync_configuration
    from wiring import services

    return sync_configuration(session, services(app).config)


def _add_development_tools(app: Flask) -> None:
    """The local carrier, a development and test tool: ``flask --app app dev``
    mounts it beside the hotline, and ``flask --app app call`` rings the
    hotline from the terminal.  A production app does not contain it at all:
    neither the commands nor any route under ``/carrier``."""
    from carrier.dev import make_dev_command
    from carrier.terminal import call_command

    app.cli.add_command(make_dev_command(create_app))
    app.cli.add_command(call_command)


def _case_events(sms) -> case_events.CaseEvents:
    """Who is told when cases change: the app's subscribers, carried by every
    session its database makes (cases.events)."""
    from callbacks.services import follow_cases
    from sms.receipts import Receipts

    events = case_events.CaseEvents()
    follow_cases(events)            # callbacks owed as cases close and out-of-hours reports come in
    Receipts(sms).follow(events)    # SMS receipts at intake and closing, and when a callback gives up
    return events


def _check_other_config_files(app: Flask, settings: Settings, config) -> None:
    """Every YAML file of the configuration directory is read and checked at
    start, so that a mistake stops the app here, naming the file and the key,
    instead of reaching a caller or the first report.  ``load_config`` has
    checked lines, menus, prompts, categories, departments, calendars, routing
    and callbacks; the rest belong to the packages that use them.  (The
    classifier's corpora are checked where the classifier is loaded.)"""
    from knowledge.articles import check_files as check_knowledge
    from quality.settings import load as load_quality
    from reports.settings import load as load_assessment
    from wiring import services

    # assessment.yaml, with create_app({"assessment": {...}})'s overrides
    services(app).assessment = load_assessment(settings.config_dir, settings.extra.get("assessment"))
    services(app).quality = load_quality(settings.config_dir)     # quality.yaml: checklist and sample
    check_knowledge(settings.config_dir, config.lines, config.departments)


def _knowledge_base(settings: Settings, config, sms):
    """The knowledge base's shipped articles; the supervisors' edits are read
    over them from the database as they change (knowledge.services).  A
    caller's full answer goes out through the SMS outbox."""
    from functools import partial

    from knowledge.articles import load_articles
    from knowledge.services import KnowledgeBase
    from sms.receipts import Receipts

    return KnowledgeBase(load_articles(settings.config_dir, config.lines, config.departments),
                         send_answer=partial(Receipts(sms).enquiry_answer, config=config))


def _warm_knowledge(app: Flask, knowledge, languages: tuple[str, ...]) -> None:
    """The knowledge base's search index, one per language the lines speak,
    built before the first caller asks."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with db.session_scope(app) as session:
            knowledge.warm(session, languages)
    except SQLAlchemyError as exc:
        logging.getLogger(__name__).warning(
            "knowledge base not warmed (%s): run `flask --app app init`", exc.__class__.__name__)


def _understanding(app: Flask, settings: Settings, config):
    """The trained model that reads callers' words, loaded once at start
    (tests hand in their own)."""
    if "understanding" in settings.extra:
        return settings.extra["understanding"]
    from sqlalchemy.exc import SQLAlchemyError

    from understanding.corpus import load_heldout, load_training
    from understanding.services import load_for_service

    # The classifier's corpora are checked before the service loads it; a
    # mistake there stops the start, naming the file and the example.
    load_training(settings.config_dir, config.categories)
    load_heldout(settings.config_dir, config.categories)
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

    from console import board, supervision
    from console import cases as case_pages
    from console import inspections as inspection_pages
    from console import knowledge as knowledge_pages
    from console import quality as quality_pages
    from console.alerts import console_alerts
    from console.i18n import init_app as init_languages
    from console.navigation import Navigation
    from console.notes import said as note_said
    from console.views import bp as console
    from reports import views as reports

    csrf = CSRFProtect(app)
    init_languages(app)
    # The domain's own notes in a case's history, shown in the reader's language (console/notes.py).
    app.jinja_env.globals["note_said"] = note_said
    app.register_blueprint(console)
    app.register_blueprint(board.bp)
    app.register_blueprint(case_pages.bp)
    app.register_blueprint(inspection_pages.bp)
    app.register_blueprint(knowledge_pages.bp)
    app.register_blueprint(supervision.bp)
    app.register_blueprint(quality_pages.bp)
    navigation = Navigation()
    # The menu, in this order.
    for entry in (inspection_pages.MENU_ENTRY, case_pages.MENU_ENTRY, board.MENU_ENTRY, supervision.OVERDUE_ENTRY,
                  supervision.HOTSPOTS_ENTRY, quality_pages.MENU_ENTRY, knowledge_pages.MENU_ENTRY,
                  reports.MENU_ENTRY, reports.WALLBOARD_ENTRY):
        navigation.offer(entry)
    app.jinja_env.globals["console_nav"] = navigation.items_for
    app.jinja_env.globals["console_alerts"] = console_alerts
    for name in ("voice", "operator_voice", "callbacks", "sms", "api", "open311"):
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
