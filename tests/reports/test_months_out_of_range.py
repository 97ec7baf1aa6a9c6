"""Months no report can be about (year 0, year 9999, not a month at all) are not
found, in the console and on the command line; the range's own ends still work."""
from __future__ import annotations

import pytest

from routing.periods import is_month, month, trailing_months


@pytest.mark.parametrize("label", ["0000-01", "0001-01", "9999-12", "9999-01", "2026-00", "2026-13",
                                   "2026-10\n", "٢٠٢٦-10", "2026-1"])
def test_labels_out_of_range_are_not_months(label):
    assert not is_month(label)
    with pytest.raises(ValueError):
        month(label)


def test_months_before_1900_are_counted_for_trends_but_not_reported_on():
    assert not is_month("1899-12")
    assert month("1899-12").label == "1899-12"


def test_the_ends_of_the_range_are_months_with_a_trend_before_them():
    assert is_month("1900-01") and is_month("9998-12")
    assert [p.label for p in trailing_months("1900-01", 2)] == ["1899-12", "1900-01"]
    assert month("9998-12").end.isoformat() == "9998-12-31T16:00:00+00:00"     # local midnight, 1 Jan 9999


@pytest.mark.parametrize("path", ["/console/reports/0000-01", "/console/reports/9999-12",
                                  "/console/reports/0000-01/departments.csv", "/console/reports/9999-12/notice/DRAIN",
                                  "/console/reports/9999-12/by/lines", "/console/reports/0000-01/cases"])
def test_the_console_answers_not_found(client, sign_in, path):
    sign_in("sup1")
    assert client.get(path).status_code == 404


def test_the_last_month_in_range_has_a_page(client, sign_in):
    sign_in("sup1")
    assert client.get("/console/reports/9998-12").status_code == 200
    assert client.get("/console/reports/1900-01").status_code == 200


@pytest.mark.parametrize("label", ["0000-01", "9999-12"])
def test_the_command_says_which_months_it_takes(app, label):
    result = app.test_cli_runner().invoke(args=["report", "--month", label])
    assert result.exit_code == 2
    assert "from 1900-01 to 9998-12" in result.output
