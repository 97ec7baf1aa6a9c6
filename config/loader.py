"""Load and validate the YAML configuration in a config directory.

Every problem is reported as ``<file>: <key path>: <what is wrong>`` so a
city's editor can find it, and a broken menu stops the service at start
instead of reaching a caller.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import yaml

from config.catalog import (
    KINDS,
    MENU_ACTIONS,
    PRIORITIES,
    CallbackPolicy,
    Category,
    CategoryClass,
    CategoryGroup,
    Department,
    HotlineConfig,
    Line,
    Menu,
    MenuOption,
    OperatorQueue,
    PromptSet,
    SeatPolicy,
    Voice,
)
from config.speech import speech_model_problem
from routing.addresses import Places
from routing.calendar import WEEKDAYS, WorkingCalendar
from routing.rules import RoutingRule
from routing.time_limits import TimeLimit

FILES = ("calendars.yaml", "departments.yaml", "categories.yaml", "lines.yaml", "routing.yaml")
LANGUAGES = ("zh-CN", "en-US")
MAX_MENU_CHOICES = 5
WHEN_UNSURE = ("operator", "keypad")
# Keys the IVR always needs, whatever the menus say.
REQUIRED_PROMPTS = (
    "after_hours", "open_case_offer", "describe", "describe_retry", "confirm_category",
    "category_intro", "category_option", "menu_tail", "location", "location_retry",
    "callback_confirm", "callback_entry", "callback_entry_or_decline", "callback_invalid",
    "case_created", "case_number_again", "callback_next_open", "goodbye", "status_entry",
    "status_not_found", "status_report", "status_more", "operator_voicemail", "voicemail_saved",
    "no_input", "invalid_input", "transfer_operator", "apology", "apology_saved", "language_offer",
    "confirm_reading", "offer_intro", "offer_none", "describe_other_words", "enquiry_to_operator",
    "enquiry_answer", "enquiry_sms_offer", "enquiry_way_out", "enquiry_thanks", "enquiry_sms_sent",
    "callback_implicit", "callback_changed", "urgent_noted", "yes_no_hints",
    "status_intake", "status_verifying", "status_filed", "status_dispatched", "status_disposed",
    "status_closed", "status_suspended", "status_voided", "status_handling", "status_returned",
    "queue_enter", "queue_return", "queue_position", "queue_next", "queue_offer_callback", "operator_closed",
    "operator_queue_full",
    "operator_wait_too_long", "operator_offer", "callback_scheduled", "takeover_notice", "transfer_notice",
    "whisper_operator", "whisper_said", "whisper_open_cases", "whisper_department", "whisper_department_call",
    "whisper_department_unknown", "hold_prompt", "caller_gone",
    # callbacks to complainants
    "callback_outcome", "callback_outcome_result", "callback_any_problem", "callback_survey",
    "callback_reason", "callback_reopened", "callback_thanks", "callback_opted_out", "callback_operator",
    "callback_message_saved", "callback_machine", "callback_missed", "callback_queue",
    "callback_after_hours", "callback_contact_menu", "callback_apology",
)
# Said after the greeting on a line whose operators' calls are recorded.
RECORDING_NOTICE = "recording_notice"
_CODE = re.compile(r"^[CE]\d{4}$")
_CLASS_CODE = re.compile(r"^[CE]\d{2}$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DEPT = re.compile(r"^[A-Z][A-Z0-9_]*$")
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


class ConfigError(ValueError):
    """The configuration is invalid; the message names the file and the key."""


class _Node:
    """A value read from a YAML file, remembering where it came from."""

    def __init__(self, value: Any, file: str, path: str = "") -> None:
        self.value, self.file, self.path = value, file, path

    def fail(self, message: str) -> ConfigError:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return ConfigError(f"{where}: {message}")

    def child(self, key: str | int) -> "_Node":
        if isinstance(key, int):
            path = f"{self.path}[{key}]"
        else:
            path = f"{self.path}.{key}" if self.path else str(key)
        value = self.value[key] if isinstance(key, int) else self.value.get(key)
        return _Node(value, self.file, path)

    def mapping(self) -> dict:
        if not isinstance(self.value, dict):
            raise self.fail("must be a mapping of keys to values")
        return self.value

    def items(self) -> list[_Node]:
        if not isinstance(self.value, list):
            raise self.fail("must be a list")
        return [self.child(i) for i in range(len(self.value))]

    def key(self, key: str, required: bool = True, default: Any = None) -> "_Node":
        self.mapping()
        node = self.child(key)
        if node.value is None:
            if required:
                raise node.fail("is required")
            node.value = default
        return node

    def text(self, pattern: re.Pattern | None = None, hint: str = "") -> str:
        if isinstance(self.value, (int, float)) and not isinstance(self.value, bool):
            self.value = str(self.value)
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("must be a non-empty text")
        if pattern and not pattern.match(self.value):
            raise self.fail(f"{self.value!r} {hint or 'is malformed'}")
        return self.value

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())

    def choice(self, allowed: tuple[str, ...]) -> str:
        value = self.text()
        if value not in allowed:
            raise self.fail(f"{value!r} must be one of {', '.join(allowed)}")
        return value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("must be true or false")
        return self.value

    def names(self) -> dict[str, str]:
        mapping = self.mapping()
        for language in mapping:
            if language not in LANGUAGES:
                raise self.child(language).fail(f"unknown language; use {', '.join(LANGUAGES)}")
        if "zh-CN" not in mapping:
            raise self.fail("needs a zh-CN name")
        return {language: self.child(language).text() for language in mapping}

    def date(self) -> dt.date:
        if isinstance(self.value, dt.date):
            return self.value
        try:
            return dt.date.fromisoformat(str(self.value))
        except ValueError:
            raise self.fail(f"{self.value!r} is not a date (YYYY-MM-DD)") from None


def _read(directory: Path, name: str) -> _Node:
    path = directory / name
    label = str(path)
    if not path.exists():
        raise ConfigError(f"{label}: file is missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: not valid YAML: {exc}") from None
    return _Node(data, label)


def _unique(nodes: list[_Node], key_of: Callable[[_Node], str], what: str) -> None:
    seen: set[str] = set()
    for node in nodes:
        key = key_of(node)
        if key in seen:
            raise node.fail(f"duplicate {what} {key!r}")
        seen.add(key)


def _time_zone(node: _Node) -> str:
    name = node.text()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise node.fail(f"{name!r} is not a time zone name such as Asia/Shanghai") from None
    return name


def _intervals(node: _Node) -> tuple[tuple[int, int], ...]:
    """Times of day such as ["08:30-12:00", "14:30-17:30"], as minutes since midnight."""
    hours: list[tuple[int, int]] = []
    for item in node.items():
        match = _HOURS.match(item.text())
        if not match:
            raise item.fail(f"{item.value!r} must look like 08:30-12:00")
        h1, m1, h2, m2 = map(int, match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start >= end or end > 24 * 60:
            raise item.fail(f"{item.value!r} is not a valid interval within one day")
        if hours and start < hours[-1][1]:
            raise item.fail("intervals must be in order and must not overlap")
        hours.append((start, end))
    if not hours:
        raise node.fail("needs at least one interval")
    return tuple(hours)


def _calendars(root: _Node) -> dict[str, WorkingCalendar]:
    calendars_node = root.key("calendars")
    result = {}
    for cid in calendars_node.mapping():
        node = calendars_node.child(cid)
        if not _ID.match(str(cid)):
            raise node.fail("a calendar id is lower-case letters, digits and _")
        hours = _intervals(node.key("hours"))
        weekdays = set()
        for item in node.key("weekdays").items():
            weekdays.add(WEEKDAYS.index(item.choice(WEEKDAYS)))
        holidays = frozenset(i.date() for i in node.key("holidays", False, []).items())
        working = frozenset(i.date() for i in node.key("working_days", False, []).items())
        if not weekdays and not working:
            raise node.child("weekdays").fail("a calendar needs some working days")
        result[cid] = WorkingCalendar(
            id=cid, time_zone=_time_zone(node.key("time_zone")), hours=tuple(hours),
            weekdays=frozenset(weekdays), holidays=holidays, working_days=working,
            name=str(node.key("name", False, cid).value),
        )
    return result


def _departments(root: _Node, calendars: dict, secrets: Mapping[str, str]) -> dict[str, Department]:
    items = root.key("departments").items()
    _unique(items, lambda n: str(n.key("code").value), "department code")
    result = {}
    for node in items:
        code = node.key("code").text(_DEPT, "must be upper-case letters, digits and _")
        calendar = node.key("calendar").text()
        if calendar not in calendars:
            raise node.child("calendar").fail(f"unknown calendar {calendar!r}")
        duty = node.key("duty_number", False).value
        if duty is not None:
            duty = _e164(node.child("duty_number"))
        notify_url = notify_secret = None
        notify = node.key("notify", False).value
        if notify is not None:
            notify_node = node.child("notify")
            notify_url = notify_node.key("url").text(re.compile(r"^https?://"), "must be an http(s) URL")
            secret_name = notify_node.key("secret_env").text(re.compile(r"^HOTLINE_NOTIFY_SECRET_[A-Z0-9_]+$"),
                                                             "must name a HOTLINE_NOTIFY_SECRET_... variable")
            notify_secret = secrets.get(secret_name)
            if not notify_secret:
                raise notify_node.child("secret_env").fail(f"environment variable {secret_name} is not set")
        result[code] = Department(
            code=code, names=node.key("name").names(), calendar=calendar, duty_number=duty,
            district=node.key("district", False).value, notify_url=notify_url, notify_secret=notify_secret,
        )
    return result


def _e164(node: _Node) -> str:
    raw = node.text()
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise node.fail(f"{raw!r} is not an E.164 number such as +8652388012319") from None
    if not phonenumbers.is_possible_number(parsed):
        raise node.fail(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _category_classes(root: _Node, departments: dict) -> dict[str, CategoryClass]:
    items = root.key("classes").items()
    _unique(items, lambda n: str(n.key("code").value), "class code")
    result = {}
    for node in items:
        code = node.key("code").text(_CLASS_CODE, "must be C or E and two digits, e.g. C01")
        department = node.key("department").text()
        if department not in departments:
            raise node.child("department").fail(f"unknown department {department!r}")
        result[code] = CategoryClass(
            code=code, names=node.key("name").names(), lines=node.key("lines").texts(),
            department=department, priority=node.key("priority").choice(PRIORITIES),
            time_limit=_time_limit(node.key("time_limit")), verify_first=node.key("verify_first").boolean(),
        )
    return result


def _categories(root: _Node, departments: dict) -> tuple[dict[str, CategoryClass], dict[str, Category]]:
    """The catalogue: major classes, whose settings are the defaults of
    their categories, and the categories themselves."""
    classes = _category_classes(root, departments)
    items = root.key("categories").items()
    _unique(items, lambda n: str(n.key("code").value), "category code")
    result = {}
    for node in items:
        code = node.key("code").text(_CODE, "must be C or E and four digits, e.g. C0101")
        major = classes.get(code[:3])
        if major is None:
            raise node.child("code").fail(f"{code!r}: no class {code[:3]} in classes")
        kind = KINDS[0] if code.startswith("C") else KINDS[1]
        if node.mapping().get("kind") is not None and node.key("kind").choice(KINDS) != kind:
            raise node.child("code").fail(f"{code!r}: components start with C and events with E")
        department = node.key("department", False, major.department).text()
        if department not in departments:
            raise node.child("department").fail(f"unknown department {department!r}")
        limit_node = node.key("time_limit", False, None)
        keywords = node.key("keywords", False, []).texts()
        result[code] = Category(
            code=code, kind=kind, names=node.key("name").names(),
            lines=node.key("lines", False, list(major.lines)).texts() or major.lines,
            department=department,
            priority=node.key("priority", False, major.priority).choice(PRIORITIES),
            time_limit=_time_limit(limit_node) if limit_node.value is not None else major.time_limit,
            verify_first=node.key("verify_first", False, major.verify_first).boolean(), keywords=keywords,
        )
    return classes, result


def _time_limit(node: _Node) -> TimeLimit:
    try:
        return TimeLimit.parse(node.text())
    except ValueError as exc:
        raise node.fail(str(exc)) from None


def _menu(node: _Node, languages: tuple[str, ...], depth: int = 0) -> Menu:
    if depth > 4:
        raise node.fail("menus nest at most four levels deep")
    prompt = node.key("prompt").text()
    options_node = node.key("options")
    options: dict[str, MenuOption] = {}
    for key in options_node.mapping():
        option_node = options_node.child(str(key)) if str(key) in options_node.value else options_node.child(key)
        if not re.fullmatch(r"[0-9*#]", str(key)):
            raise option_node.fail("a menu key is one keypad key: 0-9, * or #")
        action = option_node.key("action").choice(MENU_ACTIONS)
        if str(key) == "0" and action != "operator":
            raise option_node.fail("0 always reaches a person: its action must be operator")
        if str(key) == "9":
            raise option_node.fail("9 repeats the menu and cannot be given another action")
        option = MenuOption(action=action)
        if action == "message":
            option = MenuOption(action, prompt=option_node.key("prompt").text())
        elif action == "language":
            language = option_node.key("language").text()
            if language not in languages:
                raise option_node.child("language").fail(f"{language!r} is not one of this line's languages")
            option = MenuOption(action, language=language)
        elif action == "menu":
            option = MenuOption(action, submenu=_menu(option_node, languages, depth + 1))
        options[str(key)] = option
    if "0" not in options:
        raise options_node.fail("every menu needs 0 for a person (action: operator)")
    choices = [k for k, o in options.items() if k != "0" and o.action != "language"]
    if len(choices) > MAX_MENU_CHOICES:
        raise options_node.fail(f"at most {MAX_MENU_CHOICES} choices a level, besides 0 and the language key")
    speech = node.key("speech", False).value
    if speech is not None and speech not in ("complaint", "status", "operator"):
        raise node.child("speech").fail("must be complaint, status or operator")
    return Menu(prompt=prompt, options=options, speech=speech)


def _lines(root: _Node, calendars: dict, categories: dict) -> dict[str, Line]:
    items = root.key("lines").items()
    _unique(items, lambda n: str(n.key("id").value), "line id")
    result, numbers = {}, {}
    for node in items:
        line_id = node.key("id").text(_ID, "must be lower-case letters, digits and _")
        languages = tuple(node.key("languages").items()[i].choice(LANGUAGES)
                          for i in range(len(node.child("languages").items())))
        if not languages:
            raise node.child("languages").fail("needs at least one language")
        line_numbers = []
        for item in node.key("numbers").items():
            number = _e164(item)
            if number in numbers:
                raise item.fail(f"{number} already belongs to line {numbers[number]!r}")
            numbers[number] = line_id
            line_numbers.append(number)
        if not line_numbers:
            raise node.child("numbers").fail("needs at least one number")
        hours = node.key("business_hours").text()
        if hours not in calendars:
            raise node.child("business_hours").fail(f"unknown calendar {hours!r}")
        groups = []
        groups_node = node.key("category_menu")
        group_items = groups_node.items()
        if not group_items:
            raise groups_node.fail("needs at least one group")
        if len(group_items) > MAX_MENU_CHOICES:
            raise groups_node.fail(f"at most {MAX_MENU_CHOICES} groups")
        for group_node in group_items:
            codes = group_node.key("categories").texts()
            if not codes or len(codes) > MAX_MENU_CHOICES:
                raise group_node.child("categories").fail(f"a group holds 1 to {MAX_MENU_CHOICES} categories")
            for index, code in enumerate(codes):
                if code not in categories:
                    raise group_node.child("categories").child(index).fail(f"unknown category {code!r}")
                if line_id not in categories[code].lines:
                    raise group_node.child("categories").child(index).fail(
                        f"category {code!r} does not list line {line_id!r} in its lines")
            groups.append(CategoryGroup(label=group_node.key("label").text(), categories=codes))
        queue_node = node.key("operator_queue")
        queue = OperatorQueue(
            name=queue_node.key("name").text(re.compile(r"^[A-Za-z0-9_.-]{1,64}$"),
                                             "must be 1-64 letters, digits, '.', '_' or '-'"),
            max_size=_positive(queue_node.key("max_size", False, 10)),
            max_wait_minutes=_positive(queue_node.key("max_wait_minutes", False, 5)),
            minutes_per_caller=_positive(queue_node.key("minutes_per_caller", False, 2.0), number=float),
        )
        result[line_id] = Line(
            id=line_id, names=node.key("name").names(), numbers=tuple(line_numbers),
            time_zone=_time_zone(node.key("time_zone")), business_hours=hours, languages=languages,
            greeting=node.key("greeting").text(), menu=_menu(node.key("menu"), languages),
            category_menu=tuple(groups), operator_queue=queue,
            when_unsure=node.key("when_unsure", False, "operator").choice(WHEN_UNSURE),
            record_calls=node.key("record_calls", False, True).boolean(),
        )
    for code, category in categories.items():
        for line_id in category.lines:
            if line_id not in result:
                raise ConfigError(f"categories.yaml: category {code}: unknown line {line_id!r}")
    return result


def _positive(node: _Node, number=int):
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or \
            (number is int and not isinstance(value, int)):
        raise node.fail(f"must be a positive {'whole ' if number is int else ''}number")
    return number(value)


def _prompt_set(directory: Path, language: str) -> PromptSet:
    root = _read(directory / "prompts", f"{language}.yaml")
    if root.key("language").text() != language:
        raise root.child("language").fail(f"must be {language}, the file's name")
    voice = root.key("voice")
    texts_node = root.key("prompts")
    texts = {str(k): texts_node.child(k).text() for k in texts_node.mapping()}
    weekdays = root.key("weekdays").texts()
    if len(weekdays) != 7:
        raise root.child("weekdays").fail("needs seven names, Monday first")
    return PromptSet(
        language=language,
        voice=_voice(voice),
        texts=texts, time_format=root.key("time_format").text(), weekdays=weekdays,
    )


def _voice(node: _Node) -> Voice:
    speech_language = node.key("speech_language").text()
    model_node = node.key("speech_model", False, None)
    model = model_node.text() if model_node.value is not None else None
    if model is not None:
        problem = speech_model_problem(model, speech_language)
        if problem:
            raise model_node.fail(problem)
    return Voice(node.key("say_language").text(), node.key("say_voice").text(), speech_language, model)


def _prompt_keys_used(line: Line) -> set[str]:
    keys = {line.greeting}
    if line.record_calls:
        keys.add(RECORDING_NOTICE)
    keys.update(group.label for group in line.category_menu)
    pending = [line.menu]
    while pending:
        menu = pending.pop()
        keys.add(menu.prompt)
        for option in menu.options.values():
            if option.prompt:
                keys.add(option.prompt)
            if option.submenu:
                pending.append(option.submenu)
    return keys


def _check_prompts(prompts: dict[str, PromptSet], lines: dict[str, Line]) -> None:
    for language, prompt_set in prompts.items():
        label = f"prompts/{language}.yaml"
        needed = set(REQUIRED_PROMPTS)
        for line in lines.values():
            if language in line.languages:
                needed |= _prompt_keys_used(line)
        missing = sorted(needed - set(prompt_set.texts))
        if missing:
            raise ConfigError(f"{label}: prompts: missing {', '.join(missing)}")
        for key, text in prompt_set.texts.items():
            try:
                text.format_map(_AnyValue())
            except (ValueError, IndexError) as exc:
                raise ConfigError(f"{label}: prompts.{key}: bad placeholder: {exc}") from None


class _AnyValue(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _places(root: _Node) -> Places:
    places = root.key("places", False, {})
    return Places(cities=places.key("cities", False, []).texts(),
                  districts=places.key("districts", False, []).texts())


def _repeat_window(root: _Node) -> int:
    node = root.key("repeat_window_days", False, 30)
    if not isinstance(node.value, int) or isinstance(node.value, bool) or node.value < 0:
        raise node.fail("must be a whole number of days")
    return node.value


def _routing(root: _Node, departments: dict, categories: dict) -> tuple[RoutingRule, ...]:
    rules = []
    for node in root.key("rules", False, []).items():
        department = node.key("department").text()
        if department not in departments:
            raise node.child("department").fail(f"unknown department {department!r}")
        codes = node.key("categories", False, []).texts()
        for index, code in enumerate(codes):
            if code not in categories:
                raise node.child("categories").child(index).fail(f"unknown category {code!r}")
        rules.append(RoutingRule(
            name=node.key("name").text(), department=department, categories=codes,
            location_contains=node.key("location_contains", False, []).texts(),
        ))
    return tuple(rules)


def load_config(directory: Path | str, secrets: Mapping[str, str] | None = None) -> HotlineConfig:
    """The validated configuration.  ``secrets`` maps the environment
    variables that YAML may name (departments' notification secrets)."""
    directory = Path(directory)
    calendars = _calendars(_read(directory, "calendars.yaml"))
    departments = _departments(_read(directory, "departments.yaml"), calendars, secrets or {})
    classes, categories = _categories(_read(directory, "categories.yaml"), departments)
    lines = _lines(_read(directory, "lines.yaml"), calendars, categories)
    languages = sorted({language for line in lines.values() for language in line.languages})
    prompts = {language: _prompt_set(directory, language) for language in languages}
    _check_prompts(prompts, lines)
    routing = _read(directory, "routing.yaml")
    rules = _routing(routing, departments, categories)
    by_number = {number: line.id for line in lines.values() for number in line.numbers}
    return HotlineConfig(lines=lines, prompts=prompts, departments=departments,
                         categories=categories, classes=classes, calendars=calendars, routing_rules=rules,
                         places=_places(routing), repeat_window_days=_repeat_window(routing),
                         callbacks=_callback_policy(directory), seats=_seat_policy(directory),
                         _by_number=by_number)


_DURATION = re.compile(r"^(\d+)([smhd])$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _duration(node: _Node) -> dt.timedelta:
    match = _DURATION.match(node.text().strip())
    if not match:
        raise node.fail(f"{node.value!r} must be a duration such as 90s, 30m, 2h or 1d")
    return dt.timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})


