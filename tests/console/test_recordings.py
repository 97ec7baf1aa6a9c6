"""Recordings play on the case page through the console: the console fetches
the audio from Twilio's API (here the local carrier, over HTTP) with the
account's credentials, so the browser sees neither them nor Twilio's URL."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from call_log.models import Recording
from carrier.recordings import Recording as CarrierRecording
from cases.models import Case
from database import db
from tests.support.factories import dispatched
from wiring import services


@pytest.fixture
def voicemail(app, clock, carrier):
    """A case whose caller left a three-second message, kept by the carrier."""
    kept = carrier.recordings.add(CarrierRecording("CA" + "1" * 32, carrier.account_sid,
                                                   datetime.now(timezone.utc), status="completed", duration=3))
    with db.session_scope(app) as session:
        case: Case = dispatched(session, services(app).config, clock())
        recording = Recording(recording_sid=kept.sid, duration_seconds=3, status="completed", purpose="voicemail",
                              url=carrier.api_url(kept.uri()), created_at=clock())
        session.add(recording)
        session.flush()
        case.recording_id = recording.id
        return case.number, recording.id, kept.sid


def test_the_case_page_plays_the_recording_through_the_console(client, sign_in, voicemail):
    number, recording_id, sid = voicemail
    sign_in("disp1")
    page = client.get(f"/console/cases/{number}").get_data(as_text=True)
    source = re.search(r'<audio controls preload="none" src="([^"]+)"', page).group(1)
    assert source == f"/console/cases/{number}/recordings/{recording_id}"
    assert sid not in page and "127.0.0.1" not in page       # nothing of Twilio reaches the browser
    audio = client.get(source)
    assert audio.status_code == 200 and audio.mimetype.startswith("audio/")
    assert audio.data[:4] == b"RIFF" and audio.data[8:12] == b"WAVE"
    assert len(audio.data) == 44 + 3 * 8000 * 2              # three seconds of 8 kHz 16-bit telephone audio
    assert "no-store" in audio.headers["Cache-Control"]


def test_a_recording_is_only_for_those_who_may_see_its_case(app, client, sign_in, voicemail, clock):
    number, recording_id, _ = voicemail
    assert client.get(f"/console/cases/{number}/recordings/{recording_id}").status_code == 302   # sign in first
    with db.session_scope(app) as session:
        other = dispatched(session, services(app).config, clock(), category="C0201", location="青年路12号").number
    sign_in("drain1")
    assert client.get(f"/console/cases/{number}/recordings/{recording_id}").status_code == 200
    assert client.get(f"/console/cases/{other}/recordings/{recording_id}").status_code == 404   # not its case


def test_a_recording_twilio_no_longer_has_is_a_404_page(app, client, sign_in, voicemail):
    number, recording_id, _ = voicemail
    with db.session_scope(app) as session:
        session.get(Recording, recording_id).recording_sid = "RE" + "0" * 32
    sign_in("disp1")
    answer = client.get(f"/console/cases/{number}/recordings/{recording_id}")
    assert answer.status_code == 404 and "未找到" in answer.get_data(as_text=True)
