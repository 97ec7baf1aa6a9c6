"""Parsing TwiML in tests, and checking it uses only what Twilio defines.

The allowed elements and attributes follow Twilio's TwiML reference for the
verbs this project uses; a typo or an invented attribute fails the test.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

SSML = {"prosody": {"rate", "pitch", "volume"}, "say-as": {"interpret-as", "format"},
        "break": {"strength", "time"}, "emphasis": {"level"}, "lang": {"xml:lang"}, "p": set(), "s": set(),
        "sub": {"alias"}, "w": {"role"}, "phoneme": {"alphabet", "ph"}}
VERBS = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Pause": {"length"},
    "Gather": {"action", "method", "input", "language", "numDigits", "finishOnKey", "timeout",
               "speechTimeout", "hints", "actionOnEmptyResult", "partialResultCallback",
               "partialResultCallbackMethod", "profanityFilter", "speechModel", "enhanced", "bargeIn",
               "debug"},
    "Record": {"action", "method", "timeout", "finishOnKey", "maxLength", "playBeep", "trim",
               "recordingStatusCallback", "recordingStatusCallbackMethod", "recordingStatusCallbackEvent",
               "transcribe", "transcribeCallback"},
    "Redirect": {"method"},
    "Hangup": set(),
    "Reject": {"reason"},
    "Enqueue": {"action", "method", "waitUrl", "waitUrlMethod", "workflowSid", "maxQueueSize"},
    "Leave": set(),
    "Dial": {"action", "method", "timeout", "callerId", "record", "hangupOnStar", "timeLimit",
             "answerOnBridge", "ringTone", "recordingStatusCallback", "sequential"},
    "Number": {"sendDigits", "url", "method", "statusCallback", "statusCallbackEvent",
               "statusCallbackMethod", "machineDetection"},
    "Client": {"url", "method", "statusCallback", "statusCallbackEvent", "statusCallbackMethod"},
    "Queue": {"url", "method", "reservationSid", "postWorkActivitySid"},
    "Identity": set(),
}
# <Gather language> speech recognition codes used here; zh-CN is NOT one.
GATHER_LANGUAGES = {"cmn-Hans-CN", "cmn-Hant-TW", "yue-Hant-HK", "en-US", "en-GB"}
SAY_LANGUAGES = {"cmn-CN", "zh-CN", "en-US", "en-GB"}


class TwimlError(AssertionError):
    pass


def check(element: ET.Element, path: str = "") -> None:
    name = element.tag
    here = f"{path}/{name}"
    if name in VERBS:
        allowed = VERBS[name]
    elif name in SSML and path.split("/")[-1] in ("Say",) + tuple(SSML):
        allowed = SSML[name]
    else:
        raise TwimlError(f"{here}: <{name}> is not a TwiML element here")
    for attribute in element.attrib:
        if attribute not in allowed:
            raise TwimlError(f"{here}: attribute {attribute!r} is not defined on <{name}>")
    if name == "Gather" and "speech" in element.get("input", "dtmf"):
        language = element.get("language", "en-US")
        if language not in GATHER_LANGUAGES:
            raise TwimlError(f"{here}: <Gather language={language!r}> is not a speech recognition language")
    if name == "Say" and element.get("language") not in SAY_LANGUAGES | {None}:
        raise TwimlError(f"{here}: <Say language={element.get('language')!r}> is not supported")
    if name == "Response" and path:
        raise TwimlError("nested <Response>")
    for child in element:
        check(child, here)


def parse(body: str | bytes) -> ET.Element:
    root = ET.fromstring(body)
    if root.tag != "Response":
        raise TwimlError(f"the root element is <{root.tag}>, not <Response>")
    check(root)
    return root


def spoken(element: ET.Element) -> str:
    """The text of every <Say> under element, digits joined as heard."""
    return " ".join("".join(say.itertext()).strip() for say in element.iter("Say"))


@dataclass
class Document:
    root: ET.Element

    @property
    def text(self) -> str:
        return spoken(self.root)

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    @property
    def record(self) -> ET.Element | None:
        return self.root.find("Record")

    @property
    def hangs_up(self) -> bool:
        return self.root.find("Hangup") is not None

    def verbs(self) -> list[str]:
        return [child.tag for child in self.root]
