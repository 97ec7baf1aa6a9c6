"""What ``create_app`` builds once and every request, job and command uses:
the app's services, one typed object on the app.  (The settings read from
the environment stay where Flask keeps configuration:
``app.config["SETTINGS"]``.)

    from wiring import services
    config = services().config          # inside a request or app context
    now = services(app).now()            # with an app in hand (jobs, commands)

Nothing here is built at import; ``create_app`` calls ``install``.  Tests may
swap a field (``services(app).clock = fixed_clock``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from flask import Flask, current_app

from config.catalog import HotlineConfig

if TYPE_CHECKING:      # the types only: wiring imports no feature at run time
    from twilio.http import HttpClient
    from twilio.rest import Client

    from config.settings import Settings
    from ivr.services import Hotline
    from knowledge.services import KnowledgeBase
    from monitoring.metrics import WebhookTimer
    from quality.settings import QualitySettings
    from reports.services import Assessment
    from reports.settings import AssessmentSettings
    from sms.settings import SmsSettings
    from understanding.reading import Understanding

KEY = "hotline_services"


@dataclass
class Services:
    """The app's run-time services, built once per app."""

    config: HotlineConfig                    # lines, menus, prompts, categories, departments, calendars
    clock: Callable[[], datetime]            # aware UTC now; tests hand in their own
    hotline: "Hotline"                       # the lines' IVR flows (the voice kit)
    understanding: "Understanding | None" = None   # the trained model reading callers' words
    knowledge: "KnowledgeBase | None" = None       # the articles that answer questions, with their edits
    webhook_timer: "WebhookTimer | None" = None    # times the voice webhooks (monitoring.metrics)
    twilio_client: "Client | None" = None           # built on first use (call_log.twilio_rest.twilio_client)
    # The same with the short timeout for REST calls inside webhooks, and the settings it was built from.
    twilio_webhook_client: "tuple[Settings, Client] | None" = None
    twilio_http_client: "HttpClient | None" = None  # tests hand in a transport for the real client
    assessment: "AssessmentSettings | None" = None  # config/assessment.yaml, read at start (reports.settings)
    sms: "SmsSettings | None" = None                # config/sms.yaml, read at start
    quality: "QualitySettings | None" = None        # config/quality.yaml, read at start
    # Months' assessments the report pages keep for a while: (month, settings' fingerprint) ->
    # (monotonic time it expires, the assessment); reports.views fills and trims it.
    assessments_kept: "dict[tuple[str, str], tuple[float, Assessment]]" = field(default_factory=dict)
    # How `spool replay` feeds back each kind of spooled webhook: kind -> (session, services, webhook).
    spool_replayers: dict[str, Callable[..., None]] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()


def install(app: Flask, built: Services) -> Services:
    app.extensions[KEY] = built
    return built


def services(app: Flask | None = None) -> Services:
    """The services of ``app``, or of the app handling this request or command."""
    return (app or current_app).extensions[KEY]
