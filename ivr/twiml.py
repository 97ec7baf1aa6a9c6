"""TwiML rendering: the one place where a ``Turn`` becomes TwiML.

Everything goes through ``twilio.twiml.voice_response``; nothing is built
from strings.  Digit strings are read slowly, one digit at a time, with
SSML ``<prosody>`` and ``<say-as interpret-as="digits">``.

What is spoken can hold what people typed or said (a caller's words in a
whisper, a place typed into the console), so it is made speakable first:
C0 control characters, which XML 1.0 cannot carry even escaped, are
dropped, and line breaks and tabs become spaces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from flask import Response
from twilio.twiml.voice_response import Dial, Say, VoiceResponse
from twilio.twiml.voice_response import Gather as GatherVerb
from twilio.twiml.voice_response import Record as RecordVerb

from config.catalog import PromptSet
from ivr.flow import Gather, Record, Turn
from ivr.prompts import Utterance


def twiml(body: str) -> Response:
    """A webhook's answer: TwiML rendered here, as Twilio's XML."""
    return Response(body, mimetype="text/xml")


@dataclass(frozen=True)
class TurnUrls:
    """Where Twilio should post what happens next in this turn."""

    action: str               # Gather, Record and Enqueue action, carrying the step number
    recording_status: str     # Record's recordingStatusCallback
    queue_wait: str = ""      # Enqueue's waitUrl


def render_turn(turn: Turn, urls: TurnUrls, prompts: Mapping[str, PromptSet]) -> str:
    response = VoiceResponse()
    _say_all(response, turn.say, prompts)
    if turn.gather is not None:
        gather = _gather(turn.gather, urls.action)
        _say_all(gather, turn.ask, prompts)     # inside, so callers can answer before it ends
        response.append(gather)
        # Twilio posts to the action even on silence (actionOnEmptyResult);
        # the redirect is the belt to those braces, and the step number in the
        # URL makes a second arrival harmless.
        response.redirect(urls.action, method="POST")
    else:
        _say_all(response, turn.ask, prompts)
    if turn.record is not None:
        response.append(_record(turn.record, urls))
    if turn.enqueue:
        response.enqueue(turn.enqueue, action=urls.action, method="POST", wait_url=urls.queue_wait,
                         wait_url_method="POST")
    if turn.hangup:
        response.hangup()
    return str(response)


def render_apology_and_record(utterances: Iterable[Utterance], prompts: Mapping[str, PromptSet],
                              action: str, recording_status: str) -> str:
    """What a caller hears when something failed: an apology and a recording."""
    response = VoiceResponse()
    _say_all(response, utterances, prompts)
    response.append(_record(Record(max_length=180), TurnUrls(action, recording_status)))
    response.hangup()
    return str(response)


def render_queue_wait(turn: Turn, choice_url: str, prompts: Mapping[str, PromptSet]) -> str:
    """One round of the <Enqueue waitUrl> loop: position, wait, and the
    offer of a callback.  When it ends Twilio asks the waitUrl again."""
    response = VoiceResponse()
    gather = _gather(turn.gather, choice_url) if turn.gather else None
    if gather is not None:
        _say_all(gather, turn.ask, prompts)
        response.append(gather)
    else:
        _say_all(response, turn.ask, prompts)
    response.pause(length=5)
    return str(response)


def render_leave_queue() -> str:
    response = VoiceResponse()
    response.leave()
    return str(response)


def render_nothing() -> str:
    """An empty document: in the wait loop, carry on waiting."""
    return str(VoiceResponse())


def render_bridge(notice: Iterable[Utterance], device: str, whisper_url: str, action_url: str,
                  prompts: Mapping[str, PromptSet], timeout: int = 30) -> str:
    """Tell the caller, then ring a person: an operator's Twilio Client
    ("client:<identity>") or a phone number.  The person hears the whisper
    before the two are bridged."""
    response = VoiceResponse()
    _say_all(response, notice, prompts)
    dial = Dial(action=action_url, method="POST", timeout=timeout, answer_on_bridge=True)
    if device.startswith("client:"):
        dial.client(device.removeprefix("client:"), url=whisper_url, method="POST")
    else:
        dial.number(device, url=whisper_url, method="POST")
    response.append(dial)
    return str(response)


@dataclass(frozen=True)
class ConferenceSeat:
    """How one party enters a call's conference (Twilio's <Conference> attributes)."""

    name: str
    label: str
    action_url: str
    status_callback: str
    wait_url: str = ""
    start_on_enter: bool = True
    end_on_exit: bool = False


CONFERENCE_EVENTS = "start end join leave mute hold modify"


def render_conference(before: Iterable[Utterance], seat: ConferenceSeat, prompts: Mapping[str, PromptSet]) -> str:
    """Say what comes first (a notice, a whisper), then enter the named
    conference; its <Dial> action is asked for when the party leaves it."""
    response = VoiceResponse()
    _say_all(response, before, prompts)
    dial = Dial(action=seat.action_url, method="POST")
    dial.conference(seat.name, participant_label=seat.label, beep=False,
                    start_conference_on_enter=seat.start_on_enter, end_conference_on_exit=seat.end_on_exit,
                    wait_url=seat.wait_url, wait_method="POST", status_callback=seat.status_callback,
                    status_callback_method="POST", status_callback_event=CONFERENCE_EVENTS)
    response.append(dial)
    return str(response)


def render_hold(utterances: Iterable[Utterance], prompts: Mapping[str, PromptSet], pause: int = 5) -> str:
    """The hold prompt (a conference's waitUrl and HoldUrl): said, a pause,
    and Twilio asks for it again when it ends."""
    response = VoiceResponse()
    _say_all(response, utterances, prompts)
    response.pause(length=pause)
    return str(response)


def render_whisper(utterances: Iterable[Utterance], prompts: Mapping[str, PromptSet]) -> str:
    """Played to the person answering, before the bridge."""
    response = VoiceResponse()
    _say_all(response, utterances, prompts)
    return str(response)


def render_goodbye(utterances: Iterable[Utterance], prompts: Mapping[str, PromptSet]) -> str:
    response = VoiceResponse()
    _say_all(response, utterances, prompts)
    response.hangup()
    return str(response)


_WHITESPACE = re.compile(r"[\t\n\r]")
# The other C0 controls, which no XML 1.0 document may hold; lone surrogates, which UTF-8 cannot
# encode; U+FFFE and U+FFFF, which XML forbids.
_UNSPEAKABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def speakable(text: str) -> str:
    """``text`` as it can go into a ``<Say>``: no C0 control characters."""
    return _UNSPEAKABLE.sub("", _WHITESPACE.sub(" ", text))


def _say_all(parent, utterances: Iterable[Utterance], prompts: Mapping[str, PromptSet]) -> None:
    for utterance in utterances:
        voice = prompts[utterance.language].voice
        say = Say(language=voice.say_language, voice=voice.say_voice)
        for segment in utterance.segments:
            if segment.digits:
                say.prosody(rate="slow").say_as(speakable(segment.text), interpret_as="digits")
            else:
                say.append(speakable(segment.text))
        parent.append(say)


def _gather(spec: Gather, action: str) -> GatherVerb:
    options = dict(
        input=spec.input, action=action, method="POST", timeout=spec.timeout,
        action_on_empty_result=True,
    )
    if spec.num_digits:
        options["num_digits"] = spec.num_digits
    if spec.finish_on_key:
        options["finish_on_key"] = spec.finish_on_key
    if "speech" in spec.input:
        options.update(language=spec.language, speech_timeout="auto")
        if spec.speech_model:
            options["speech_model"] = spec.speech_model
        if spec.hints:
            options["hints"] = ",".join(spec.hints)
    return GatherVerb(**options)


def _record(spec: Record, urls: TurnUrls) -> RecordVerb:
    return RecordVerb(
        action=urls.action, method="POST", max_length=spec.max_length, timeout=spec.timeout,
        finish_on_key=spec.finish_on_key, play_beep=True,
        recording_status_callback=urls.recording_status, recording_status_callback_method="POST",
    )
