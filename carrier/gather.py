"""``<Gather>``: keys and speech.

Nested ``<Say>``, ``<Play>`` and ``<Pause>`` are heard in full first (there is
no audio to interrupt), then the party is asked.  Keys are collected as Twilio
does: up to ``numDigits``, or until ``finishOnKey`` (which is not part of the
result), or until ``timeout`` seconds pass after the last key.  A scripted
party presses its keys in one burst, after which the timeout is taken to have
passed; a person at a phone gets the real timeout between keys.  Words arrive
as typed text with a confidence.

With no input, or only the finishing key, Twilio does not request the action
URL and goes on with the next verb, unless ``actionOnEmptyResult`` is true.
Input the Gather does not listen for (keys when ``input="speech"``, words
when ``input="dtmf"``) is ignored, as a real recogniser would.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from carrier.actions import Listening, Press, Speak

if TYPE_CHECKING:
    from carrier.calls import TwimlSource
    from carrier.interpreter import Interpreter
    from carrier.twiml import Document, Node

DEFAULT_TIMEOUT = 5
DEFAULT_FINISH_KEY = "#"


def gather(interp: Interpreter, verb: Node, document: Document) -> TwimlSource | None:
    listens = frozenset(verb.get("input", "dtmf").replace(",", " ").split())
    finish_key = verb.get("finishOnKey", DEFAULT_FINISH_KEY)
    num_digits = verb.number("numDigits", None)
    timeout = verb.number("timeout", DEFAULT_TIMEOUT)
    for prompt in verb.children:
        interp.prompt(prompt, document)

    moment = Listening(listens, num_digits, finish_key, verb.get("language"))
    action = interp.ask(moment)
    params: dict[str, str] = {}
    if isinstance(action, Press) and "dtmf" in listens:
        digits, done = collect("", action.digits, finish_key, num_digits, interp)
        while not done and interp.call.party is not None and interp.call.party.live:
            more = interp.ask(moment, within=timeout, again=True)
            if not isinstance(more, Press):
                break
            digits, done = collect(digits, more.digits, finish_key, num_digits, interp)
        if digits:
            params["Digits"] = digits
    elif isinstance(action, Speak) and "speech" in listens:
        if action.text.strip():
            params["SpeechResult"] = action.text.strip()
            params["Confidence"] = f"{action.confidence:.8f}".rstrip("0").rstrip(".")
    elif isinstance(action, (Press, Speak)):
        heard = "keys" if isinstance(action, Press) else "words"
        interp.call.note("notice", f"{heard} ignored: this <Gather> listens for {' and '.join(sorted(listens))} only",
                         element="Gather", attribute="input", code=None)

    if not params and not verb.flag("actionOnEmptyResult"):
        return None
    return interp.follow(verb.get("action"), verb.method(), params, document)


def collect(digits: str, keys: str, finish_key: str, num_digits: int | None,
            interp: Interpreter) -> tuple[str, bool]:
    """Add ``keys`` to ``digits``; done when the finishing key or the last
    expected digit arrives.  Keys after that are lost, as on a real line."""
    for index, key in enumerate(keys):
        if finish_key and key == finish_key:
            done_at = index + 1
        else:
            digits += key
            if not (num_digits and len(digits) >= num_digits):
                continue
            done_at = index + 1
        if keys[done_at:]:
            interp.call.note("notice", f"keys {keys[done_at:]} came after the <Gather> finished and were lost",
                             element="Gather", code=None)
        return digits, True
    return digits, False
