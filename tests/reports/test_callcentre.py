"""Call-centre figures over a day worked out by hand (tests/reports/callcentre_day.py has the
calls): the marks the database computes (reports/callcentre_sql.py), the Python reference of the
same rules, and the figures per line, operator, day and hour, on SQLite and PostgreSQL
(HOTLINE_TEST_DATABASE)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from database import db
from reports.callcentre import ALL, REFUSAL_REASONS, CallIndicator, CallMeasure, call_report, seconds_text
from reports.callcentre_sql import call_marks, call_reports, refusal_marks
from routing.periods import day_of, month
from tests.reports.callcentre_day import at, build_day
from tests.reports.callcentre_oracle import oracle_marks, oracle_refusals

TZ = "Asia/Shanghai"
DAY = day_of(at(12, 0), TZ)                 # Friday 9 October 2026, local midnight to midnight


@pytest.fixture
def day(app):
    with db.session_scope(app) as session:
        built = build_day(session)
        numbers = {no: call.id for no, call in built.calls.items() if no}
    return numbers


@pytest.fixture
def reports(app, day):
    with db.session_scope(app) as session:
        return call_reports(session, DAY, TZ)


def counted(figure) -> tuple[int, int, str | None]:
    return len(figure.numerator), len(figure.denominator), figure.percent


def test_the_day_in_total_is_what_the_hand_computed(reports, day):
    total = reports["line"].all
    figures = total.figures
    # Offered: calls 1 to 12 and 15 joined a queue on the 9th = 13 (the call queued on 30
    # September, the one that never asked for a person, the IVR takeover and the calls refused and
    # never queued, 13, 14 and 16, are not offered).
    assert total.calls[CallMeasure.OFFERED] == {day[no] for no in (*range(1, 13), 15)}
    # Answered: 1, 2, 3, 4, 5, 10, 12, 15 = 8 of 13 = 61.538…% → 61.54%.
    assert total.calls[CallMeasure.ANSWERED] == {day[no] for no in (1, 2, 3, 4, 5, 10, 12, 15)}
    assert counted(figures[CallIndicator.ANSWER_RATE]) == (8, 13, "61.54%")
    # Abandoned: 6 (hung up), 7 (ended, the queue's result lost), 9 (hung up), 11 (hung up while
    # op1's device rang) = 4 of 13 = 30.769…% → 30.77%. Call 8 left for a callback: not abandoned.
    assert total.calls[CallMeasure.ABANDONED] == {day[no] for no in (6, 7, 9, 11)}
    assert counted(figures[CallIndicator.ABANDON_RATE]) == (4, 13, "30.77%")
    assert total.calls[CallMeasure.LEFT_FOR_CALLBACK] == {day[8]}
    # Within 15 s: 1 (10 s), 2 (15 s, the limit itself), 5 (5 s), 10 (12 s), 15 (10 s) = 5 of 13
    # = 38.46%; 3 (40 s), 4 (60 s) and 12 (30 s) were answered slowly.
    assert total.calls[CallMeasure.ANSWERED_WITHIN_15S] == {day[no] for no in (1, 2, 5, 10, 15)}
    assert counted(figures[CallIndicator.ANSWERED_WITHIN_15S]) == (5, 13, "38.46%")
    # Connected within 24 h: the 8 answered; 6 (called back 19 min later: 11:20 − 11:01), 8 (the
    # second attempt reached Z at 15:00), 9 (W called again and op2 answered at 15:10:12) = 11 of
    # 13 = 84.615…% → 84.62%. Not 7 (reached after 24.5 h) nor 11 (no number to call).
    assert total.calls[CallMeasure.CONNECTED_24H] == {day[no] for no in (1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15)}
    assert counted(figures[CallIndicator.CONNECTION_RATE_24H]) == (11, 13, "84.62%")
    # Wait: 10 + 15 + 40 + 60 + 5 + 12 + 30 + 10 = 182 s over 8 = 22.75 s, shown 0:23.
    assert total.average_wait == pytest.approx(182 / 8)
    assert seconds_text(total.average_wait) == "0:23"
    # Handling: 300 + 240 + 600 + 120 (call 4: no seat record, to the call's end) + 120 + 180 + 300
    # + 120 = 1980 s over 8 = 247.5 s, rounded half up to 248 s, shown 4:08.
    assert total.handling == {day[1]: 300, day[2]: 240, day[3]: 600, day[4]: 120, day[5]: 120, day[10]: 180,
                              day[12]: 300, day[15]: 120}
    assert seconds_text(total.average_handling) == "4:08"
    # Callbacks owed on the 9th: X, Y (missed), Z (queue), W (missed, cancelled when W got through),
    # G (queue: refused a person, pressed 2) = 5; made (reached): X, Y, Z, G = 4 → 80.00%.
    assert counted(figures[CallIndicator.CALLBACKS_MADE]) == (4, 5, "80.00%")
    # Refused a person: 13 (queue full), 14 (closed; refused twice, one call), 15 (wait too long,
    # then queued and answered: refused and offered), 16 (closed) = 4.
    assert total.calls[CallMeasure.REFUSED] == {day[no] for no in (13, 14, 15, 16)}
    assert total.calls[CallMeasure.REFUSED_CLOSED] == {day[14], day[16]}
    assert total.calls[CallMeasure.REFUSED_QUEUE_FULL] == {day[13]}
    assert total.calls[CallMeasure.REFUSED_WAIT_TOO_LONG] == {day[15]}
    # Asked for a person: the 13 offered and the refused 13, 14, 16 (15 is both, once) = 16;
    # refusal rate 4 of 16 = 25.00%.
    assert total.calls[CallMeasure.ASKED] == {day[no] for no in range(1, 17)}
    assert counted(figures[CallIndicator.REFUSAL_RATE]) == (4, 16, "25.00%")


def test_per_line(reports, day):
    urban, conduct = reports["line"].row("urban"), reports["line"].row("conduct")
    # urban: 1, 2, 5, 6, 8, 9, 10, 15 offered; 1, 2, 5, 10, 15 answered, all within 15 s; 6 and 9
    # abandoned; every one connected within 24 h (6 and 8 called back, 9 through call 10).
    assert counted(urban.figures[CallIndicator.ANSWER_RATE]) == (5, 8, "62.50%")
    assert counted(urban.figures[CallIndicator.ABANDON_RATE]) == (2, 8, "25.00%")
    assert counted(urban.figures[CallIndicator.ANSWERED_WITHIN_15S]) == (5, 8, "62.50%")
    assert counted(urban.figures[CallIndicator.CONNECTION_RATE_24H]) == (8, 8, "100.00%")
    assert urban.average_wait == pytest.approx((10 + 15 + 5 + 12 + 10) / 5)          # 10.4 s
    assert urban.average_handling == pytest.approx((300 + 240 + 120 + 180 + 120) / 5)  # 192 s
    assert counted(urban.figures[CallIndicator.CALLBACKS_MADE]) == (3, 4, "75.00%")   # X, Z, G of X, Z, W, G
    # urban refused 13 (queue full) and 15 (wait too long); asked: the 8 offered and 13 = 9.
    assert urban.calls[CallMeasure.REFUSED] == {day[13], day[15]}
    assert urban.count(CallMeasure.REFUSED_QUEUE_FULL) == urban.count(CallMeasure.REFUSED_WAIT_TOO_LONG) == 1
    assert urban.count(CallMeasure.REFUSED_CLOSED) == 0
    assert counted(urban.figures[CallIndicator.REFUSAL_RATE]) == (2, 9, "22.22%")
    # conduct: 3, 4, 7, 11, 12 offered; 3, 4, 12 answered, none within 15 s; 7 and 11 abandoned and
    # never connected: 3 of 5 = 60.00%, under the standard's 95%.
    assert counted(conduct.figures[CallIndicator.ANSWER_RATE]) == (3, 5, "60.00%")
    assert counted(conduct.figures[CallIndicator.ANSWERED_WITHIN_15S]) == (0, 5, "0.00%")
    assert counted(conduct.figures[CallIndicator.CONNECTION_RATE_24H]) == (3, 5, "60.00%")
    assert conduct.average_wait == pytest.approx((40 + 60 + 30) / 3)             # 43.33 s
    assert conduct.average_handling == pytest.approx((600 + 120 + 300) / 3)      # 340 s
    assert counted(conduct.figures[CallIndicator.CALLBACKS_MADE]) == (1, 1, "100.00%")   # Y, though late
    # conduct refused 14 and 16, both outside its hours; asked: the 5 offered and those 2 = 7.
    assert conduct.calls[CallMeasure.REFUSED_CLOSED] == conduct.calls[CallMeasure.REFUSED] == {day[14], day[16]}
    assert counted(conduct.figures[CallIndicator.REFUSAL_RATE]) == (2, 7, "28.57%")


def test_per_operator(reports, day):
    by_operator = reports["operator"]
    assert [row.key for row in by_operator.rows] == ["op1", "op2", None]
    op1, op2, nobody = by_operator.rows
    # op1 answered 1, 3, 5, 12: waits 10 + 40 + 5 + 30 = 85 s / 4 = 21.25 s; handled 300 + 600 + 120
    # + 300 = 1320 s / 4 = 330 s (5:30); 2 of the 4 within 15 s.
    assert op1.calls[CallMeasure.ANSWERED] == {day[no] for no in (1, 3, 5, 12)}
    assert op1.average_wait == pytest.approx(21.25)
    assert seconds_text(op1.average_handling) == "5:30"
    assert op1.count(CallMeasure.ANSWERED_WITHIN_15S) == 2
    # op2 answered 2, 4, 10, 15: waits 15 + 60 + 12 + 10 = 97 s / 4 = 24.25 s; handled 240 + 120 +
    # 180 + 120 = 660 s / 4 = 165 s (2:45). The IVR takeover at 12:30 is not an offered call.
    assert op2.calls[CallMeasure.ANSWERED] == {day[no] for no in (2, 4, 10, 15)}
    assert op2.average_wait == pytest.approx(24.25)
    assert seconds_text(op2.average_handling) == "2:45"
    # The calls no operator answered: 6, 7, 8, 9, 11.
    assert nobody.calls[CallMeasure.OFFERED] == {day[no] for no in (6, 7, 8, 9, 11)}
    assert nobody.count(CallMeasure.ANSWERED) == 0
    # Callbacks and refused calls are no operator's: in the total only.
    assert not op1.callbacks_owed and len(by_operator.all.callbacks_owed) == 5
    assert not any(row.count(CallMeasure.REFUSED) for row in by_operator.rows)
    assert by_operator.all.count(CallMeasure.REFUSED) == 4


def test_per_hour_and_day_in_the_centres_zone(reports, day):
    by_hour = reports["hour"]
    # Call 1 joined at 07:30 in Taizhou, which is 23:30 on the 8th in UTC: hour 07 of the 9th.
    assert [row.key for row in by_hour.rows] == ["07", "09", "10", "11", "12", "13", "14", "15", "16", "23"]
    assert by_hour.row("07").calls[CallMeasure.OFFERED] == {day[1]}
    # Refused calls are in the hour of their refusal: 16 at 07:00, 13 and 14 at 12:10 and 12:20
    # (an hour with no call offered), 15 at 13:00 (offered at 13:01 too).
    assert by_hour.row("07").calls[CallMeasure.REFUSED] == {day[16]}
    assert by_hour.row("12").calls[CallMeasure.REFUSED] == {day[13], day[14]}
    assert by_hour.row("12").count(CallMeasure.OFFERED) == 0 and len(by_hour.row("12").callbacks_owed) == 1
    assert by_hour.row("13").calls[CallMeasure.REFUSED] == by_hour.row("13").calls[CallMeasure.ANSWERED] == {day[15]}
    assert by_hour.row("11").calls[CallMeasure.ABANDONED] == {day[6], day[7]}
    assert len(by_hour.row("11").callbacks_owed) == 2         # X at 11:01:30, Y at 11:30:45
    assert by_hour.row("15").calls[CallMeasure.OFFERED] == {day[9], day[10]}
    # Call 12 joined at 23:59:50 and was answered after midnight: it is the 9th's, hour 23.
    assert by_hour.row("23").calls[CallMeasure.ANSWERED] == {day[12]}
    by_day = reports["day"]
    assert [row.key for row in by_day.rows] == ["2026-10-09"]
    assert by_day.row("2026-10-09").calls == reports["line"].all.calls


def test_the_month_is_the_day_here_and_its_days_are_cut_at_local_midnight(app, day):
    with db.session_scope(app) as session:
        october = call_reports(session, month("2026-10", TZ), TZ, by=("day",))["day"]
        september = call_reports(session, month("2026-09", TZ), TZ, by=("day",))["day"]
    # The call queued at 23:59:59 on 30 September local (15:59:59 UTC) is September's.
    assert [row.key for row in october.rows] == ["2026-10-09"]
    assert october.all.count(CallMeasure.OFFERED) == 13 and october.all.count(CallMeasure.REFUSED) == 4
    assert [row.key for row in september.rows] == ["2026-09-30"]
    assert september.all.count(CallMeasure.ABANDONED) == 1
    # So is the call refused at 23:59:59 on 30 September.
    assert september.all.count(CallMeasure.REFUSED_CLOSED) == 1


def test_the_database_marks_the_calls_as_the_python_reference_does(app, day):
    with db.session_scope(app) as session:
        for period in (DAY, month("2026-10", TZ), day_of(at(12, 0, day=10), TZ)):
            assert call_marks(session, period) == oracle_marks(session, period)
            assert refusal_marks(session, period) == oracle_refusals(session, period)


def test_a_call_still_waiting_is_offered_but_neither_answered_nor_abandoned(app):
    from tests.reports.callcentre_day import Day
    with db.session_scope(app) as session:
        Day(session).call(1, "urban", "A", at(9, 0), status="in-progress", last_seen=at(9, 1))
        calls, _ = call_marks(session, DAY)
    report = call_report(DAY, "line", calls, [], TZ)
    assert report.all.count(CallMeasure.OFFERED) == 1
    assert report.all.count(CallMeasure.ANSWERED) == report.all.count(CallMeasure.ABANDONED) == 0
    assert report.all.average_wait is None and seconds_text(None) == "–"


def test_a_bridged_queue_call_is_answered_when_the_queue_ended(app):
    from tests.reports.callcentre_day import Day
    with db.session_scope(app) as session:
        Day(session).call(1, "urban", "A", at(9, 0), result="bridged", queue_ended=at(9, 0, 20),
                          ended=at(9, 3))
        calls, _ = call_marks(session, DAY)
        assert calls == oracle_marks(session, DAY)[0]
    (call,) = calls
    # Answered when <Dial><Queue> took the caller (20 s: not within 15), handled to the call's end.
    assert call.answered and not call.answered_within_15s and call.operator is None
    assert call.wait_seconds == 20 and call.handling_seconds == timedelta(minutes=2, seconds=40).total_seconds()


def test_the_total_row_is_keyed_all(reports):
    assert reports["line"].row(ALL) is reports["line"].all


# --- the monthly assessment: flask report, the page, the exports --------------------------------

@pytest.fixture
def run(app):
    def invoke(*args: str):
        return app.test_cli_runner().invoke(args=["report", *args], catch_exceptions=False)
    return invoke


def test_flask_report_json_has_the_call_centre_figures(run, day):
    import json
    result = run("--month", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    calls = json.loads(result.output)["call_centre"]
    assert calls["time_zone"] == TZ and calls["answer_within_seconds"] == 15
    assert calls["targets"] == {"connection_rate_24h": 95.0}
    total = calls["line"]["all"]
    assert total["counts"] == {"offered": 13, "answered": 8, "abandoned": 4, "left_for_callback": 1,
                               "answered_within_15s": 5, "connected_24h": 11, "refused": 4, "refused_closed": 2,
                               "refused_queue_full": 1, "refused_wait_too_long": 1, "asked_for_person": 16}
    assert total["indicators"]["answered_within_15s"] == {"percent": "38.46%", "numerator": 5, "denominator": 13}
    assert total["indicators"]["connection_rate_24h"] == {"percent": "84.62%", "numerator": 11, "denominator": 13}
    assert total["indicators"]["refusal_rate"] == {"percent": "25.00%", "numerator": 4, "denominator": 16}
    assert total["average_wait_seconds"] == pytest.approx(182 / 8)
    assert total["average_handling_seconds"] == pytest.approx(1980 / 8)
    assert total["callbacks"] == {"owed": 5, "made": 4}
    assert [row["key"] for row in calls["operator"]["rows"]] == ["op1", "op2", None]
    assert calls["operator"]["rows"][0]["average_handling_seconds"] == pytest.approx(330)
    assert [row["key"] for row in calls["day"]["rows"]] == ["2026-10-09"]
    urban = next(row for row in calls["line"]["rows"] if row["key"] == "urban")
    assert urban["name"] == "泰州市数字城管“帮帮您”热线"
    assert urban["indicators"]["connection_rate_24h"]["percent"] == "100.00%"
    assert len(calls["hour"]["rows"]) == 10


def test_flask_report_table_prints_the_call_centre_figures(run, day):
    result = run("--month", "2026-10")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("Call-centre figures 2026-10") for line in lines)
    op1 = next(line for line in lines if line.startswith("op1 "))
    # Offered 4, answered 4, abandoned 0, refused 0, 100.00%, 2 of 4 within 15 s, waits 0:21, handling 5:30.
    assert op1.split() == ["op1", "4", "4", "0", "0", "100.00%", "50.00%", "100.00%", "0:21", "5:30", "0/0"]
    total = [line for line in lines if line.startswith("全部话务")]
    assert total and total[0].split()[1:] == ["13", "8", "4", "4", "61.54%", "38.46%", "84.62%", "0:23", "4:08",
                                               "4/5"]


def test_the_month_page_shows_the_call_centre_section_with_only_calls(client, sign_in, day):
    sign_in("sup1")
    page = client.get("/console/reports/2026-10").get_data(as_text=True)
    # No case this month, but calls: the month says so, and shows the calls.
    assert 'id="month-state"' in page and 'id="call-centre"' in page and "话务指标" in page
    for table in ("calls-line", "calls-operator", "calls-day", "calls-hour"):
        assert f'id="table-{table}"' in page
    assert "61.54%" in page and "84.62%" in page and "4:08" in page and "目标 ≥ 95%" in page


def test_the_call_centre_exports_match_and_fit_excel(client, sign_in, day):
    import csv
    import io

    openpyxl = pytest.importorskip("openpyxl")
    sign_in("sup1")
    response = client.get("/console/reports/2026-10/calls-line.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, total = rows[0], rows[-1]
    assert header[0] == "热线" and "24小时接通率 %" in header and "平均等待时长（分:秒）" in header
    assert total[0] == "全部话务" and total[header.index("24小时接通率 %")] == "84.62%"
    assert total[header.index("平均等待时长（分:秒）")] == "0:23"
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/console/reports/2026-10/report.xlsx").data))
    names = workbook.sheetnames
    assert all(0 < len(name) <= 31 for name in names) and len(names) == len(set(names))
    sheet = workbook["话务（按话务员）"]
    header = [cell.value for cell in sheet[1]]
    op1 = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "op1")
    wait = op1[header.index("平均等待时长（分:秒）")]
    # 21.25 s rounds to 21 s, kept as a span (a fraction of a day) shown as minutes and seconds.
    assert wait.value == timedelta(seconds=21) and wait.number_format == "[m]:ss"
    rate = op1[header.index("15秒接通率 %")]
    assert rate.value == pytest.approx(0.5) and rate.number_format == "0.00%"


def test_the_call_centre_tables_are_the_centres_own(client, sign_in, day):
    sign_in("drain1")
    assert client.get("/console/reports/2026-10/calls-line.csv").status_code == 403
    assert 'id="call-centre"' not in client.get("/console/reports/2026-10").get_data(as_text=True)


def test_random_days_are_marked_by_the_database_as_by_the_python_reference(app):
    """Calls with random fates and moments (answered by a person or a bridge, with or without the
    seat's record, abandoned, left, dropped by the queue, still waiting; refused a person by the desk
    for each reason, and some of those queued afterwards; callbacks reached or not, early or late;
    callers calling again), the SQL held to the reference over the day, the month and the next day."""
    import random

    from tests.reports.callcentre_day import PHONES, Day
    rng = random.Random(14)
    with db.session_scope(app) as session:
        day = Day(session)
        callers = [*PHONES, None]
        for no in range(1, 121):
            line = rng.choice(("urban", "conduct"))
            caller = rng.choice(callers)
            queued = at(rng.randrange(0, 24), rng.randrange(60), rng.randrange(60), day=rng.choice((8, 9, 9, 10)))
            fate = rng.choice(("answered", "answered", "bridged", "hangup", "lost", "leave", "queue-full",
                               "waiting", "redirected", "refused"))
            # Refused a person a little before (on the day before, when queued just after midnight).
            refused = queued - timedelta(seconds=rng.randrange(1, 900)) if rng.random() < 0.2 else None
            reason = rng.choice(REFUSAL_REASONS)
            if fate == "refused":
                day.call(no, line, caller, None, refused=queued, reason=reason,
                         ended=queued + timedelta(seconds=rng.randrange(5, 90)),
                         direction=rng.choice(("inbound", "inbound", "inbound", "outbound-api")))
                continue
            if fate == "answered":
                operator = rng.choice(("op1", "op2"))
                joined = queued + timedelta(seconds=rng.choice((0, 5, 15, 16, 40, 3600)))
                ended = joined + timedelta(seconds=rng.randrange(30, 900))
                part = rng.choice((None, ended - timedelta(seconds=rng.randrange(0, 20))))
                day.answered(no, line, caller or "A", queued, operator, joined, part, ended, refused=refused,
                             reason=reason)
                continue
            gone = queued + timedelta(seconds=rng.randrange(1, 600))
            if fate == "bridged":
                call = day.call(no, line, caller, queued, result="bridged", queue_ended=gone,
                                ended=gone + timedelta(minutes=3), refused=refused, reason=reason)
            elif fate == "waiting":
                call = day.call(no, line, caller, queued, status="in-progress", refused=refused, reason=reason)
            else:
                call = day.call(no, line, caller, queued, result=None if fate == "lost" else fate,
                                queue_ended=None if fate == "lost" else gone, ended=gone, refused=refused,
                                reason=reason)
            if caller and rng.random() < 0.6:
                attempts = [(gone + timedelta(hours=rng.choice((0.5, 5, 23.9, 24.1, 40))),
                             rng.choice(("answered", "hung_up", "no-answer", "busy")))
                            for _ in range(rng.randrange(0, 3))]
                day.callback(rng.choice(("queue", "missed")), caller, line, call, gone,
                             rng.choice(("completed", "pending", "cancelled")), attempts)
        session.flush()
        for period in (DAY, month("2026-10", TZ), day_of(at(12, 0, day=10), TZ)):
            marks = call_marks(session, period)
            assert marks == oracle_marks(session, period)
            assert marks[0], "the random day offered no call"
            refusals = refusal_marks(session, period)
            assert refusals == oracle_refusals(session, period)
            assert {r.reason for r in refusals} == set(REFUSAL_REASONS), "a reason was never refused"
            # Refused and offered in the same call, in the period: both, each once.
            report = call_report(period, "line", *marks, TZ, refusals=refusals).all
            assert report.calls[CallMeasure.ASKED] == report.calls[CallMeasure.OFFERED] | {r.call_id for r in refusals}


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns",
                                  "Australia/Lord_Howe"])
def test_a_quarter_hour_of_utc_lies_in_one_local_day_and_hour(zone):
    """The grouping remembers each UTC quarter-hour's local day and hour: the same as converting every
    moment, over a year of moments, in zones with half- and quarter-hour offsets and their changes."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from reports.callcentre import key_of
    known: dict = {}
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    while moment.year == 2026:
        local = moment.astimezone(ZoneInfo(zone))
        assert key_of("day", moment, None, None, ZoneInfo(zone), known) == local.strftime("%Y-%m-%d")
        assert key_of("hour", moment, None, None, ZoneInfo(zone), known) == local.strftime("%H")
        moment += timedelta(minutes=7, seconds=31)
