"""The carrier as a Flask application: the REST API at its root (where
``HOTLINE_TWILIO_API_URL`` points) and the browser phone under ``/phone``."""
from __future__ import annotations

from flask import Flask, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from carrier.calls import API_VERSION
from carrier.exchange import Carrier
from carrier.guard import refuse_in_production
from carrier.phone import bp as phone_bp
from carrier.rest import bp as rest_bp
from carrier.rest.conferences import bp as conferences_bp
from carrier.rest.errors import METHOD_NOT_ALLOWED, ApiError, not_found
from carrier.rest.messages import bp as messages_bp
from config.settings import Settings, load_settings


def create_carrier_app(carrier: Carrier | None = None, settings: Settings | None = None) -> Flask:
    """Refuses to build in production.  Without ``carrier``, one is made from
    the settings' account SID, auth token and API URL."""
    settings = settings or load_settings()
    refuse_in_production(settings)
    if carrier is None:
        carrier = Carrier(settings.twilio_account_sid, settings.twilio_auth_token,
                          api_base_url=settings.twilio_api_url)
    app = Flask(__name__)
    app.extensions["carrier"] = carrier
    app.register_blueprint(rest_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(conferences_bp)
    app.register_blueprint(phone_bp)

    @app.errorhandler(HTTPException)
    def _api_shaped(error: HTTPException):
        # Unknown paths under the API answer like Twilio; the rest stay HTML.
        if request.path.startswith(f"/{API_VERSION}/"):
            if error.code == 404:
                return not_found(request.path).response()
            if error.code == 405:
                return ApiError(405, METHOD_NOT_ALLOWED, f"Method {request.method} not allowed").response()
            return ApiError(error.code or 500, None, error.description or error.name).response()
        return error

    @app.get("/")
    def _home():
        return redirect(url_for("carrier_phone.page"))

    return app
