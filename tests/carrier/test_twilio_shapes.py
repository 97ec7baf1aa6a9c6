"""The carrier's REST answers, judged by Twilio's own OpenAPI description
of API 2010-04-01 (twilio/twilio-oai's ``twilio_api_v2010.json``).

The description is read from ``shared/twilio/`` beside the repository (or
HOTLINE_TEST_TWILIO_OAI) and never copied into it; without it these tests
skip and say why.  Each answer must validate against the operation's
response schema and carry exactly the properties the schema names.
"""
from __future__ import annotations

import copy
import gzip
import json
import os
from pathlib import Path

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from carrier import ScriptedParty, say
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, CITIZEN_NUMBER, finished

jsonschema = pytest.importorskip("jsonschema")

NAME = "twilio_api_v2010.json.gz"


def _find_description() -> Path | None:
    if os.environ.get("HOTLINE_TEST_TWILIO_OAI"):
        return Path(os.environ["HOTLINE_TEST_TWILIO_OAI"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "twilio" / NAME
        if candidate.exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def oai() -> dict:
    path = _find_description()
    if path is None or not path.exists():
        pytest.skip(f"Twilio's OpenAPI description ({NAME}) not found in shared/twilio/ beside the repository")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _json_schema(node, strict: bool):
    """OpenAPI 3.0 to JSON Schema: ``nullable`` becomes a null type; with
    ``strict``, objects allow no property the description does not name."""
    if isinstance(node, list):
        return [_json_schema(item, strict) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value, strict) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        elif "$ref" in node:
            node = {"anyOf": [{"$ref": node["$ref"]}, {"type": "null"}]}
    if strict and node.get("type") in ("object", ["object", "null"]) and "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


# Enums the description says are null at times, which a ``$ref`` cannot mark
# as nullable: "When a conference is in progress, will be `null`".
NULL_WHEN_DOCUMENTED = {"conference_enum_reason_conference_ended"}


def _schemas(oai: dict) -> dict:
    schemas = {}
    for name, value in oai["components"]["schemas"].items():
        value = copy.deepcopy(value)
        if name in NULL_WHEN_DOCUMENTED:
            value["nullable"] = True
        schemas[name] = _json_schema(value, strict=True)
    return schemas


def check(oai: dict, path: str, method: str, status: str, body: dict) -> None:
    operation = oai["paths"][path][method]
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    document = {"components": {"schemas": _schemas(oai)},
                **_json_schema(copy.deepcopy(schema), strict=True)}
    jsonschema.Draft7Validator(document).validate(body)
    if "$ref" in schema:
        named = oai["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        difference = sorted(set(body) ^ set(named["properties"]))
        assert not difference, f"{method.upper()} {path}: {difference}"


def api(carrier, path: str, method: str = "GET", **data):
    url = f"{carrier.api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}{path}"
    return requests.request(method, url, data=data or None, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10)


@pytest.fixture
def recorded_call(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Record maxLength="30" action="/after"/></Response>')
    stand_in.on("/after", "<Response/>")
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, say("井盖丢了")), line))
    [recording] = carrier.recordings.all(call.sid)
    return call, recording


def test_a_call_has_every_subresource_twilio_lists(oai, carrier, recorded_call):
    call, _ = recorded_call
    response = api(carrier, f"/Calls/{call.sid}.json")
    body = response.json()
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json", "get", "200", body)
    example = oai["paths"]["/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json"]["get"]["responses"]["200"][
        "content"]["application/json"]["examples"]["fetch"]["value"]
    assert set(body["subresource_uris"]) == set(example["subresource_uris"])
    assert body["subresource_uris"]["transcriptions"].endswith(f"/Calls/{call.sid}/Transcriptions.json")


def test_a_calls_recordings_list_has_the_call_level_shape(oai, carrier, recorded_call):
    call, recording = recorded_call
    body = api(carrier, f"/Calls/{call.sid}/Recordings.json").json()
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json", "get", "200", body)
    [listed] = body["recordings"]
    assert listed["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{call.sid}/Recordings/{recording.sid}.json"
    assert "media_url" not in listed and "subresource_uris" not in listed
    fetched = api(carrier, f"/Calls/{call.sid}/Recordings/{recording.sid}.json")
    assert fetched.status_code == 200
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json", "get", "200",
          fetched.json())


def test_the_account_recordings_list_keeps_the_account_level_shape(oai, carrier, recorded_call):
    call, _ = recorded_call
    body = api(carrier, f"/Recordings.json?CallSid={call.sid}").json()
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Recordings.json", "get", "200", body)


def test_queues_create_answers_201_with_twilios_queue(oai, carrier, twilio):
    created = twilio.queues.create(friendly_name="urban-operators", max_size=20)
    assert (created.friendly_name, created.max_size, created.current_size) == ("urban-operators", 20, 0)
    body = api(carrier, f"/Queues/{created.sid}.json").json()
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Queues/{Sid}.json", "get", "200", body)
    response = api(carrier, "/Queues.json", "POST", FriendlyName="conduct-operators")
    assert response.status_code == 201
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Queues.json", "post", "201", response.json())
    assert [q.friendly_name for q in twilio.queues.list()] == ["urban-operators", "conduct-operators"]


def test_queues_create_without_a_name_is_a_twilio_error_not_a_405(carrier, twilio):
    with pytest.raises(TwilioRestException) as caught:
        twilio.queues.create(friendly_name="")
    assert (caught.value.status, caught.value.code) == (400, 20002)


def test_a_method_the_api_does_not_have_is_error_20004(carrier):
    response = api(carrier, "/Queues.json", "DELETE")
    assert response.status_code == 405 and response.json()["code"] == 20004


@pytest.mark.parametrize("events", ["initiated ringing answered completed", "initiated,ringing"])
def test_status_callback_events_in_one_value_are_refused(carrier, stand_in, line, events):
    response = api(carrier, "/Calls.json", "POST", To=CITIZEN_NUMBER, From=line, Twiml="<Response/>",
                   StatusCallback=stand_in.url("/progress"), StatusCallbackEvent=events)
    assert response.status_code == 400 and response.json()["code"] == 21200
    assert carrier.calls() == []


def test_status_callback_events_are_taken_as_repeated_parameters(carrier, stand_in, line):
    carrier.directory.register(ScriptedParty(CITIZEN_NUMBER))
    response = requests.post(f"{carrier.api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json",
                             data=[("To", CITIZEN_NUMBER), ("From", line),
                                   ("Twiml", "<Response><Say>hi</Say></Response>"),
                                   ("StatusCallback", stand_in.url("/progress")),
                                   ("StatusCallbackEvent", "ringing"), ("StatusCallbackEvent", "completed")],
                             auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10)
    assert response.status_code == 201
    finished(carrier.call(response.json()["sid"]))
    assert [s.params["CallStatus"] for s in stand_in.seen("/progress")] == ["ringing", "completed"]


def test_calls_can_be_listed_by_number_since_a_moment(carrier, twilio, line):
    from datetime import datetime, timedelta, timezone

    carrier.directory.register(ScriptedParty(CITIZEN_NUMBER))
    before = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=1)
    created = twilio.calls.create(to=CITIZEN_NUMBER, from_=line, twiml="<Response><Say>回访</Say></Response>")
    finished(carrier.call(created.sid))
    assert [c.sid for c in twilio.calls.list(to=CITIZEN_NUMBER, start_time_after=before)] == [created.sid]
    assert twilio.calls.list(to=CITIZEN_NUMBER, start_time_after=before + timedelta(hours=1)) == []
    assert twilio.calls.list(to="+8613900000009", start_time_after=before) == []


