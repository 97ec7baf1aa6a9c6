"""Hotspots over plain data: every report counts, repeats included; a place
is its address key; weeks run Monday to Sunday in the centre's zone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from cases.hotspots import Reported, Weeks, hotspots

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI)          # a Friday


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI).astimezone(timezone.utc)


def sewer(number: str, when: datetime, repeat: bool = False, key: str = "海陵北路|50") -> Reported:
    return Reported(number, "E0404", key, "海陵区海陵北路十八亩50号", when, repeat)


def test_weeks_start_on_monday_in_the_centres_zone():
    weeks = Weeks.ending(NOW, 3, "Asia/Shanghai")
    assert weeks.starts == (date(2026, 9, 21), date(2026, 9, 28), date(2026, 10, 5))
    # Sunday 23:30 in Shanghai is still the week before, though in UTC it is Sunday afternoon.
    assert weeks.index(datetime(2026, 10, 4, 23, 30, tzinfo=SHANGHAI)) == 1
    assert weeks.index(datetime(2026, 10, 5, 0, 10, tzinfo=SHANGHAI)) == 2
    assert weeks.index(datetime(2026, 9, 20, 23, 0, tzinfo=SHANGHAI)) is None


def test_a_case_and_its_repeat_reports_make_one_chain_counted_in_each_week():
    weeks = Weeks.ending(NOW, 3, "Asia/Shanghai")
    reports = [sewer("2609220001", at(9, 22)), sewer("2609220001", at(9, 29), True),
               sewer("2609220001", at(10, 6), True), sewer("2610080001", at(10, 8))]
    places, categories = hotspots(reports, weeks, minimum=3)
    assert [p.key for p in places] == ["海陵北路|50"] and places[0].weekly == (1, 1, 2)
    assert [(c.case_number, len(c.reports)) for c in places[0].chains] == [("2609220001", 3), ("2610080001", 1)]
    assert categories[0].key == "E0404" and categories[0].reports == 4


def test_fewer_reports_than_the_minimum_or_older_ones_make_no_hotspot():
    weeks = Weeks.ending(NOW, 2, "Asia/Shanghai")
    reports = [sewer("1", at(9, 1)), sewer("1", at(9, 2), True), sewer("2", at(10, 6), key="青年路|12"),
               sewer("3", at(10, 7))]
    places, categories = hotspots(reports, weeks, minimum=3)
    assert places == [] and categories == []


def test_the_most_reported_come_first():
    weeks = Weeks.ending(NOW, 1, "Asia/Shanghai")
    reports = [sewer(str(n), at(10, 6)) for n in range(3)] + \
              [sewer(str(n), at(10, 7), key="青年路|12") for n in range(10, 14)]
    places, _ = hotspots(reports, weeks, minimum=3)
    assert [p.key for p in places] == ["青年路|12", "海陵北路|50"]
