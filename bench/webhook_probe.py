"""Probe Twilio's webhooks: are forged requests refused, and are replays harmless?

    .venv/bin/python bench/webhook_probe.py                          on SQLite
    .venv/bin/python bench/webhook_probe.py --database postgresql --calls 40

The service is built as in production (HOTLINE_PUBLIC_URL set, signatures
checked with the auth token) on a fresh database.

Forgeries: for every route that checks X-Twilio-Signature, a request with
valid-looking parameters is sent signed wrongly, in every way we know: no
signature, an empty or truncated one, one made with another auth token, for
another host (sent with that Host header), for http instead of https, for
another path, for other parameters or another query string than those sent,
and under the SHA-256 header with a SHA-1 signature.  Anything but 403 counts
as accepted.

Replays: ``--calls`` calls go through the IVR to a case (speech, keys, a
voicemail with its recording callbacks, status callbacks in order), every
request signed as Twilio signs it.  Then every one of those requests is sent
again twice, in shuffled order, as Twilio's retries and reorderings would.
A duplicate effect is a row that the replays added to the call log, the IVR
steps, cases, complainants, case events, recordings, status events,
callbacks or the audit log.  Figures: docs/security.md.
"""
from __future__ import annotations

import argparse
import logging
import random
import shutil
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fuzz import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, build_app, postgres_admin_url, signature  # noqa: E402

URBAN = "+8652388012319"
OTHER_TOKEN = "0123456789abcdef0123456789abcdef"


def sign_with(token: str, url: str, params: dict) -> str:
    from twilio.request_validator import RequestValidator
    return RequestValidator(token).compute_signature(url, params)


def forgeries(app) -> tuple[int, list[str]]:
    """Every way of signing wrongly, at every signed route; the count sent and those accepted."""
    client = app.test_client()
    signed_routes = sorted({rule.rule for rule in app.url_map.iter_rules()
                            if getattr(app.view_functions[rule.endpoint], "twilio_signed", False)})
    sent, accepted = 0, []
    for path in signed_routes:
        params = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID, "From": "+8613812345678",
                  "To": URBAN, "CallStatus": "in-progress", "Direction": "inbound", "Digits": "1"}
        url = PUBLIC_URL + path + "?step=1"
        good = signature(url, params)
        tampered = {**params, "Digits": "2"}
        cases = {
            "no signature": ({}, params, url),
            "empty signature": ({"X-Twilio-Signature": ""}, params, url),
            "truncated signature": ({"X-Twilio-Signature": good[:-4]}, params, url),
            "another auth token": ({"X-Twilio-Signature": sign_with(OTHER_TOKEN, url, params)}, params, url),
            "another host": ({"X-Twilio-Signature": signature(f"https://evil.example{path}?step=1", params),
                              "Host": "evil.example"}, params, url),
            "http instead of https": ({"X-Twilio-Signature": signature(url.replace("https:", "http:"), params)},
                                      params, url),
            "another path": ({"X-Twilio-Signature": signature(PUBLIC_URL + "/voice/elsewhere?step=1", params)},
                             params, url),
            "parameters changed after signing": ({"X-Twilio-Signature": good}, tampered, url),
            "parameter added after signing": ({"X-Twilio-Signature": good}, {**params, "Extra": "1"}, url),
            "query changed after signing": ({"X-Twilio-Signature": good}, params, url.replace("step=1", "step=2")),
            "SHA-1 signature under the SHA-256 header": (
                {"X-Twilio-Signature": good, "X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_SHA256"},
                params, url),
            "an algorithm Twilio does not have": (
                {"X-Twilio-Signature": good, "X-Twilio-Webhooks-Signature-Settings": "algorithm=NONE"}, params, url),
        }
        for name, (headers, form, target) in cases.items():
            target_path = target.removeprefix(PUBLIC_URL)
            answer = client.post(target_path, data=form, headers=headers)
            sent += 1
            if answer.status_code != 403:
                accepted.append(f"{name} at {path}: {answer.status_code}")
    return sent, accepted


class TwilioSide:
    """Posts what Twilio posts, signed, follows the TwiML, and remembers every request for replay."""

    def __init__(self, client) -> None:
        self.client, self.sent = client, []

    def post(self, target: str, params: dict):
        if target.startswith(PUBLIC_URL):
            target = target.removeprefix(PUBLIC_URL)
        headers = {"X-Twilio-Signature": signature(PUBLIC_URL + target, params)}
        self.sent.append((target, params, headers))
        return self.client.post(target, data=params, headers=headers)


def next_action(body: bytes) -> str | None:
    root = ET.fromstring(body)
    for verb in ("Gather", "Record"):
        found = root.find(verb)
        if found is not None:
            return found.get("action")
    return None