# --- conferences and participants ----------------------------------------------------------

CONFERENCES = "/2010-04-01/Accounts/{AccountSid}/Conferences"


def test_conferences_and_participants_have_twilios_shapes(oai, carrier, stand_in, line):
    from carrier.testing import Handset

    stand_in.on("/voice", '<Response><Dial><Conference participantLabel="caller">hotline-CAshape</Conference>'
                          '</Dial></Response>')
    caller = Handset(carrier, CITIZEN_NUMBER)
    carrier.call_in(caller, line)
    caller.wait_until_in_conference()
    conference = carrier.conferences.named("hotline-CAshape")
    operator = Handset(carrier, "client:operator")
    created = api(carrier, f"/Conferences/{conference.sid}/Participants.json", "POST", From=line,
                  To="client:operator", Label="operator")
    assert created.status_code == 201
    check(oai, CONFERENCES + "/{ConferenceSid}/Participants.json", "post", "201", created.json())
    operator.wait_until_in_conference()
    check(oai, CONFERENCES + ".json", "get", "200", api(carrier, "/Conferences.json").json())
    check(oai, CONFERENCES + "/{Sid}.json", "get", "200", api(carrier, f"/Conferences/{conference.sid}.json").json())
    listed = api(carrier, f"/Conferences/{conference.sid}/Participants.json").json()
    check(oai, CONFERENCES + "/{ConferenceSid}/Participants.json", "get", "200", listed)
    assert [p["status"] for p in listed["participants"]] == ["connected", "connected"]
    fetched = api(carrier, f"/Conferences/{conference.sid}/Participants/operator.json").json()
    check(oai, CONFERENCES + "/{ConferenceSid}/Participants/{CallSid}.json", "get", "200", fetched)
    updated = api(carrier, f"/Conferences/{conference.sid}/Participants/caller.json", "POST", Hold="true")
    check(oai, CONFERENCES + "/{ConferenceSid}/Participants/{CallSid}.json", "post", "200", updated.json())
    removed = api(carrier, f"/Conferences/{conference.sid}/Participants/operator.json", "DELETE")
    assert removed.status_code == 204 and removed.content == b""
    ended = api(carrier, f"/Conferences/{conference.sid}.json", "POST", Status="completed")
    check(oai, CONFERENCES + "/{Sid}.json", "post", "200", ended.json())
    assert (ended.json()["status"], ended.json()["reason_conference_ended"]) == \
        ("completed", "conference-ended-via-api")


def test_a_conference_recording_has_twilios_shapes(oai, carrier, stand_in, line):
    from carrier.testing import Handset

    stand_in.on("/voice", '<Response><Dial><Conference record="record-from-start">hotline-CArec</Conference>'
                          '</Dial></Response>')
    caller = Handset(carrier, CITIZEN_NUMBER)
    call = carrier.call_in(caller, line)
    caller.wait_until_in_conference()
    caller.say("井盖丢了")
    caller.hang_up()
    finished(call)
    conference = carrier.conferences.all()[0]
    body = api(carrier, f"/Conferences/{conference.sid}/Recordings.json").json()
    check(oai, CONFERENCES + "/{ConferenceSid}/Recordings.json", "get", "200", body)
    [listed] = body["recordings"]
    fetched = api(carrier, f"/Conferences/{conference.sid}/Recordings/{listed['sid']}.json")
    check(oai, CONFERENCES + "/{ConferenceSid}/Recordings/{Sid}.json", "get", "200", fetched.json())
    account_level = api(carrier, f"/Recordings/{listed['sid']}.json").json()
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json", "get", "200", account_level)
    assert (account_level["conference_sid"], account_level["source"]) == (conference.sid, "Conference")
