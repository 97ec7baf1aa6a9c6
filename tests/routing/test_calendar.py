"""Working calendars and time limits, on the shipped config/calendars.yaml."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.loader import load_config
from routing.calendar import WorkingCalendar
from routing.time_limits import TimeLimit

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def calendars():
    return load_config(CONFIG_DIR).calendars


@pytest.fixture(scope="module")
def office(calendars):
    """08:30-12:00 and 14:30-17:30, Monday to Friday, 2026 holidays and 调休."""
    return calendars["office"]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def due(limit: str, start: datetime, calendar: WorkingCalendar) -> datetime:
    return TimeLimit.parse(limit).due(start, calendar).astimezone(SHANGHAI)


def calendar(hours: tuple[tuple[int, int], ...], **kwargs) -> WorkingCalendar:
    kwargs.setdefault("weekdays", frozenset(range(5)))
    return WorkingCalendar(id="test", time_zone="Asia/Shanghai", hours=hours, **kwargs)


# --- when the office is open ---------------------------------------------------

def test_the_office_is_closed_over_lunch_and_at_weekends(office):
    assert office.is_open(local(2026, 3, 10, 10, 0))          # Tuesday morning
    assert not office.is_open(local(2026, 3, 10, 12, 30))     # lunch
    assert office.is_open(local(2026, 3, 10, 14, 30))         # opening minute counts
    assert not office.is_open(local(2026, 3, 10, 17, 30))     # closing minute does not
    assert not office.is_open(local(2026, 3, 14, 10, 0))      # Saturday


def test_holidays_close_a_weekday_and_adjusted_days_open_a_weekend(office):
    assert not office.is_open(local(2026, 10, 1, 10, 0))      # National Day, a Thursday
    assert office.is_open(local(2026, 10, 10, 10, 0))         # 调休 Saturday
    assert office.is_open(local(2026, 2, 14, 9, 0))           # 调休 Saturday before Spring Festival


def test_next_open_is_after_lunch_or_on_the_next_working_day(office):
    assert office.next_open(local(2026, 3, 10, 12, 30)).astimezone(SHANGHAI) == local(2026, 3, 10, 14, 30)
    assert office.next_open(local(2026, 3, 13, 18, 0)).astimezone(SHANGHAI) == local(2026, 3, 16, 8, 30)
    assert office.next_open(local(2026, 9, 30, 18, 0)).astimezone(SHANGHAI) == local(2026, 10, 8, 8, 30)


def test_an_open_moment_is_its_own_next_opening(office):
    assert office.next_open(local(2026, 3, 10, 10, 0)) == local(2026, 3, 10, 10, 0)


def test_an_aware_moment_in_any_zone_is_read_in_the_calendars_zone(office):
    # 02:00 UTC is 10:00 in Taizhou.
    assert office.is_open(datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc))


# --- working hours -------------------------------------------------------------------

def test_working_hours_skip_the_lunch_break(office):
    assert due("2 working hours", local(2026, 3, 10, 11, 0), office) == local(2026, 3, 10, 15, 30)


def test_four_working_hours_from_friday_at_five_fall_due_on_monday(office):
    # Half an hour left on Friday, three and a half on Monday morning.
    assert due("4 working hours", local(2026, 3, 6, 17, 0), office) == local(2026, 3, 9, 12, 0)


def test_with_an_eight_oclock_start_the_same_limit_falls_due_at_half_past_eleven():
    eight_to_five_thirty = calendar(((8 * 60, 12 * 60), (14 * 60 + 30, 17 * 60 + 30)))
    assert due("4 working hours", local(2026, 3, 6, 17, 0), eight_to_five_thirty) == local(2026, 3, 9, 11, 30)


def test_a_limit_ending_at_closing_time_falls_due_then_not_at_the_next_opening(office):
    assert due("1 working hours", local(2026, 3, 10, 11, 0), office) == local(2026, 3, 10, 12, 0)


def test_a_report_out_of_hours_is_timed_from_the_next_opening(office):
    # Saturday: three and a half hours on Monday morning, half an hour after lunch.
    assert due("4 working hours", local(2026, 3, 14, 10, 0), office) == local(2026, 3, 16, 15, 0)


def test_an_adjusted_working_saturday_counts(office):
    assert due("4 working hours", local(2026, 2, 13, 17, 0), office) == local(2026, 2, 14, 12, 0)


def test_a_holiday_does_not_count(office):
    # Thursday 30 April, then 1-5 May off; Wednesday 6 May is the next working day.
    assert due("4 working hours", local(2026, 4, 30, 17, 0), office) == local(2026, 5, 6, 12, 0)


def test_round_the_clock_working_hours_are_clock_hours(calendars):
    start = local(2026, 10, 1, 23, 0)
    assert due("4 working hours", start, calendars["round_the_clock"]) == local(2026, 10, 2, 3, 0)


# --- working days and clock hours ---------------------------------------------------------

def test_a_working_day_is_the_same_time_on_the_next_working_day(office):
    assert due("1 working days", local(2026, 3, 10, 10, 0), office) == local(2026, 3, 11, 10, 0)
    assert due("1 working day", local(2026, 3, 13, 16, 0), office) == local(2026, 3, 16, 16, 0)


def test_fifteen_working_days_across_national_day(office):
    # 30 Sep, then 1-7 Oct off, 10 Oct a working Saturday: the 15th working
    # day after 30 Sep is Tuesday 27 Oct.
    assert due("15 working days", local(2026, 9, 30, 9, 0), office) == local(2026, 10, 27, 9, 0)


def test_clock_hours_ignore_the_calendar(office):
    assert due("2 hours", local(2026, 3, 6, 17, 0), office) == local(2026, 3, 6, 19, 0)
    assert due("2 hours", local(2026, 10, 1, 23, 0), office) == local(2026, 10, 2, 1, 0)


def test_due_times_are_given_in_utc(office):
    result = TimeLimit.parse("4 working hours").due(local(2026, 3, 6, 17, 0), office)
    assert result.utcoffset() == timedelta(0)
    assert result == datetime(2026, 3, 9, 4, 0, tzinfo=timezone.utc)


# --- refusals ---------------------------------------------------------------------------------

def test_naive_times_are_refused_for_every_kind_of_limit(office):
    for limit in ("2 hours", "4 working hours", "1 working days"):
        with pytest.raises(ValueError, match="timezone-aware"):
            TimeLimit.parse(limit).due(datetime(2026, 3, 6, 17, 0), office)


def test_a_calendar_without_working_time_says_so_instead_of_searching_forever():
    never = calendar(((9 * 60, 17 * 60),), weekdays=frozenset())
    with pytest.raises(ValueError, match="no working time"):
        never.next_open(local(2026, 3, 10, 10, 0))


@pytest.mark.parametrize("text, amount, unit", [
    ("4 working hours", 4, "working_hours"),
    ("1 working hour", 1, "working_hours"),
    ("15 working days", 15, "working_days"),
    ("2 hours", 2, "hours"),
    (" 1 hour ", 1, "hours"),
])
def test_time_limits_are_read_from_configuration_text(text, amount, unit):
    limit = TimeLimit.parse(text)
    assert (limit.amount, limit.unit) == (amount, unit)
    assert TimeLimit.parse(str(limit)) == limit


@pytest.mark.parametrize("text", ["two hours", "0 hours", "4 weeks", "4", "-1 hours", ""])
def test_malformed_time_limits_are_refused(text):
    with pytest.raises(ValueError):
        TimeLimit.parse(text)