def one_call(twilio: TwilioSide, rng: random.Random, index: int) -> None:
    sid = "CA" + uuid.uuid4().hex
    base = {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": f"+861381234{index:04d}", "To": URBAN,
            "Caller": f"+861381234{index:04d}", "Called": URBAN, "CallStatus": "in-progress",
            "Direction": "inbound", "ApiVersion": "2010-04-01"}
    sequence = 0

    def status(value: str, **extra) -> None:
        nonlocal sequence
        twilio.post("/voice/status", {**base, "CallStatus": value, "SequenceNumber": str(sequence),
                                      "Timestamp": "Fri, 09 Oct 2026 02:00:00 +0000", **extra})
        sequence += 1

    status("ringing")
    body = twilio.post("/voice/incoming", {**base, "CallStatus": "ringing"}).get_data()
    status("in-progress")
    voicemail = rng.random() < 0.3
    answers = ([{"Digits": "0"}] if voicemail else
               [{"SpeechResult": "海陵北路十八亩50号的下水道堵了", "Confidence": "0.9"}, {"Digits": "1"},
                {"SpeechResult": f"海陵区海陵北路{index + 1}号", "Confidence": "0.9"}, {"Digits": "1"}])
    for answer in answers:
        action = next_action(body)
        if action is None:
            break
        body = twilio.post(action, {**base, **answer}).get_data()
    for _ in range(4):          # a person's queue or voicemail: leave a message where one is asked for
        action = next_action(body)
        if action is None:
            break
        root = ET.fromstring(body)
        if root.find("Record") is not None:
            recording = "RE" + uuid.uuid4().hex
            body = twilio.post(action, {**base, "RecordingSid": recording, "RecordingDuration": "12",
                                        "RecordingUrl": f"https://api.twilio.com/Recordings/{recording}",
                                        "Digits": "hangup"}).get_data()
            twilio.post("/voice/recording", {**base, "RecordingSid": recording, "RecordingStatus": "completed",
                                             "RecordingDuration": "12",
                                             "RecordingUrl": f"https://api.twilio.com/Recordings/{recording}"})
        else:
            body = twilio.post(action, {**base, "Digits": "1"}).get_data()
    status("completed", CallDuration="95")


def counts(app) -> dict[str, int]:
    from sqlalchemy import func, select

    from accounts.models import AuditEntry
    from call_log.models import Call, CallStatusEvent, IvrStep, Recording
    from callbacks.models import Callback
    from cases.models import Case, CaseEvent, Complainant
    from database import db

    models = {"calls": Call, "ivr steps": IvrStep, "cases": Case, "complainants": Complainant,
              "case events": CaseEvent, "recordings": Recording, "status events": CallStatusEvent,
              "callbacks": Callback, "audit entries": AuditEntry}
    with db.session_scope(app) as session:
        return {name: session.scalar(select(func.count()).select_from(model)) for name, model in models.items()}


def replays(app, calls: int, seed: int) -> tuple[int, dict[str, int], dict[str, int]]:
    rng = random.Random(seed)
    twilio = TwilioSide(app.test_client())
    for index in range(calls):
        one_call(twilio, rng, index)
    before = counts(app)
    again = [request for request in twilio.sent for _ in range(2)]
    rng.shuffle(again)
    client = app.test_client()
    for target, params, headers in again:
        client.post(target, data=params, headers=headers)
    after = counts(app)
    return len(again), before, {name: after[name] - before[name] for name in after}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    logging.getLogger().addHandler(logging.NullHandler())
    workdir = Path(tempfile.mkdtemp(prefix="hotline-webhooks-"))
    admin = name = None
    try:
        if options.database == "sqlite":
            url = f"sqlite:///{workdir / 'hotline.sqlite3'}"
        else:
            from sqlalchemy import create_engine, text
            admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
            name = f"hotline_webhooks_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin.url.set(database=name).render_as_string(hide_password=False)
        app = build_app(url, workdir / "instance")
        app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides({"twilio_auth_token": AUTH_TOKEN})
        sent, accepted = forgeries(app)
        replayed, made, duplicated = replays(app, options.calls, options.seed)
        from database import db
        db.engine(app).dispose()
    finally:
        if admin is not None:
            from sqlalchemy import text
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    for forgery in accepted:
        print("accepted:", forgery)
    print("made by the calls:  " + ", ".join(f"{name} {count}" for name, count in made.items()))
    print("added by replays:   " + ", ".join(f"{name} {count}" for name, count in duplicated.items()))
    duplicates = sum(duplicated.values())
    print(f"{options.database}: forged webhooks accepted {len(accepted)} of {sent}; "
          f"duplicate effects {duplicates} of {replayed} replays ({options.calls} calls)")
    return 1 if accepted or duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
