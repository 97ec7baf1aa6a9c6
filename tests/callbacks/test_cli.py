"""flask --app app callbacks list | cancel | satisfaction."""
from __future__ import annotations

from datetime import timedelta

from callbacks.models import Callback, SurveyAnswer
from callbacks.services import request_call_back
from tests.callbacks.conftest import closed_case, later

A, B, C = "+8613812345678", "+8613912345678", "+8615012345678"


def run(app, *args):
    from database import db
    db.session().commit()        # the test's own reads end, as another process's would
    return app.test_cli_runner().invoke(args=["callbacks", *args])


def test_list_shows_what_is_owed_with_masked_numbers_and_local_times(app, session, config, clock):
    closed_case(session, config, clock(), caller=A)
    request_call_back(session, config, purpose="queue", phone_e164=B, line_id="urban", origin_call_id=None,
                      language=None, now=clock())
    session.commit()
    result = run(app, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("pending 2  calling 0  completed 0")
    assert "+86*******5678" in result.output and A not in result.output and B not in result.output
    queue, outcome = lines[2], lines[3]
    assert "queue" in queue and "2026-10-09 10:00" in queue
    assert "outcome" in outcome and "2610090001" in outcome and "2026-10-09 14:00" in outcome
    due = run(app, "list", "--due")
    assert "queue" in due.output and "outcome" not in due.output
    assert "outcome" not in run(app, "list", "--status", "completed").output


def test_cancel_stops_a_pending_callback_and_refuses_a_finished_one(app, session, config, clock):
    callback = request_call_back(session, config, purpose="queue", phone_e164=B, line_id="urban",
                                 origin_call_id=None, language=None, now=clock())
    session.commit()
    result = run(app, "cancel", str(callback.id))
    assert result.exit_code == 0 and "cancelled" in result.output
    session.expire_all()
    assert session.get(Callback, callback.id).status == "cancelled"
    again = run(app, "cancel", str(callback.id))
    assert again.exit_code != 0 and "only pending or calling" in again.output
    missing = run(app, "cancel", "999")
    assert missing.exit_code != 0 and "no callback 999" in missing.output


def test_satisfaction_per_department_and_line_counts_each_case_once(app, session, config, clock):
    drains = closed_case(session, config, clock(), caller=A)                       # DRAIN, urban
    covers = closed_case(session, config, clock(), caller=B, category="C0101", location="海陵区东进路88号")
    lamps = closed_case(session, config, clock(), caller=C, category="C0118", location="海陵区凤凰路1号")
    later(clock, hours=5)

    def add(case, answer, **kw):
        session.add(SurveyAnswer(case_id=case.id, answered_at=clock(), answer=answer, **kw))

    add(drains, "unsatisfied", reason="还是堵")
    later(clock, minutes=1)
    add(drains, "satisfied")                       # a later answer for the same case counts instead
    add(covers, "basically_satisfied")
    add(lamps, "unsatisfied")
    add(lamps, "unreachable")
    session.add(SurveyAnswer(case_id=covers.id, answered_at=clock() + timedelta(days=40), answer="unsatisfied"))
    session.commit()
    result = run(app, "satisfaction", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.startswith("  ")}
    assert (drains.department_code, covers.department_code, lamps.department_code) == ("DRAIN", "WATER", "LIGHT")
    #                     surveyed satisfied basically not  rate  unreachable
    assert rows["DRAIN"] == ["1", "1", "0", "0", "100.00%", "0"]
    assert rows["WATER"] == ["1", "0", "1", "0", "100.00%", "0"]
    assert rows["LIGHT"] == ["1", "0", "0", "1", "0.00%", "1"]
    assert rows["urban"] == ["3", "1", "1", "1", "66.67%", "1"]
    assert "satisfaction by line, 2026-10" in result.output
    bad = run(app, "satisfaction", "--month", "October")
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
