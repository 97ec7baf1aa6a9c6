"""The use cases of Twilio's SMS webhooks: an inbound text (opt out, opt
back in, ask a case's status) and a message's delivery status.

A case's status is told only to a number that reported it (the number the
report came from, or the callback number given): anyone else hears the same
words as for a case that does not exist.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from call_log.phones import mask, parse_caller
from cases.models import Case, Complainant
from config.catalog import HotlineConfig
from sms import keywords
from sms.models import SmsMessage
from sms.receipts import line_of
from sms.services import opt_in, opt_out
from sms.settings import SmsSettings

log = logging.getLogger(__name__)

# Twilio's message statuses, in the order a message goes through them; a
# late callback never moves a message back.
_ORDER = {"accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4,
          "undelivered": 4, "failed": 4, "canceled": 4, "read": 5}


def answer_text(session: Session, config: HotlineConfig, settings: SmsSettings, from_: str | None,
                body: str | None, now: datetime) -> str | None:
    """The reply to an inbound SMS, or None when there is no one to reply to."""
    phone = parse_caller(from_).e164
    if phone is None:
        return None
    request = keywords.read(body)
    language = settings.language_of(request.language)
    if request.kind == keywords.STOP:
        opt_out(session, phone, now, source=f"sms:{(body or '').strip()[:40]}")
        return settings.text(language, "opted_out")
    if request.kind == keywords.START:
        opt_in(session, phone)
        return settings.text(language, "opted_in")
    if request.kind == keywords.STATUS:
        return _status(session, config, settings, phone, request.case_number, language)
    return settings.text(language, "help")


def _status(session: Session, config: HotlineConfig, settings: SmsSettings, phone: str, number: str,
            language: str) -> str:
    case = session.scalars(select(Case).join(Complainant).where(
        Case.number == number, or_(Complainant.phone_e164 == phone, Complainant.callback_number == phone),
    ).limit(1)).first()
    if case is None:
        log.info("SMS status request from %s for a case not theirs or not there", mask(phone))
        return settings.text(language, "not_found", case_number=number)
    line = line_of(config, case.line_id)
    department = config.departments.get(case.department_code or "")
    prompts = config.prompts.get(language) or config.prompts[line.default_language]
    status = prompts.texts.get(f"status_{case.status}", case.status).format(
        department=department.name(language) if department else "")
    return settings.text(language, "status_reply", line_name=line.name(language), case_number=case.number,
                         status=status)


def record_status(session: Session, message_id: int | None, sid: str | None, status: str | None,
                  error_code: str | None, now: datetime) -> bool:
    """Twilio's status callback for one of our messages; False if unknown."""
    message = session.get(SmsMessage, message_id, with_for_update=True) if message_id is not None else None
    if message is None and sid:
        message = session.scalars(select(SmsMessage).where(SmsMessage.message_sid == sid)).one_or_none()
    if message is None or (message.message_sid and sid and message.message_sid != sid):
        return False
    if sid and not message.message_sid:
        message.message_sid = sid
    if message.status in ("pending", "sending"):
        # Twilio has it, whatever became of the request that sent it.
        message.status, message.sent_at = "sent", message.sent_at or now
    if status and _ORDER.get(status, 0) >= _ORDER.get(message.delivery_status or "", 0):
        message.delivery_status = status[:16]
        if error_code and error_code.isdigit():
            message.error_code = int(error_code)
    message.updated_at = now
    if status in ("undelivered", "failed"):
        log.warning("SMS %s to %s was %s (error %s)", message.id, mask(message.phone_e164), status, error_code)
    return True
