"""Errors shaped like Twilio's: ``code``, ``message``, ``more_info``, ``status``.

The ``twilio`` client turns them into ``TwilioRestException`` with the same
code and status.  Parameters the carrier does not emulate are refused with
HTTP 501 and no Twilio code, so nobody mistakes them for a Twilio answer.
"""
from __future__ import annotations

from flask import jsonify

INVALID_PARAMETER = 20001
INVALID_FRIENDLY_NAME = 20002
AUTHENTICATE = 20003
METHOD_NOT_ALLOWED = 20004
NOT_FOUND = 20404
CALLS_RESOURCE = 21200            # a bad value for a Calls parameter
NO_TO = 21201
INVALID_URL = 21205
FROM_NOT_VERIFIED = 21210
INVALID_TO = 21211
NO_FROM = 21213
CALL_NOT_LIVE = 21220

NOT_EMULATED_DOCS = "docs/carrier.md in the Hotline repository"


class ApiError(Exception):
    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self):
        more_info = f"https://www.twilio.com/docs/errors/{self.code}" if self.code else NOT_EMULATED_DOCS
        body = jsonify(code=self.code, message=self.message, more_info=more_info, status=self.status)
        body.status_code = self.status
        if self.code == AUTHENTICATE:
            body.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        return body


def not_found(path: str) -> ApiError:
    return ApiError(404, NOT_FOUND, f"The requested resource {path} was not found")


def not_emulated(what: str) -> ApiError:
    return ApiError(501, None, f"{what} is not emulated by the local carrier (see docs/carrier.md)")
