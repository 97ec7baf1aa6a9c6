"""The validated shape of the shipped configuration: lines, menus, prompts,
departments, categories, calendars and routing rules.

Plain frozen dataclasses, built by ``config.loader`` and read by the domain
code (IVR flow, routing, time limits).  Nothing here touches a file.

Imports point one way: config builds the pure domain's values (calendars,
time limits, places, routing rules) and routing never imports config.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Mapping

from routing.addresses import Places
from routing.calendar import WorkingCalendar
from routing.rules import RoutingRule
from routing.time_limits import TimeLimit

PRIORITIES = ("urgent", "high", "normal")
KINDS = ("component", "event")
MENU_ACTIONS = ("complaint", "status", "operator", "language", "menu", "message")


@dataclass(frozen=True)
class Department:
    code: str
    names: Mapping[str, str]
    calendar: str
    duty_number: str | None = None
    district: str | None = None
    # The department's own system, notified of the cases that concern it.
    notify_url: str | None = None
    notify_secret: str | None = None    # from the environment variable named in YAML

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()))


@dataclass(frozen=True)
class CategoryClass:
    """A major class of the catalogue (C01 public facilities, E05 street
    order...); what it sets is the default for its categories."""

    code: str                           # C or E and two digits
    names: Mapping[str, str]
    lines: tuple[str, ...]
    department: str
    priority: str
    time_limit: TimeLimit
    verify_first: bool

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()))


@dataclass(frozen=True)
class Category:
    code: str
    kind: str
    names: Mapping[str, str]
    lines: tuple[str, ...]
    department: str
    priority: str
    time_limit: TimeLimit
    verify_first: bool
    keywords: tuple[str, ...]

    @property
    def major(self) -> str:
        """The major class: C0101 -> C01."""
        return self.code[:3]

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()))


@dataclass(frozen=True)
class MenuOption:
    action: str
    prompt: str | None = None          # for message and menu
    language: str | None = None        # for language
    submenu: "Menu | None" = None      # for menu


@dataclass(frozen=True)
class Menu:
    prompt: str
    options: Mapping[str, MenuOption]
    speech: str | None = None          # the action free speech triggers

    def find(self, path: str) -> "Menu":
        """The submenu reached by pressing the keys of ``path`` from here."""
        menu = self
        for key in path:
            option = menu.options[key]
            if option.submenu is None:
                raise KeyError(path)
            menu = option.submenu
        return menu


@dataclass(frozen=True)
class CategoryGroup:
    label: str                          # a prompt key
    categories: tuple[str, ...]


@dataclass(frozen=True)
class OperatorQueue:
    """The line's queue for a person (Twilio <Enqueue> by name)."""

    name: str
    max_size: int = 10               # more waiting than this: offer voicemail or a callback
    max_wait_minutes: int = 5        # an expected wait longer than this: the same
    minutes_per_caller: float = 2.0  # how long each caller ahead adds to the expected wait


@dataclass(frozen=True)
class Line:
    id: str
    names: Mapping[str, str]
    numbers: tuple[str, ...]
    time_zone: str
    business_hours: str                 # a calendar id
    languages: tuple[str, ...]
    greeting: str                       # a prompt key
    menu: Menu
    category_menu: tuple[CategoryGroup, ...]
    operator_queue: OperatorQueue = OperatorQueue("operators")
    # When speech is still not understood after asking twice: "operator"
    # (a person) or "keypad" (the category menu).
    when_unsure: str = "operator"
    # Operators' calls on this line are recorded (dual channel) and the
    # greeting says so; false: no announcement and no recording.
    record_calls: bool = True

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def number(self) -> str:
        return self.numbers[0]

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()))


@dataclass(frozen=True)
class Voice:
    say_language: str
    say_voice: str
    speech_language: str
    speech_model: str | None = None     # Twilio <Gather speechModel>


@dataclass(frozen=True)
class PromptSet:
    language: str
    voice: Voice
    texts: Mapping[str, str]
    time_format: str
    weekdays: tuple[str, ...]

    def text(self, key: str) -> str:
        return self.texts[key]

    def placeholders(self, key: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.texts[key]) if name}


@dataclass(frozen=True)
class CallbackPolicy:
    """When and how patiently complainants are called back (callbacks.yaml)."""

    # Local times of day, in the complainant's own time zone, when a callback
    # may start, as minutes since midnight: 09:00-12:00 and 14:00-20:00.
    hours: tuple[tuple[int, int], ...] = ((9 * 60, 12 * 60), (14 * 60, 20 * 60))
    outcome_delay: timedelta = timedelta(hours=2)       # after a case closes
    missed_delay: timedelta = timedelta(minutes=5)      # after an abandoned call
    max_attempts: int = 3                               # then the complainant is unreachable
    # Wait before the 2nd, 3rd, ... attempt; the last one repeats.
    retry_delays: tuple[timedelta, ...] = (timedelta(minutes=30), timedelta(hours=2))
    ring_seconds: int = 30                              # how long a callback rings

    def retry_delay(self, attempts_made: int) -> timedelta:
        return self.retry_delays[min(max(attempts_made, 1), len(self.retry_delays)) - 1]


@dataclass(frozen=True)
class SeatPolicy:
    """How waiting callers are offered to operators (seats.yaml)."""

    ring_seconds: int = 20                              # an offer rings this long, then the next operator
    wrap_up: timedelta = timedelta(seconds=30)          # after a call, before the operator is offered another
    missed_state: str = "break"                         # where an operator who did not answer goes: break or offline


@dataclass(frozen=True)
class HotlineConfig:
    lines: Mapping[str, Line]
    prompts: Mapping[str, PromptSet]
    departments: Mapping[str, Department]
    categories: Mapping[str, Category]
    calendars: Mapping[str, WorkingCalendar]
    classes: Mapping[str, CategoryClass] = field(default_factory=dict)
    routing_rules: tuple[RoutingRule, ...] = ()
    places: Places = Places()
    repeat_window_days: int = 30
    callbacks: CallbackPolicy = CallbackPolicy()
    seats: SeatPolicy = SeatPolicy()
    _by_number: Mapping[str, str] = field(default_factory=dict, repr=False)

    def line_for_number(self, number: str) -> Line | None:
        line_id = self._by_number.get(number)
        return self.lines.get(line_id) if line_id else None

    def categories_of(self, line_id: str) -> list[Category]:
        return [c for c in self.categories.values() if line_id in c.lines]

    def calendar_of(self, department_code: str) -> WorkingCalendar:
        return self.calendars[self.departments[department_code].calendar]
