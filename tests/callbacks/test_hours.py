"""Calling hours: the complainant's own local time, never on the line's days off."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from callbacks.hours import CallingHours
from routing.calendar import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
HOURS = CallingHours(((9 * 60, 12 * 60), (14 * 60, 20 * 60)))
OFFICE = WorkingCalendar(id="office", time_zone="Asia/Shanghai", hours=((510, 720), (870, 1050)),
                         weekdays=frozenset(range(5)),
                         holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
                         working_days=frozenset({date(2026, 10, 10)}))


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(timezone.utc)


def test_a_moment_inside_the_hours_is_allowed_as_it_is():
    moment = beijing(2026, 10, 9, 10, 15)
    assert HOURS.next_allowed(moment, "Asia/Shanghai") == moment
    assert HOURS.allows(moment, "Asia/Shanghai")


def test_half_past_ten_at_night_waits_for_nine_the_next_morning():
    assert HOURS.next_allowed(beijing(2026, 10, 9, 22, 30), "Asia/Shanghai") == beijing(2026, 10, 10, 9, 0)


def test_the_midday_rest_waits_until_two():
    assert HOURS.next_allowed(beijing(2026, 10, 9, 12, 0), "Asia/Shanghai") == beijing(2026, 10, 9, 14, 0)


def test_early_morning_waits_until_nine_the_same_day():
    assert HOURS.next_allowed(beijing(2026, 10, 9, 6, 45), "Asia/Shanghai") == beijing(2026, 10, 9, 9, 0)


def test_a_new_york_number_is_called_in_new_york_hours():
    # 10:00 in Beijing is 22:00 the evening before in New York: wait for 09:00 there.
    allowed = HOURS.next_allowed(beijing(2026, 10, 9, 10, 0), "America/New_York")
    assert allowed.astimezone(NEW_YORK) == datetime(2026, 10, 9, 9, 0, tzinfo=NEW_YORK)
    assert allowed == beijing(2026, 10, 9, 21, 0)


def test_no_calls_on_the_lines_holidays_or_days_off():
    # 30 September 2026, 21:00: the next mornings are the National Day holiday.
    allowed = HOURS.next_allowed(beijing(2026, 9, 30, 21, 0), "Asia/Shanghai", OFFICE)
    assert allowed == beijing(2026, 10, 8, 9, 0)
    # Friday evening: Saturday 10 October is an adjusted working day (调休), Sunday is not.
    assert HOURS.next_allowed(beijing(2026, 10, 9, 20, 30), "Asia/Shanghai", OFFICE) == beijing(2026, 10, 10, 9, 0)
    assert HOURS.next_allowed(beijing(2026, 10, 10, 20, 30), "Asia/Shanghai", OFFICE) == beijing(2026, 10, 12, 9, 0)


def test_a_holiday_is_the_lines_date_even_for_a_number_abroad():
    # 09:00 in New York on 1 October is 21:00 on the holiday in Taizhou.
    allowed = HOURS.next_allowed(datetime(2026, 10, 1, 8, 0, tzinfo=NEW_YORK), "America/New_York", OFFICE)
    assert allowed.astimezone(SHANGHAI).date() == date(2026, 10, 8)
    assert allowed.astimezone(NEW_YORK).hour >= 9


def test_hours_keep_to_the_wall_clock_across_a_daylight_saving_change():
    # New York leaves summer time on 1 November 2026.
    allowed = HOURS.next_allowed(datetime(2026, 10, 31, 21, 0, tzinfo=NEW_YORK), "America/New_York")
    assert allowed.astimezone(NEW_YORK) == datetime(2026, 11, 1, 9, 0, tzinfo=NEW_YORK)
    assert allowed.utcoffset() == datetime(2026, 11, 1, 14, 0, tzinfo=timezone.utc).utcoffset()
