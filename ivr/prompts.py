"""Turning prompt keys into what the caller hears.

A prompt is a template from config/prompts/<language>.yaml.  Values wrapped
in ``Digits`` are read slowly, one digit at a time (case numbers, the last
four digits of a phone number); everything else is plain text.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from config.catalog import PromptSet


class Digits(str):
    """A string the caller must hear digit by digit."""


@dataclass(frozen=True)
class Segment:
    text: str
    digits: bool = False


@dataclass(frozen=True)
class Utterance:
    language: str
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(" ".join(s.text) if s.digits else s.text for s in self.segments)


def render(prompts: PromptSet, prompt_key: str, /, **params: object) -> Utterance:
    template = prompts.text(prompt_key)
    segments: list[Segment] = []
    pending = ""
    for literal, field, spec, _conv in string.Formatter().parse(template):
        pending += literal
        if field is None:
            continue
        value = params[field]
        if isinstance(value, Digits):
            if pending:
                segments.append(Segment(pending))
                pending = ""
            segments.append(Segment(str(value), digits=True))
        else:
            pending += format(value, spec or "")
    if pending:
        segments.append(Segment(pending))
    return Utterance(prompts.language, tuple(segments))


def format_time(prompts: PromptSet, moment: datetime, time_zone: str) -> str:
    local = moment.astimezone(ZoneInfo(time_zone))
    return prompts.time_format.format(
        month=local.month, day=local.day, hour=local.hour, minute=local.minute,
        weekday=prompts.weekdays[local.weekday()],
    )
