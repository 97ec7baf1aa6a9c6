"""Notes that the domain code writes in English on a case's events (the
intake, a repeat report, an automatic step, the overdue flag), said in the
reader's language when the console shows them.

The notes stay as written in the database and the API; here each known
wording is matched whole and said again through the catalogue.  A note a
person wrote matches none of them and is shown as it is.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Callable

from flask_babel import gettext as _

from console.i18n import local_time
from console.labels import CHANNEL, word

# A channel as the domain names it in a note (a person's "bad report" is not one).
_CHANNELS = "|".join(re.escape(code) for code in (*CHANNEL, "inspector", "api"))


def _channel(code: str) -> str:
    return word(CHANNEL, code)


def _due(text: str) -> str:
    try:
        return local_time(datetime.fromisoformat(text))
    except ValueError:
        return text


# (the domain's wording, what to say instead); each pattern is matched against the whole note.
_KNOWN: tuple[tuple[re.Pattern, Callable[[re.Match], str]], ...] = (
    (re.compile(rf"({_CHANNELS}) report"), lambda m: _("reported by %(channel)s", channel=_channel(m[1]))),
    (re.compile(rf"({_CHANNELS}) report; the caller says it is urgent"),
     lambda m: _("reported by %(channel)s; the caller says it is urgent", channel=_channel(m[1]))),
    (re.compile(rf"repeat report by ({_CHANNELS}): (.*)", re.S),
     lambda m: _("reported again by %(channel)s: %(words)s", channel=_channel(m[1]), words=m[2])),
    (re.compile(r"repeat report \((\d+\.\d+) address similarity\)"),
     lambda m: _("reported again at the same place (address similarity %(score)s)", score=m[1])),
    (re.compile(r"urgent report"), lambda m: _("urgent report: an inspector goes to the site at once")),
    (re.compile(r"category is verified on site before filing"),
     lambda m: _("this category is verified on site before it is filed")),
    (re.compile(r"past its time limit \(due (\S+)\); escalated to the supervisor"),
     lambda m: _("past its time limit (due %(due)s); escalated to the supervisor", due=_due(m[1]))),
    (re.compile(r"not satisfied with the outcome \(callback survey\); no reason given"),
     lambda m: _("not satisfied with the outcome (callback survey); no reason given")),
    (re.compile(r"filed by the operator who took the call"), lambda m: _("filed by the operator who took the call")),
    (re.compile(r"corrected by the operator who took the call"),
     lambda m: _("corrected by the operator who took the call")),
    (re.compile(r"inspector found no such problem; a supervisor decides whether to void"),
     lambda m: _("the inspector found no such problem; a supervisor decides whether to void the case")),
)


def said(note: str | None) -> str:
    """``note`` in the reader's language if the domain wrote it, else as it is."""
    if not note:
        return ""
    for pattern, say in _KNOWN:
        found = pattern.fullmatch(note)
        if found:
            return say(found)
    return note
