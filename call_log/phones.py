"""Phone numbers: parsing callers, masking for logs, and callback numbers.

The one module that calls ``phonenumbers``; everyone else asks here.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import carrier, geocoder
from phonenumbers import timezone as number_timezone

# What carriers put in From when the caller withholds the number; Twilio
# documents "anonymous" and the "+266696687" placeholder.
ANONYMOUS = {"", "anonymous", "+266696687", "266696687", "unknown", "restricted", "private", "blocked"}


@dataclass(frozen=True)
class CallerNumber:
    raw: str
    e164: str | None = None
    region: str | None = None
    location: str | None = None
    carrier: str | None = None
    time_zone: str | None = None

    @property
    def callable(self) -> bool:
        return self.e164 is not None


def parse_caller(raw: str | None, default_region: str = "CN") -> CallerNumber:
    """Parse Twilio's From.  Anonymous or unparseable callers get no e164."""
    raw = (raw or "").strip()
    if raw.lower() in ANONYMOUS or raw.startswith("client:"):
        return CallerNumber(raw=raw)
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return CallerNumber(raw=raw)
    if not phonenumbers.is_valid_number(number):
        return CallerNumber(raw=raw)
    zones = [z for z in number_timezone.time_zones_for_number(number) if z != "Etc/Unknown"]
    return CallerNumber(
        raw=raw,
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        region=phonenumbers.region_code_for_number(number),
        location=geocoder.description_for_number(number, "en") or None,
        carrier=carrier.name_for_number(number, "en") or None,
        time_zone=zones[0] if len(zones) == 1 else None,
    )


def takes_sms(e164: str | None) -> bool:
    """Whether an SMS can reach the number: a valid number that is not
    known to be a landline (phonenumbers cannot always tell, and then it is
    worth trying)."""
    if not e164:
        return False
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and \
        phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE


def parse_entered(digits: str, default_region: str = "CN") -> str | None:
    """A callback number typed on the keypad, as E.164, or None if not dialable."""
    digits = re.sub(r"[^0-9+]", "", digits or "")
    if len(digits) < 5:
        return None
    try:
        number = phonenumbers.parse(digits, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_of(e164: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None


def time_zone_of(e164: str) -> str | None:
    """The number's single time zone, or None when it spans several."""
    try:
        zones = number_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    zones = [z for z in zones if z != "Etc/Unknown"]
    return zones[0] if len(zones) == 1 else None


def last_four(e164: str | None) -> str:
    return (e164 or "")[-4:]


def mask(number: str | None) -> str:
    """+8613812345678 -> +86*******5678: enough to recognise, not to dial."""
    if not number:
        return ""
    digits = re.sub(r"\D", "", number)
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 2 if number.startswith("+") else 0
    head = ("+" + digits[:keep_head]) if keep_head else ""
    return head + "*" * (len(digits) - keep_head - 4) + digits[-4:]


_INTERNATIONAL = re.compile(r"\+\d{7,15}")
# Digits as people write them and speech engines return them: 一三九…, 幺 for one, full-width １３９.
# One character for one, so positions in the translated text are positions in the original.
_AS_DIGITS = str.maketrans("〇零一二三四五六七八九幺０１２３４５６７８９", "001234567891" + "0123456789")
# Seven digits or more, perhaps grouped by single spaces, dashes or dots: dialable somewhere.
# Not inside a word: a Twilio SID or a URL path is no phone number.
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ \-.]?[0-9]){6,}(?![0-9A-Za-z])")
# A case number, YYMMDD and a four-digit serial (cases.services.next_case_number): ten digits
# in a row are no Chinese phone number (mobiles have eleven, landlines with their area code
# eleven or twelve), so it stays readable, e.g. "duplicate of 2610090001".
_CASE_NUMBER = re.compile(r"[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{4}")
# A date written with separators, 2026-10-09 or 2026.10.9: no one dials it.
_DATE = re.compile(r"[12][0-9]{3}([-.])(0?[1-9]|1[0-2])\1(0?[1-9]|[12][0-9]|3[01])")


def mask_text(text: str, region: str = "CN") -> str:
    """Mask phone numbers in free text: anything in E.164 form, and any run of
    digits that phonenumbers finds to be a valid number of the region, written
    in ASCII, full-width or Chinese digits (一三九一二三四五六七八).  Case
    numbers and other serials are not valid numbers and stay readable."""
    plain = text.translate(_AS_DIGITS)
    if not any(ch.isdigit() for ch in plain):
        return text
    spans = [m.span() for m in _INTERNATIONAL.finditer(plain)]
    for match in phonenumbers.PhoneNumberMatcher(plain, region, leniency=phonenumbers.Leniency.VALID):
        if not any(start < match.end and match.start < end for start, end in spans):
            spans.append((match.start, match.end))
    return _masked(text, plain, spans)


def mask_dialable(text: str, region: str = "CN") -> str:
    """For what the public reads (Open311), and lists: nothing dialable at all.  As
    ``mask_text``, and any other run of seven digits or more is masked too
    (a local landline without its area code, a number phonenumbers does
    not know), except a case number or a date."""
    text = mask_text(text, region)
    plain = text.translate(_AS_DIGITS)
    return _masked(text, plain, [m.span() for m in _DIGIT_RUN.finditer(plain)
                                 if not _CASE_NUMBER.fullmatch(m.group(0)) and not _DATE.fullmatch(m.group(0))])


def _masked(text: str, plain: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + mask(plain[start:end]) + text[end:]
    return text


class MaskPhoneNumbers(logging.Filter):
    """A logging filter that masks phone numbers in every record it sees,
    in the message and in the traceback: a database error's text carries
    the statement's parameters, whole numbers among them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set, rather than formatting exc_info again.
            record.exc_text = mask_text(_TRACEBACKS.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()


def national_digits(e164: str) -> str:
    """The digits a local caller dials: +8652388012319 -> 052388012319."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", e164 or "")
    return re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
