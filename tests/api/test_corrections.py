"""A dispatcher's correction of the category is an audited step, re-routes
the case, and becomes a labelled example that changes the next model."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from understanding import services as understanding
from understanding.models import TrainingExample
from wiring import services

# Said in no training example: a cover that clatters, with no clue whose it
# is; the inspector found it was the broadband company's (a network cover).
SAID = "小区东门那块铁板子一踩就咣当响"


def test_a_correction_reroutes_the_case_and_is_audited(api_as, cases, session):
    number = cases.report(category="C0101", description=SAID, location="海陵区凤凰城小区东门")
    dispatcher = api_as("dispatcher")
    corrected = dispatcher.step(number, "recategorise", category="C0109", note="井盖上喷的是宽带")
    assert corrected.status == 200, corrected.json
    assert corrected.json["category"]["code"] == "C0109"
    assert corrected.json["department"]["code"] == "TELECOM"
    assert corrected.json["status"] == "verifying"                # the step keeps the status
    events = dispatcher.get(f"/cases/{number}/events").json["items"]
    step = [e for e in events if e["action"] == "recategorise"][-1]
    assert step["data"]["previous_category"] == "C0101" and step["data"]["category"] == "C0109"
    assert step["actor"] and step["note"] == "井盖上喷的是宽带"


def test_a_refused_correction_changes_nothing(api_as, cases, session):
    number = cases.report(category="C0101", description=SAID)
    dispatcher = api_as("dispatcher")
    unknown = dispatcher.step(number, "recategorise", category="C9999")
    assert unknown.status == 422 and unknown.error["code"] == "unknown_category"
    missing = dispatcher.step(number, "recategorise")
    assert missing.status == 422 and missing.error["code"] == "category_required"
    same = dispatcher.step(number, "recategorise", category="C0101")
    assert same.status == 422
    assert dispatcher.get(f"/cases/{number}").json["category"]["code"] == "C0101"
    assert session.scalars(select(TrainingExample)).all() == []


def test_a_correction_teaches_the_next_model(api_as, cases, session, app, understanding: object):
    config, settings = services(app).config, app.config["SETTINGS"]
    before = understanding.read(SAID, None).best
    assert before.code != "C0109"

    number = cases.report(category=before.code, description=SAID)
    assert api_as("dispatcher").step(number, "recategorise", category="C0109").status == 200
    example = session.scalars(select(TrainingExample)).one()
    assert (example.text, example.category_code, example.source) == (SAID, "C0109", "correction")
    assert understanding_is_stale(session, settings, config)

    retrained = understanding_retrained(session, settings, config)
    assert retrained.read(SAID, None).best.code == "C0109"
    assert not understanding_is_stale(session, settings, config)


def test_filing_a_case_as_it_stands_confirms_its_category_but_never_undoes_a_correction(
        api_as, cases, session):
    number = cases.report(category="E0404", description="下水道堵了好几天了", location="海陵区青年南路12号")
    dispatcher = api_as("dispatcher")
    assert dispatcher.step(number, "recategorise", category="E0405").status == 200
    assert dispatcher.step(number, "file").status == 200
    example = session.scalars(select(TrainingExample)).one()
    assert (example.category_code, example.source) == ("E0405", "correction")


def understanding_is_stale(session, settings, config) -> bool:
    return understanding.status(session, settings.config_dir, config).stale


def understanding_retrained(session, settings, config):
    now = datetime(2026, 10, 9, 3, 0, tzinfo=timezone.utc)
    understanding.train_and_store(session, settings.config_dir, config, now, tune_thresholds=False)
    return understanding.load_latest(session)
