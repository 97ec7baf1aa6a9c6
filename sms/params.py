"""Twilio's SMS webhook parameters, read the way the voice kit reads a
call's (``ivr.kit``): checked alike (``BadWebhook`` for what the database
would refuse), from the request or from a spooled form, so the live
webhook and ``flask --app app spool replay`` read the same values.  A text
is not a voice call, so its readers live here, on the kit's checks, rather
than in ``ivr.params``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from flask import request

from ivr.kit import check_parameters, checked_form

Form = Mapping[str, str]


@dataclass(frozen=True)
class IncomingText:
    """An inbound text: who sent it and what it says."""

    from_number: str | None
    body: str | None


def incoming_text(form: Form | None = None, *, checked: bool = True) -> IncomingText:
    """``checked=False`` only on the failure path, which must tell what was
    asked (an opt-out to keep, a busy reply) whatever came in; a signed
    request's form is clean already (``ivr.params.clean``)."""
    if form is None:
        form = checked_form() if checked else request.form
    elif checked:
        form = check_parameters(form)
    return IncomingText(from_number=form.get("From"), body=form.get("Body"))


@dataclass(frozen=True)
class MessageStatus:
    """The StatusCallback of one of our messages."""

    message_sid: str | None
    status: str | None
    error_code: str | None


def message_status(form: Form | None = None) -> MessageStatus:
    form = checked_form() if form is None else check_parameters(form)
    return MessageStatus(message_sid=form.get("MessageSid"), status=form.get("MessageStatus"),
                         error_code=form.get("ErrorCode"))
