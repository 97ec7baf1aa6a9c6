"""The floor that issue 11's figures are read against (bench/floor.py) does
what it claims: a forged webhook is refused, each signed one writes its row
once, and a replay writes nothing more."""
from __future__ import annotations

from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bench.floor import create_app, steps

TOKEN = "floor-test-token"
PUBLIC = "http://127.0.0.1:5000"


def _post(client, path: str, form: dict, signature: str | None = None):
    signature = signature if signature is not None else RequestValidator(TOKEN).compute_signature(PUBLIC + path,
                                                                                                  form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def _rows(app) -> int:
    with app.config["ENGINE"].connect() as connection:
        return connection.execute(select(func.count()).select_from(steps)).scalar_one()


def test_the_floor_checks_the_signature_and_writes_each_step_once(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'floor.sqlite3'}", TOKEN, PUBLIC)
    client = app.test_client()
    form = {"CallSid": "CA" + "1" * 32, "From": "+8613800000001", "SpeechResult": "井盖丢了"}

    assert _post(client, "/voice/incoming", form, signature="forged").status_code == 403
    assert _rows(app) == 0

    answer = _post(client, "/voice/incoming", form)
    assert answer.status_code == 200 and b"<Gather" in answer.data
    assert _post(client, "/voice/step?step=1", form).status_code == 200
    assert _post(client, "/voice/step?step=1", form).status_code == 200      # Twilio's retry
    assert _post(client, "/voice/status", form).status_code == 204
    assert _rows(app) == 3
    app.config["ENGINE"].dispose()
