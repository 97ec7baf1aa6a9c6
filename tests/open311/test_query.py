"""Reading GET requests filters and their defaults, without Flask or a database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from open311.errors import InvalidRequest
from open311.query import LIMIT, WINDOW, read_query

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)


def query(**params):
    return read_query({name: [value] for name, value in params.items()}, NOW)


def test_the_last_90_days_by_default():
    found = query()
    assert (found.start, found.end, found.limit) == (NOW - WINDOW, NOW, LIMIT)
    assert found.numbers == found.service_codes == found.statuses == ()


def test_ninety_days_from_a_start_or_up_to_an_end():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert (query(start_date="2026-01-01T00:00:00Z").start, query(start_date="2026-01-01T00:00:00Z").end) == \
        (start, start + WINDOW)
    assert query(end_date="2026-01-01T00:00:00Z").start == start - WINDOW


def test_exactly_90_days_is_allowed():
    found = query(start_date="2026-07-11T00:00:00+08:00", end_date="2026-10-09T00:00:00+08:00")
    assert found.end - found.start == timedelta(days=90)


def test_ids_override_the_rest_and_lists_are_comma_delimited_without_repeats():
    found = query(service_request_id="2610090001, 2610090002,,2610090001", status="bogus")
    assert found.numbers == ("2610090001", "2610090002") and found.start is None
    assert query(service_code="C0118,E0102", status="open, closed").service_codes == ("C0118", "E0102")


def test_every_problem_is_listed():
    with pytest.raises(InvalidRequest) as refused:
        query(status="pending", start_date="soon", end_date="2026-10-01")
    assert len(refused.value.descriptions) == 3
