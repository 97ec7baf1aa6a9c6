"""Probe: the local carrier's REST answers against Twilio's own OpenAPI
description of API 2010-04-01 (issue 10, H).

    .venv/bin/python bench/carrier_shapes.py [--description PATH]

Runs a carrier on loopback with a stand-in voice application, drives the
REST resources the service uses through the real ``twilio`` client and
plain requests (calls, a call's recordings, recordings, queues, members,
errors), and checks each JSON answer against the response schema the
description gives for that operation and status: schema errors, and
properties present that the description does not name (or missing).  Also
checks two behaviours: ``StatusCallbackEvent`` in one value is refused, and
the <Enqueue> action after a REST dequeue hears the call still in progress.

The description is ``twilio_api_v2010.json.gz`` from twilio/twilio-oai,
looked for in ``shared/twilio/`` beside the repository; it is not part of
the repository.  Exits 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import copy
import gzip
import json
import logging
import sys
import time
from pathlib import Path

import requests
from flask import Flask, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jsonschema  # noqa: E402

from carrier import IncomingNumber, ScriptedParty, create_carrier_app, say, wait  # noqa: E402
from carrier.testing import carrier_for, serve  # noqa: E402
from config.settings import Settings  # noqa: E402

ACCOUNT_SID = "AC" + "d" * 32
AUTH_TOKEN = "e" * 32
LINE, CITIZEN = "+8652388012319", "+8613812345678"
P = "/2010-04-01/Accounts/{AccountSid}"


def find_description(given: Path | None) -> Path | None:
    if given:
        return given
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "twilio" / "twilio_api_v2010.json.gz"
        if candidate.exists():
            return candidate
    return None


def json_schema(node):
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        elif "$ref" in node:
            node = {"anyOf": [{"$ref": node["$ref"]}, {"type": "null"}]}
    return node


class Judge:
    def __init__(self, oai: dict) -> None:
        self.oai = oai
        self.components = {name: json_schema(copy.deepcopy(value)) for name, value in
                           oai["components"]["schemas"].items()}
        self.checked, self.problems = 0, []

    def check(self, label: str, path: str, method: str, response: requests.Response) -> None:
        self.checked += 1
        operation = self.oai["paths"][P + path][method]
        status = str(response.status_code)
        if status not in operation["responses"]:
            self.problems.append(f"{label}: HTTP {status} is not an answer the description gives")
            return
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        body = response.json()
        try:
            jsonschema.Draft7Validator({"components": {"schemas": self.components},
                                        **json_schema(copy.deepcopy(schema))}).validate(body)
        except jsonschema.ValidationError as error:
            self.problems.append(f"{label}: {error.message}")
        named = schema.get("$ref", "").rsplit("/", 1)[-1]
        if named:
            expected = set(self.oai["components"]["schemas"][named]["properties"])
            extra, missing = set(body) - expected, expected - set(body)
            if extra or missing:
                self.problems.append(f"{label}: extra {sorted(extra)}, missing {sorted(missing)}")


def stand_in() -> tuple[Flask, list[dict]]:
    app = Flask("stand-in")
    seen: list[dict] = []

    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path):
        seen.append({"path": "/" + path, **request.form.to_dict()})
        documents = {
            "voice": '<Response><Record maxLength="20" action="/recorded"/></Response>',
            "queue": '<Response><Enqueue waitUrl="/hold" action="/left">probe</Enqueue></Response>',
            "hold": '<Response><Pause length="5"/></Response>',
        }
        return documents.get(path, "<Response/>"), 200, {"Content-Type": "text/xml"}

    return app, seen


def run(oai: dict) -> int:
    from twilio.rest import Client

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    judge = Judge(oai)
    application, seen = stand_in()
    carrier = carrier_for(ACCOUNT_SID, AUTH_TOKEN)
    settings = Settings(env="testing", twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN)
    with serve(application) as app_base, serve(create_carrier_app(carrier, settings)) as api_base:
        carrier.api_base_url = api_base
        carrier.add_number(IncomingNumber(LINE, f"{app_base}/voice"))
        client = Client(ACCOUNT_SID, AUTH_TOKEN)
        client.api.base_url = api_base
        base = f"{api_base}/2010-04-01/Accounts/{ACCOUNT_SID}"

        def api(method: str, path: str, data=None) -> requests.Response:
            return requests.request(method, base + path, data=data, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10)

        call = carrier.call_in(ScriptedParty(CITIZEN, say("井盖丢了")), LINE)
        call.wait_ended(10)
        [recording] = carrier.recordings.all(call.sid)
        judge.check("fetch a call", "/Calls/{Sid}.json", "get", api("GET", f"/Calls/{call.sid}.json"))
        judge.check("list calls", "/Calls.json", "get", api("GET", f"/Calls.json?To={LINE}"))
        judge.check("a call's recordings", "/Calls/{CallSid}/Recordings.json", "get",
                    api("GET", f"/Calls/{call.sid}/Recordings.json"))
        judge.check("a call's recording", "/Calls/{CallSid}/Recordings/{Sid}.json", "get",
                    api("GET", f"/Calls/{call.sid}/Recordings/{recording.sid}.json"))
        judge.check("recordings", "/Recordings.json", "get", api("GET", "/Recordings.json"))
        judge.check("a recording", "/Recordings/{Sid}.json", "get", api("GET", f"/Recordings/{recording.sid}.json"))
        judge.check("create a queue", "/Queues.json", "post", api("POST", "/Queues.json", {"FriendlyName": "q1"}))
        judge.check("list queues", "/Queues.json", "get", api("GET", "/Queues.json"))
        carrier.directory.register(ScriptedParty("+8613900000001"))
        created = api("POST", "/Calls.json", [("To", "+8613900000001"), ("From", LINE),
                                              ("Twiml", "<Response><Say>回访</Say></Response>")])
        judge.check("create a call", "/Calls.json", "post", created)

        refused = api("POST", "/Calls.json", {"To": CITIZEN, "From": LINE, "Twiml": "<Response/>",
                                              "StatusCallback": f"{app_base}/progress",
                                              "StatusCallbackEvent": "initiated ringing"})
        carrier.numbers[LINE] = IncomingNumber(LINE, f"{app_base}/queue")
        queued = carrier.call_in(ScriptedParty("+8613900000002", wait()), LINE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(s["path"] == "/hold" for s in seen):
            time.sleep(0.05)
        queue = carrier.queues.named("probe")
        judge.check("queue members", "/Queues/{QueueSid}/Members.json", "get",
                    api("GET", f"/Queues/{queue.sid}/Members.json"))
        client.queues(queue.sid).members("Front").update(url=f"{app_base}/dequeued", method="POST")
        queued.wait_ended(10)
        left = [s for s in seen if s["path"] == "/left"]
        carrier.shutdown()
    print(f"REST answers checked against Twilio's description: {judge.checked}; mismatches: {len(judge.problems)}")
    for problem in judge.problems:
        print(f"  {problem}")
    one_value = refused.status_code == 400
    print(f"StatusCallbackEvent 'initiated ringing' in one value refused: {'yes' if one_value else 'NO'} "
          f"(HTTP {refused.status_code}, code {refused.json().get('code')})")
    dequeued = left[0].get("CallStatus") if left else None
    print(f"<Enqueue> action after a REST dequeue: QueueResult={left[0].get('QueueResult') if left else None}, "
          f"CallStatus={dequeued}")
    return 0 if not judge.problems and one_value and dequeued == "in-progress" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--description", type=Path, help="twilio_api_v2010.json.gz (default: shared/twilio/)")
    args = parser.parse_args(argv)
    path = find_description(args.description)
    if path is None:
        print("Twilio's OpenAPI description (twilio_api_v2010.json.gz) not found in shared/twilio/; give --description")
        return 2
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return run(json.load(handle))


if __name__ == "__main__":
    sys.exit(main())
