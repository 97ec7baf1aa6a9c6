"""The real hotline, called through the carrier over HTTP: signed webhooks,
TwiML executed verb by verb, status callbacks, and the REST API."""
from __future__ import annotations

import json

from carrier import ScriptedParty, hang_up, press, say, wait
from carrier.calls import FINAL
from tests.carrier.support import finished
from tests.support.caller import URBAN
from wiring import services

CITIZEN = "+8613912345678"


def case_numbers(party: ScriptedParty) -> list[str]:
    """The ten-digit numbers the hotline read out, digit by digit."""
    return [digits for u in party.utterances() for digits in u.spelled if len(digits) == 10]


def application_requests(call) -> list[str]:
    return [e.data["url"] for e in call.entries("request")]


def test_a_citizen_reports_missing_manhole_covers_and_hears_a_case_number(service):
    citizen = ScriptedParty(CITIZEN, say("西仓路银春旅馆门前有两个上水井盖丢失"), press("1"))
    call = finished(service.carrier.call_in(citizen, URBAN), timeout=60)

    assert (call.status, call.errors, call.entries("notice")) == ("completed", [], [])
    [number] = set(case_numbers(citizen))
    assert case_numbers(citizen) == [number, number]          # read out, then repeated
    assert all(url.startswith("https://hotline.example.org/voice/") for url in application_requests(call))
    assert [e.data["params"]["CallStatus"] for e in call.entries("callback")] == ["completed"]

    shown = service.app.test_cli_runner().invoke(args=["case", "show", number])
    assert shown.exit_code == 0, shown.output
    case = json.loads(shown.output)
    assert (case["number"], case["category"]["code"], case["location"]) == (number, "C0101", "西仓路银春旅馆门前")


def test_a_caller_waiting_for_a_person_is_dequeued_to_an_operators_device(service):
    queue = services(service.app).config.lines["urban"].operator_queue.name
    citizen = ScriptedParty(CITIZEN, press("0"), wait(), say("我想问一下路灯的事"), wait())
    call = service.carrier.call_in(citizen, URBAN)
    assert service.carrier.wait_until(lambda: (q := service.carrier.queues.named(queue)) is not None
                                      and q.current_size == 1, timeout=60)

    operator = service.carrier.directory.register(
        ScriptedParty("client:operator-1", say("您好，我是接线员小王"), hang_up()))
    agent = service.twilio.calls.create(to="client:operator-1", from_=URBAN,
                                        twiml=f"<Response><Dial><Queue>{queue}</Queue></Dial></Response>")
    finished(call, timeout=60)
    finished(service.carrier.call(agent.sid))

    assert call.errors == [] and call.status == "completed"
    assert "您好，我是接线员小王" in [u.text for u in citizen.utterances()]
    assert [u.text for u in operator.utterances()] == ["我想问一下路灯的事"]
    enqueue_results = [e.data["params"].get("QueueResult") for e in call.entries("request")]
    assert "bridged" in enqueue_results
    assert {c.status for c in service.carrier.calls()} <= set(FINAL)
