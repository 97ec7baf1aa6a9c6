"""web/guards.py on a small app of its own: text holding NUL is refused
with 400 before the view runs (Twilio's signed webhooks excepted), and a
view that takes uploads caps the body it accepts."""
from __future__ import annotations

import pytest
from flask import Flask, abort, jsonify, request

from web.guards import cap_request_size, refuse_unstorable_text

SETTINGS = object()     # what the app keeps in config["SETTINGS"]; a view's max_body is handed it


@pytest.fixture
def ran() -> list[str]:
    return []


@pytest.fixture
def app(ran) -> Flask:
    app = Flask(__name__)
    app.config.update(SETTINGS=SETTINGS, MAX_CONTENT_LENGTH=1000)
    app.before_request(cap_request_size)
    app.before_request(refuse_unstorable_text)

    @app.route("/echo/<text>", methods=["GET", "POST"])
    def echo(text):
        ran.append("echo")
        return jsonify(text=text, args=request.args.to_dict(), form=request.form.to_dict())

    @app.post("/raw")
    def raw():
        ran.append("raw")
        return request.get_data()

    @app.post("/voice")
    def voice():
        ran.append("voice")
        return request.form.get("SpeechResult", "")
    voice.twilio_signed = True

    @app.post("/upload")
    def upload():
        ran.append("upload")
        return str(len(request.get_data()))
    upload.max_body = lambda settings: 10 if settings is SETTINGS else abort(500)

    @app.post("/plain")
    def plain():
        return str(len(request.get_data()))

    return app


@pytest.fixture
def client(app):
    return app.test_client()


def refused(response, where: str) -> bool:
    text = response.get_data(as_text=True)
    return response.status_code == 400 and "空字符（NUL）" in text and "NUL" in text and where in text


def test_clean_text_reaches_the_view(client, ran):
    response = client.post("/echo/井盖?page=2", data={"note": "西仓路 银春旅馆"})
    assert response.status_code == 200
    assert response.get_json() == {"text": "井盖", "args": {"page": "2"}, "form": {"note": "西仓路 银春旅馆"}}
    assert ran == ["echo"]


def test_nul_in_the_path_is_refused_before_the_view(client, ran):
    assert refused(client.get("/echo/a%00b"), "the path")
    assert ran == []


@pytest.mark.parametrize("query, where", [("q=a%00b", "q"), ("a=1&department=%00", "department"),
                                          ("x%00y=1", "xy")])
def test_nul_in_a_query_argument_or_its_name_is_refused(client, ran, query, where):
    """The name is given without the NUL (a control character in an error page helps nobody)."""
    response = client.get(f"/echo/ok?{query}")
    assert refused(response, where)
    assert "\x00" not in response.get_data(as_text=True)
    assert ran == []


def test_nul_in_a_posted_form_field_is_refused(client, ran):
    assert refused(client.post("/echo/ok", data={"note": "拆\x00迁"}), "note")
    assert ran == []


def test_a_view_reading_the_raw_body_still_finds_it_after_the_check(client):
    body = b'{"reason": "\\u0000 is escaped in JSON, not a NUL"}'
    response = client.post("/raw", data=body, content_type="application/json")
    assert (response.status_code, response.data) == (200, body)


def test_twilios_signed_webhooks_are_let_through_to_be_cleaned_by_their_reader(client, ran):
    response = client.post("/voice", data={"SpeechResult": "井盖\x00丢了"})
    assert (response.status_code, response.get_data(as_text=True)) == (200, "井盖\x00丢了")
    assert ran == ["voice"]


def test_a_request_no_view_answers_keeps_its_404(client):
    assert client.get("/nowhere?q=%00").status_code == 404


def test_a_view_that_takes_uploads_caps_the_body_by_the_settings(client, ran):
    assert (client.post("/upload", data=b"x" * 10).get_data(as_text=True)) == "10"
    assert client.post("/upload", data=b"x" * 11).status_code == 413
    assert ran == ["upload"]


def test_other_views_keep_the_apps_own_limit(client):
    assert client.post("/plain", data=b"x" * 500).get_data(as_text=True) == "500"
    assert client.post("/plain", data=b"x" * 1001).status_code == 413
