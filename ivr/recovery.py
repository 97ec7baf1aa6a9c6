"""One failure path for every voice blueprint (the IVR, operators' legs,
callback calls).

Whatever fails inside a Twilio webhook, Twilio never gets a 500 where a
person is on the line:

- a webhook that answers with TwiML answers with the blueprint's apology
  (in the IVR: apologise and record, so what the caller says becomes a case);
- a webhook that only informs us (status and recording callbacks) answers
  204; when the database is unavailable its parameters are spooled first,
  for ``flask --app app spool replay``;
- parameters the database would refuse (``BadWebhook``) are answered the
  same way but never spooled: 400 for an informing webhook.

Only an outage is spooled.  A bug in an informing webhook answers 500, which
Twilio's debugger shows; replaying it would only fail again.
"""
from __future__ import annotations

import logging
from typing import Callable, Mapping

from flask import Response, current_app, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from call_log.phones import mask_text
from database import db
from ivr.params import BadWebhook, checked_form
from ivr.spool import spool
from ivr.twiml import twiml

log = logging.getLogger(__name__)


def database_unavailable(error: BaseException) -> bool:
    """An outage (down, locked, a lock or statement timeout, no free
    connection), as opposed to data the database refused or a bug."""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def recovery(apology: Callable[[], str], spool_as: Mapping[str, str] | None = None):
    """An error handler for a voice blueprint.  ``apology`` builds its TwiML
    (from configuration alone: the database may be down); ``spool_as`` names
    the spool kind of each informing endpoint, e.g. ``{"voice.status": "status"}``."""
    informing = dict(spool_as or {})

    def recover(error: Exception):
        if isinstance(error, HTTPException):
            return error
        _roll_back()
        kind = informing.get(request.endpoint or "")
        if isinstance(error, BadWebhook):
            log.warning("voice webhook %s refused: %s", request.path, error)
            return Response(status=400) if kind else twiml(apology())
        if database_unavailable(error):
            log.error("voice webhook %s: the database is unavailable (%s)", request.path,
                      mask_text(str(error.orig if isinstance(error, DBAPIError) else error))[:300])
            if kind:
                return _spool(kind)
        else:
            log.exception("voice webhook %s failed", request.path)
            if kind:
                return Response(status=500)
        return twiml(apology())

    return recover


def spool_request(kind: str) -> str:
    """Keep this request's parameters on disk; returns the spool file's path."""
    path = spool(current_app.config["SETTINGS"].instance_dir, kind, checked_form().to_dict(),
                 request.args.to_dict())
    log.error("kept the webhook's parameters in %s for `flask --app app spool replay`", path)
    return str(path)


def _spool(kind: str) -> Response:
    try:
        spool_request(kind)
    except BadWebhook:
        return Response(status=400)
    return Response(status=204)


def _roll_back() -> None:
    try:
        db.session().rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone with the database
        log.debug("rollback after a failed webhook failed too", exc_info=True)
