"""``flask --app app call``: a call into a running service from the terminal."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from carrier.guard import CarrierRefused
from carrier.terminal import call_command
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, LINE_NUMBER

# Answers every input with another prompt, three times, then says goodbye.
PROMPT = ('<Response><Gather input="dtmf speech" action="/voice/step" numDigits="1" language="cmn-Hans-CN">'
          '<Say language="cmn-CN">请讲</Say></Gather><Say>没有听到</Say></Response>')
GOODBYE = ('<Response><Say>案件编号是<say-as interpret-as="digits">2610090001</say-as></Say>'
           '<Hangup/></Response>')


@pytest.fixture
def service(stand_in):
    stand_in.on("/voice/incoming", PROMPT)
    stand_in.on("/voice/step", lambda seen: GOODBYE if len(stand_in.seen("/voice/step")) >= 3 else PROMPT)
    return stand_in


def run(service, tmp_path, *args: str, stdin: str | None = None, public_url: str | None = None):
    env = {"HOTLINE_ENV": "testing", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
           "HOTLINE_SECRET_KEY": "test", "HOTLINE_INSTANCE_DIR": str(tmp_path), "HOTLINE_PUBLIC_URL": public_url,
           "HOTLINE_CONFIG_DIR": None, "HOTLINE_TWILIO_API_URL": None}
    return CliRunner().invoke(call_command, ["--url", service.base, *args], input=stdin, env=env)


def inputs(service) -> list[tuple[str, str]]:
    return [("press", s.params["Digits"]) if "Digits" in s.params else ("say", s.params.get("SpeechResult", ""))
            for s in service.seen("/voice/step")]


def test_steps_given_as_options_are_taken_in_the_order_typed(service, tmp_path):
    result = run(service, tmp_path, "--line", "urban", "--press", "1", "--say", "井盖丢了", "--press", "2")
    assert result.exit_code == 0, result.output
    assert inputs(service) == [("press", "1"), ("say", "井盖丢了"), ("press", "2")]
    first = service.seen("/voice/incoming")[0]
    assert (first.params["To"], first.params["From"], first.signature_valid) == (LINE_NUMBER, "+8613812345678", True)
    assert result.output.splitlines().count("hotline: 请讲") == 3
    assert "hotline: 案件编号是2610090001" in result.output.splitlines()


def test_without_steps_it_reads_what_the_person_types(service, tmp_path):
    result = run(service, tmp_path, "--line", "urban", stdin="1\n/say 12\n/hangup\n")
    assert result.exit_code == 0, result.output
    assert inputs(service) == [("press", "1"), ("say", "12")]
    assert [s.params["CallStatus"] for s in service.seen("/voice/status")] == ["completed"]


def test_an_empty_line_lets_the_prompt_time_out(service, tmp_path):
    result = run(service, tmp_path, "--line", "urban", stdin="\n")
    assert result.exit_code == 0, result.output
    assert service.seen("/voice/step") == []
    assert result.output.splitlines()[-2] == "hotline: 没有听到"


def test_it_hangs_up_when_input_ends(service, tmp_path):
    result = run(service, tmp_path, "--to", LINE_NUMBER, stdin="")
    assert result.exit_code == 0, result.output
    assert service.seen("/voice/step") == []


def test_requests_are_signed_for_the_public_url_and_sent_to_the_local_one(service, tmp_path):
    service.public_base = "https://hotline.example.org"
    result = run(service, tmp_path, "--line", "urban", "--press", "1", "--press", "1", "--press", "1",
                 public_url="https://hotline.example.org")
    assert result.exit_code == 0, result.output
    assert [s.signature_valid for s in service.requests] == [True] * len(service.requests)
    assert len(service.requests) == 5          # incoming, three steps, status callback


def test_a_failing_service_makes_the_command_fail(stand_in, tmp_path):
    stand_in.on("/voice/incoming", ("broken", 500, {}))
    stand_in.on("/voice/fallback", ("broken too", 500, {}))
    result = run(stand_in, tmp_path, "--line", "urban")
    assert result.exit_code == 1


def test_an_unknown_line_is_refused(service, tmp_path):
    result = run(service, tmp_path, "--line", "nowhere")
    assert result.exit_code == 2 and service.requests == []


def test_it_refuses_to_run_in_production(service, tmp_path):
    result = CliRunner().invoke(call_command, ["--url", service.base], env={
        "HOTLINE_ENV": "production", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_SECRET_KEY": "production-strength-key-0123456789abcdefghij",
        "HOTLINE_PUBLIC_URL": "https://hotline.example.org", "HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert isinstance(result.exception, CarrierRefused)
    assert service.requests == []
