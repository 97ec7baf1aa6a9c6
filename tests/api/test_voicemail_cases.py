"""An empty voicemail case (no description, no category) cannot be filed:
the refusal says what it lacks, instead of a dispatch error later claiming
that every department has returned it."""
from __future__ import annotations

import pytest

from cases.services import NewCase, open_case
from database import db
from wiring import services


@pytest.fixture
def voicemail(app, clock):
    """What the IVR makes of a caller who only left a message."""
    with db.session_scope(app) as session:
        case = open_case(session, services(app).config, NewCase(
            line_id="urban", channel="hotline", description="", location=None, category_code=None,
            caller_e164="+8613812345678", callback_number="+8613812345678", needs_operator=True), clock())
        return case.number


def test_filing_an_empty_voicemail_case_is_refused_with_the_reason(api_as, cases, voicemail):
    before = cases.snapshot(voicemail)
    answer = api_as("dispatcher").step(voicemail, "file")
    assert answer.status == 409
    assert answer.error["code"] == "category_required"
    assert "no description and no category" in answer.error["message"]
    assert cases.snapshot(voicemail) == before


def test_it_can_still_be_verified_on_site_or_voided(api_as, voicemail):
    assert api_as("dispatcher").step(voicemail, "verify").json["status"] == "verifying"
    assert api_as("inspector").step(voicemail, "file").error["code"] == "category_required"
    assert api_as("supervisor").step(voicemail, "void", reason="no_such_problem").json["status"] == "voided"


def test_an_unclassified_case_filed_before_this_rule_is_not_said_to_be_returned_by_all(api_as, app, voicemail):
    from cases.services import find_case
    with db.session_scope(app) as session:
        find_case(session, voicemail).status = "filed"       # as filed by an earlier version
    answer = api_as("dispatcher").step(voicemail, "dispatch")
    assert answer.status == 409 and answer.error["code"] == "no_department_fits"
    assert "has no category" in answer.error["message"] and "returned" not in answer.error["message"]