def _whole_number(node: _Node, minimum: int) -> int:
    if not isinstance(node.value, int) or isinstance(node.value, bool) or node.value < minimum:
        raise node.fail(f"must be a whole number, at least {minimum}")
    return node.value


def _callback_policy(directory: Path) -> CallbackPolicy:
    """callbacks.yaml is optional; without it the defaults of CallbackPolicy hold."""
    if not (directory / "callbacks.yaml").exists():
        return CallbackPolicy()
    defaults = CallbackPolicy()
    root = _read(directory, "callbacks.yaml").key("callbacks")
    hours = _intervals(root.key("hours"))
    delays = tuple(_duration(item) for item in root.key("retry_delays", False, []).items())
    return CallbackPolicy(
        hours=tuple(hours),
        outcome_delay=_duration(root.key("outcome_delay")) if root.mapping().get("outcome_delay") is not None
        else defaults.outcome_delay,
        missed_delay=_duration(root.key("missed_delay")) if root.mapping().get("missed_delay") is not None
        else defaults.missed_delay,
        max_attempts=_whole_number(root.key("max_attempts", False, defaults.max_attempts), 1),
        retry_delays=delays or defaults.retry_delays,
        ring_seconds=_whole_number(root.key("ring_seconds", False, defaults.ring_seconds), 5),
    )


def _seat_policy(directory: Path) -> SeatPolicy:
    """seats.yaml is optional; without it the defaults of SeatPolicy hold."""
    if not (directory / "seats.yaml").exists():
        return SeatPolicy()
    defaults = SeatPolicy()
    root = _read(directory, "seats.yaml").key("seats")
    given = root.mapping()
    missed = root.key("missed_state", False, defaults.missed_state)
    if missed.value not in ("break", "offline"):
        raise missed.fail("must be break or offline")
    return SeatPolicy(
        ring_seconds=_whole_number(root.key("ring_seconds", False, defaults.ring_seconds), 5),
        wrap_up=_duration(root.key("wrap_up")) if given.get("wrap_up") is not None else defaults.wrap_up,
        missed_state=missed.value,
    )
