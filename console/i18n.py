"""The console's languages and times: Chinese first (zh-CN), English too.

Each person's language is stored on their user (``User.language``); before
signing in, the choice made on the sign-in page is kept in the session.
Times are shown in the centre's time zone with the date; the JSON API keeps
ISO 8601 with an offset.  Catalogues live under ``translations/`` and are
compiled by ``make setup`` (``pybabel compile -d translations``); Chinese is
``translations/zh_Hans_CN``, the name Babel gives zh_CN (Simplified script).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context, session
from flask_babel import Babel, get_locale, gettext, ngettext

from wiring import services

LANGUAGES = {"zh_CN": "中文", "en_US": "English"}
DEFAULT_LANGUAGE = "zh_CN"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_language, timezone_selector=centre_time_zone)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["time_left"] = time_left
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["language"] = language
    from console import labels
    tables = {"status": labels.STATUS, "action": labels.ACTION, "role": labels.ROLE, "channel": labels.CHANNEL,
              "priority": labels.PRIORITY, "void_reason": labels.VOID_REASON, "step": labels.STEP,
              "callback_purpose": labels.CALLBACK_PURPOSE, "callback_status": labels.CALLBACK_STATUS,
              "task_kind": labels.TASK_KIND, "task_result": labels.TASK_RESULT, "recording": labels.RECORDING_STATUS}
    from operators.board import STEP_LABELS

    def label(kind: str, code: str | None) -> str:
        if kind == "node":          # a step of the IVR, by its node in the flow
            return labels.word(labels.STEP, STEP_LABELS.get(code or "", code))
        return labels.word(tables[kind], code)

    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["role_name"] = lambda code: labels.word(labels.ROLE, code)


def select_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    from console.auth import current_user  # the user is read once per request
    user = current_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = session.get("language")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def language() -> str:
    """The page's language as HTML writes it: zh-CN or en-US."""
    locale = get_locale()
    if locale is None or not locale.territory:
        return DEFAULT_LANGUAGE.replace("_", "-")
    return f"{locale.language}-{locale.territory}"


def centre_time_zone() -> str:
    """The time zone of the centre's first line; Asia/Shanghai in an app
    without the hotline's services (``services()`` raises KeyError there)."""
    try:
        return services().hotline.default_line().time_zone
    except (AttributeError, LookupError, StopIteration):
        return DEFAULT_TIME_ZONE


def local_time(moment: datetime | None, with_seconds: bool = False) -> str:
    """A moment in the centre's zone, with the date: 2026-10-09 14:05 (+08:00)."""
    if moment is None:
        return "—"
    zone = ZoneInfo(centre_time_zone())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def time_left(due: datetime | None, now: datetime) -> str:
    """How long until ``due`` (or how late), in words of the reader's language."""
    if due is None:
        return gettext("no time limit")
    left = due - now
    late = left < timedelta(0)
    minutes = int(abs(left).total_seconds()) // 60
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        span = ngettext("%(num)d day", "%(num)d days", days) + " " + ngettext("%(num)d hour", "%(num)d hours", hours)
    elif hours:
        span = ngettext("%(num)d hour", "%(num)d hours", hours) + " " + \
            ngettext("%(num)d minute", "%(num)d minutes", minutes)
    else:
        span = ngettext("%(num)d minute", "%(num)d minutes", minutes)
    return gettext("%(span)s late", span=span) if late else gettext("%(span)s left", span=span)
