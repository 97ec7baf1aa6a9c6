"""config/sms.yaml: who sends, how sending is retried, and the words of
each message per language.  Read and checked once at start (``load``): a
mistake stops the app, naming the file and the key."""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Mapping

from config.catalog import Line
from config.files import read_mapping

FILE = "sms.yaml"
DEFAULT_LANGUAGE = "zh-CN"
# Each template and the names it may use.
TEMPLATES: dict[str, frozenset[str]] = {
    "intake": frozenset({"line_name", "case_number", "category", "location", "expected"}),
    "closed": frozenset({"line_name", "case_number", "result"}),
    "closed_no_call": frozenset({"line_name", "case_number", "result"}),
    "unreachable": frozenset({"line_name", "hotline"}),
    "unreachable_case": frozenset({"line_name", "case_number", "hotline"}),
    "answer": frozenset({"line_name", "title", "answer"}),
    "expected_by": frozenset({"time"}),
    "expected_within": frozenset({"limit"}),
    "expected_unknown": frozenset(),
    "limit_working_hours": frozenset({"amount"}),
    "limit_working_days": frozenset({"amount"}),
    "limit_hours": frozenset({"amount"}),
    "unknown_category": frozenset(),
    "unknown_location": frozenset(),
    "no_result": frozenset(),
    "status_reply": frozenset({"line_name", "case_number", "status"}),
    "not_found": frozenset({"case_number"}),
    "opted_out": frozenset(),
    "opted_in": frozenset(),
    "help": frozenset(),
    "busy": frozenset(),
}
# Twilio refuses a body longer than 1600 characters (error 21617); a
# template leaves room for what is filled in.
MAX_TEMPLATE = 600
MAX_BODY = 1600
_MESSAGING_SERVICE = re.compile(r"MG[0-9a-fA-F]{32}")
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class SmsConfigError(ValueError):
    """config/sms.yaml is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class SmsSettings:
    messaging_service_sid: str | None
    senders: Mapping[str, str]                       # line id -> the number it sends from
    max_attempts: int
    retry_delays: tuple[timedelta, ...]
    templates: Mapping[str, Mapping[str, str]]       # language -> template -> words

    def sender(self, line: Line) -> str:
        return self.senders.get(line.id) or line.number

    def language_of(self, language: str | None) -> str:
        return language if language in self.templates else DEFAULT_LANGUAGE

    def text(self, language: str | None, key: str, **values: object) -> str:
        return self.templates[self.language_of(language)][key].format(**values)

    def retry_delay(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` requests failed (1 for the first)."""
        return self.retry_delays[min(max(attempts, 1), len(self.retry_delays)) - 1]


def load(config_dir: Path, lines: Mapping[str, Line]) -> SmsSettings:
    path = Path(config_dir) / FILE
    data = read_mapping(path, SmsConfigError)
    node = data.get("sms")
    if not isinstance(node, dict):
        raise SmsConfigError(f"{path}: sms: must be a mapping")

    def fail(key: str, message: str) -> SmsConfigError:
        return SmsConfigError(f"{path}: sms.{key}: {message}")

    service = node.get("messaging_service_sid")
    if service is not None and not (isinstance(service, str) and _MESSAGING_SERVICE.fullmatch(service)):
        raise fail("messaging_service_sid", "must be MG followed by 32 hex digits, or null")
    senders = node.get("senders") or {}
    if not isinstance(senders, dict):
        raise fail("senders", "must map line ids to numbers")
    for line_id, number in senders.items():
        if line_id not in lines:
            raise fail(f"senders.{line_id}", f"no such line (lines are {', '.join(sorted(lines))})")
        if not (isinstance(number, str) and re.fullmatch(r"\+[1-9][0-9]{6,14}", number)):
            raise fail(f"senders.{line_id}", "must be an E.164 number such as +8652388012319")
    attempts = node.get("max_attempts", 6)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        raise fail("max_attempts", "must be a whole number, at least 1")
    delays = node.get("retry_delays", ["1m"])
    if not isinstance(delays, list) or not delays:
        raise fail("retry_delays", "must be a list of durations such as [1m, 5m, 30m]")
    retry_delays = tuple(_duration(value, lambda m: fail("retry_delays", m)) for value in delays)
    templates = _templates(node.get("templates"), lines, fail)
    return SmsSettings(service, dict(senders), attempts, retry_delays, templates)


def _duration(value: object, fail) -> timedelta:
    match = _DURATION.match(str(value).strip())
    if not match:
        raise fail(f"{value!r} must be a duration such as 90s, 30m, 2h or 1d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _templates(node: object, lines: Mapping[str, Line], fail) -> dict[str, dict[str, str]]:
    if not isinstance(node, dict) or DEFAULT_LANGUAGE not in node:
        raise fail("templates", f"must map languages to templates, {DEFAULT_LANGUAGE} among them")
    needed = {DEFAULT_LANGUAGE} | {language for line in lines.values() for language in line.languages}
    missing = sorted(needed - set(node))
    if missing:
        raise fail("templates", f"no templates for {', '.join(missing)}, a language of the lines")
    templates: dict[str, dict[str, str]] = {}
    for language, texts in node.items():
        if not isinstance(texts, dict):
            raise fail(f"templates.{language}", "must map template names to words")
        absent = sorted(set(TEMPLATES) - set(texts))
        if absent:
            raise fail(f"templates.{language}", f"missing {', '.join(absent)}")
        for key, text in texts.items():
            where = f"templates.{language}.{key}"
            if key not in TEMPLATES:
                raise fail(where, f"no such template (templates are {', '.join(sorted(TEMPLATES))})")
            if not isinstance(text, str) or not text.strip():
                raise fail(where, "must be words")
            if len(text) > MAX_TEMPLATE:
                raise fail(where, f"longer than {MAX_TEMPLATE} characters")
            try:
                names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
            except ValueError as error:
                raise fail(where, f"braces do not match: {error}") from None
            unknown = sorted(names - TEMPLATES[key])
            if unknown:
                allowed = ", ".join("{%s}" % n for n in sorted(TEMPLATES[key])) or "none"
                raise fail(where, f"unknown placeholder {{{unknown[0]}}} (allowed: {allowed})")
        templates[language] = {key: text.strip() for key, text in texts.items()}
    return templates
