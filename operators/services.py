"""Operator use cases that move live calls with Twilio's REST API.

Each takes a session, the Twilio client and the operator; the call log
records who joined which call and when, and each takeover is audited.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from accounts.models import User
from accounts.services import audit, principal_for_user
from call_log.models import Call
from call_log.phones import mask
from call_log.services import FINAL_STATUSES, find_call
from config.catalog import HotlineConfig
from operators.seating import took_call

log = logging.getLogger(__name__)


# Twilio's 21220: "Call is not in-progress. Cannot redirect." The caller hung
# up before our log heard the final status callback.
CALL_NOT_IN_PROGRESS = 21220
CALLER_HUNG_UP = "来电人已挂机"


class CallEnded(LookupError):
    """The call finished before the operator could join it."""

    def __init__(self, call_sid: str) -> None:
        super().__init__(f"{CALLER_HUNG_UP} (call {call_sid} has already ended)")


class NoDevice(ValueError):
    """The operator has no phone or Twilio Client identity to ring."""


class QueueEmpty(LookupError):
    pass


@dataclass(frozen=True)
class OperatorUrls:
    """The TwiML URLs the live call is moved to."""

    connect: Callable[[str], str]               # operator username -> URL bridging the caller to them
    transfer: Callable[[str, str | None], str]  # department code, case number -> URL


def take_over(session: Session, client: Client, call_sid: str, operator: User, urls: OperatorUrls,
              now: datetime) -> Call:
    """Move a caller who is in the IVR (or waiting) to the operator's device."""
    _require_device(operator)
    call = find_call(session, call_sid, lock=True)
    if call is None or call.status in FINAL_STATUSES:
        raise CallEnded(call_sid)
    _redirect(client, call_sid, urls.connect(operator.username))
    call.operator, call.operator_joined_at = operator.username, now
    if call.queued_at and not call.queue_ended_at:
        call.queue_ended_at, call.queue_result = now, "taken-over"
    took_call(session, operator, call_sid, now)
    audit(session, principal_for_user(operator), "takeover", call_sid, now,
          detail=f"took over the call from {mask(call.caller_e164 or call.from_raw)}")
    log.info("operator %s took over call %s", operator.username, call_sid)
    return call


def answer_next(session: Session, client: Client, config: HotlineConfig, line_id: str, operator: User,
                urls: OperatorUrls, now: datetime) -> Call:
    """Bridge the caller at the front of the line's queue to the operator."""
    _require_device(operator)
    queue_name = config.lines[line_id].operator_queue.name
    queue = next((q for q in client.queues.list() if q.friendly_name == queue_name), None)
    if queue is None:
        raise QueueEmpty(f"no one is waiting in {queue_name}")
    try:
        member = client.queues(queue.sid).members("Front").update(url=urls.connect(operator.username),
                                                                   method="POST")
    except TwilioRestException as error:
        if error.status == 404:
            raise QueueEmpty(f"no one is waiting in {queue_name}") from None
        raise
    call = find_call(session, member.call_sid, lock=True)
    if call is not None:
        call.operator, call.operator_joined_at = operator.username, now
        call.queue_ended_at, call.queue_result = now, "answered"
        took_call(session, operator, member.call_sid, now)
    audit(session, principal_for_user(operator), "answer_queue", member.call_sid, now, detail=queue_name)
    return call


def transfer(session: Session, client: Client, config: HotlineConfig, call_sid: str, department_code: str,
             case_number: str | None, operator: User, urls: OperatorUrls, now: datetime) -> Call:
    """Send the caller on to a department's duty number; the department
    hears the case summary first."""
    department = config.departments.get(department_code)
    if department is None or not department.duty_number:
        raise ValueError(f"department {department_code} has no duty number")
    call = find_call(session, call_sid, lock=True)
    if call is None or call.status in FINAL_STATUSES:
        raise CallEnded(call_sid)
    _redirect(client, call_sid, urls.transfer(department_code, case_number))
    audit(session, principal_for_user(operator), "transfer", call_sid, now,
          detail=f"to {department_code}" + (f" with case {case_number}" if case_number else ""))
    return call


def _redirect(client: Client, call_sid: str, url: str) -> None:
    try:
        client.calls(call_sid).update(url=url, method="POST")
    except TwilioRestException as error:
        if error.status == 404 or error.code == CALL_NOT_IN_PROGRESS:
            raise CallEnded(call_sid) from None
        raise


def _require_device(operator: User) -> None:
    if not operator.device:
        raise NoDevice(f"{operator.username} has no phone or Twilio Client identity; set one with "
                       f"`flask --app app user create ... --device`")
