"""What the complainant is told by SMS, and when: the case events this
package follows (``follow_cases``, wired by ``create_app``).

- a case opened (or a report joined one): its number, category, place and
  the expected time;
- a case closed: the result, and that a satisfaction call follows;
- a callback gave up on a complainant it could not reach.

Each handler runs in the publisher's transaction and only queues messages.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from call_log.phones import national_digits, parse_caller, takes_sms
from cases.events import CALLBACK_UNREACHABLE, CASE_CLOSED, CASE_OPENED, CaseEvents
from cases.models import Case, CaseEvent, Complainant
from config.catalog import HotlineConfig, Line
from ivr.voice import format_time
from sms.services import queue_message
from sms.settings import SmsSettings


class Receipts:
    """The handlers, bound to the SMS settings read at start."""

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings

    def follow(self, events: CaseEvents) -> None:
        events.subscribe(CASE_OPENED, self.case_opened)
        events.subscribe(CASE_CLOSED, self.case_closed)
        events.subscribe(CALLBACK_UNREACHABLE, self.callback_unreachable)

    # --- the handlers ----------------------------------------------------------------------

    def case_opened(self, session: Session, config: HotlineConfig, case: Case, complainant: Complainant,
                    at: datetime) -> None:
        line = line_of(config, case.line_id)
        language = self.settings.language_of(complainant.language or line.default_language)
        phone = texting_number(complainant)
        queue_message(session, purpose="intake", purpose_key=f"intake:{case.id}:{phone}", phone=phone,
                      body=self.intake_text(config, case, line, language), language=language, now=at,
                      line_id=line.id, case_id=case.id)

    def case_closed(self, session: Session, config: HotlineConfig, case: Case, event: CaseEvent,
                    at: datetime) -> None:
        line = line_of(config, case.line_id)
        seen: set[str] = set()
        for complainant in case.complainants:
            phone = texting_number(complainant)
            if not phone or phone in seen:
                continue
            seen.add(phone)
            language = self.settings.language_of(complainant.language or line.default_language)
            # The satisfaction call is promised only to those who will get one (callbacks.services).
            template = "closed_no_call" if complainant.callback_declined else "closed"
            body = self.settings.text(language, template, line_name=line.name(language),
                                      case_number=case.number, result=self._result(case, language))
            queue_message(session, purpose="closed", purpose_key=f"closed:{case.id}:{event.id}:{phone}",
                          phone=phone, body=body, language=language, now=at, line_id=line.id, case_id=case.id)

    def callback_unreachable(self, session: Session, config: HotlineConfig, callback_id: int, phone_e164: str,
                             line_id: str | None, case_number: str | None, case_id: int | None,
                             language: str | None, at: datetime) -> None:
        line = line_of(config, line_id)
        language = self.settings.language_of(language or line.default_language)
        values = {"line_name": line.name(language), "hotline": national_digits(line.number)}
        body = (self.settings.text(language, "unreachable_case", case_number=case_number, **values)
                if case_number else self.settings.text(language, "unreachable", **values))
        queue_message(session, purpose="unreachable", purpose_key=f"unreachable:{callback_id}", phone=phone_e164,
                      body=body, language=language, now=at, line_id=line.id, case_id=case_id)

    def enquiry_answer(self, session: Session, config: HotlineConfig, *, enquiry_id: int, line_id: str,
                       phone: str | None, language: str | None, title: str, answer: str, at: datetime) -> None:
        """A caller who asked a question pressed the key for the full answer by SMS."""
        line = line_of(config, line_id)
        language = self.settings.language_of(language or line.default_language)
        body = self.settings.text(language, "answer", line_name=line.name(language), title=title, answer=answer)
        queue_message(session, purpose="enquiry", purpose_key=f"enquiry:{enquiry_id}", phone=phone, body=body,
                      language=language, now=at, line_id=line.id)

    # --- the words --------------------------------------------------------------------------

    def intake_text(self, config: HotlineConfig, case: Case, line: Line, language: str) -> str:
        text = self.settings.text
        category = config.categories.get(case.category_code or "")
        return text(language, "intake", line_name=line.name(language), case_number=case.number,
                    category=category.name(language) if category else text(language, "unknown_category"),
                    location=case.location_text or text(language, "unknown_location"),
                    expected=self._expected(config, case, line, language))

    def _expected(self, config: HotlineConfig, case: Case, line: Line, language: str) -> str:
        text = self.settings.text
        if case.due_at is not None and language in config.prompts:
            return text(language, "expected_by", time=format_time(config.prompts[language], case.due_at,
                                                                  line.time_zone))
        category = config.categories.get(case.category_code or "")
        if category is None:
            return text(language, "expected_unknown")
        limit = category.time_limit
        return text(language, "expected_within", limit=text(language, f"limit_{limit.unit}", amount=limit.amount))

    def _result(self, case: Case, language: str) -> str:
        """The department's own words on what was done, else the closing note."""
        for action in ("dispose", "close"):
            notes = [e.note for e in case.events if e.action == action and (e.note or "").strip()]
            if notes:
                return notes[-1].strip()
        return self.settings.text(language, "no_result")


def texting_number(complainant: Complainant) -> str | None:
    """Where a complainant's SMS go: the number they called from, unless it
    is a landline and the callback number they gave can take SMS."""
    for number in (complainant.phone_e164, complainant.callback_number):
        if takes_sms(parse_caller(number).e164):
            return parse_caller(number).e164
    return complainant.phone_e164


def line_of(config: HotlineConfig, line_id: str | None) -> Line:
    return config.lines.get(line_id or "") or next(iter(config.lines.values()))
