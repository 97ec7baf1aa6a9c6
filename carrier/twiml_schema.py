"""The TwiML vocabularies the carrier knows: elements, their attributes,
the values those take, what may nest where, and what is not emulated.
``ELEMENTS`` is voice TwiML (what a call runs); ``MESSAGING`` is messaging
TwiML (what a number's Messaging webhook answers a text with).

Data only; ``carrier.twiml`` checks documents against it, and so do the
tests (``tests/support/twiml.py``): there is one check.  An element or
attribute marked ``emulated=False`` is valid TwiML that the carrier cannot
execute faithfully: a document using it is reported, never half-run.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

KEYS = "0123456789#*"


@dataclass(frozen=True)
class Attr:
    kind: str = "text"                 # text, url, method, bool, int, enum, keys, key, tokens
    choices: tuple[str, ...] = ()
    minimum: int = 0
    emulated: bool = True
    # Values that are valid TwiML but not emulated (e.g. Dial record modes).
    not_emulated: tuple[str, ...] = ()

    def check(self, value: str) -> str | None:
        """What is wrong with ``value``, or None."""
        if self.kind == "method" and value.upper() not in ("GET", "POST"):
            return "must be GET or POST"
        if self.kind == "bool" and value not in ("true", "false"):
            return "must be true or false"
        if self.kind == "int" and (not value.strip().isdigit() or int(value) < self.minimum):
            return f"must be a whole number of at least {self.minimum}"
        if self.kind == "enum" and value not in self.choices:
            return "must be one of " + ", ".join(self.choices)
        if self.kind == "key" and (len(value) > 1 or (value and value not in KEYS)):
            return "must be one key of 0-9, # or *, or empty"
        if self.kind == "keys" and set(value) - set(self.choices or KEYS):
            return "may only hold the keys " + (" ".join(self.choices) if self.choices else "0-9 # *")
        if self.kind == "tokens":
            tokens = value.replace(",", " ").split()
            unknown = [t for t in tokens if t not in self.choices]
            if not tokens or unknown:
                return "must list some of " + ", ".join(self.choices)
        if self.kind == "url" and not value.strip():
            return "must be a URL"
        return None


@dataclass(frozen=True)
class Spec:
    attrs: Mapping[str, Attr] = field(default_factory=dict)
    children: frozenset[str] = frozenset()
    text: bool = False                 # holds text content (a URL, a number, words)
    emulated: bool = True


# The languages the hotline's voices use, as Twilio names them.  Twilio's own
# lists are longer and depend on the voice and the speech model
# (config/speech.py pairs models with languages); a language missing here is
# refused until it has been checked against Twilio's reference and added.
# <Gather language>: speech recognition tags: BCP-47 as Google's models take
# them (cmn-Hans-CN, not zh-CN), and Deepgram's own short tags (zh, zh-CN),
# which only a Deepgram speechModel takes (config/speech.py refuses the wrong
# pair at start; tests/carrier/test_twiml.py keeps this list its union).
DEEPGRAM_ONLY_LANGUAGES = ("zh", "zh-CN", "zh-TW", "en")
GATHER_LANGUAGES = ("cmn-Hans-CN", "cmn-Hant-TW", "yue-Hant-HK", "en-US", "en-GB", "en-AU", "en-IN",
                    *DEEPGRAM_ONLY_LANGUAGES)
# <Say language>: text-to-speech locales.
SAY_LANGUAGES = ("cmn-CN", "zh-CN", "en-US", "en-GB")

URL, METHOD, BOOL = Attr("url"), Attr("method"), Attr("bool")
TEXT = Attr()
NOT_EMULATED = Attr(emulated=False)
CALL_EVENTS = Attr("tokens", ("initiated", "ringing", "answered", "completed"))

# SSML inside <Say>, as Twilio accepts it for Amazon Polly and Google voices.
SSML_NAMES = frozenset({"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w",
                        "amazon:domain", "amazon:effect"})


def _ssml(attrs: Mapping[str, Attr] | None = None) -> Spec:
    return Spec(attrs or {}, SSML_NAMES, text=True)


SSML: dict[str, Spec] = {
    "break": Spec({"strength": Attr("enum", ("none", "x-weak", "weak", "medium", "strong", "x-strong")),
                   "time": TEXT}),
    "emphasis": _ssml({"level": Attr("enum", ("strong", "moderate", "reduced"))}),
    "lang": _ssml({"xml:lang": TEXT}),
    "p": _ssml(),
    "phoneme": _ssml({"alphabet": TEXT, "ph": TEXT}),
    "prosody": _ssml({"volume": TEXT, "rate": TEXT, "pitch": TEXT}),
    "s": _ssml(),
    "say-as": _ssml({"interpret-as": TEXT, "format": TEXT, "role": TEXT}),
    "sub": _ssml({"alias": TEXT}),
    "w": _ssml({"role": TEXT}),
    "amazon:domain": _ssml({"name": TEXT}),
    "amazon:effect": _ssml({"name": TEXT, "vocal-tract-length": TEXT}),
}

PROMPTS = frozenset({"Say", "Play", "Pause"})
VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Record", "Redirect", "Hangup", "Reject",
                   "Enqueue", "Leave", "Dial", "Connect", "Pay", "Refer", "Start", "Stop", "Echo", "Sms"})

ELEMENTS: dict[str, Spec] = {
    "Response": Spec(children=VERBS),
    "Say": Spec({"voice": TEXT, "language": Attr("enum", SAY_LANGUAGES), "loop": Attr("int")}, SSML_NAMES,
                text=True),
    "Play": Spec({"loop": Attr("int"), "digits": Attr("keys", tuple(KEYS + "wW"))}, text=True),
    "Pause": Spec({"length": Attr("int")}),
    "Gather": Spec({
        "action": URL, "method": METHOD, "timeout": Attr("int", minimum=1),
        "finishOnKey": Attr("key"), "numDigits": Attr("int", minimum=1),
        "input": Attr("tokens", ("dtmf", "speech")), "language": Attr("enum", GATHER_LANGUAGES), "hints": TEXT,
        "speechTimeout": TEXT, "maxSpeechTime": Attr("int", minimum=1),
        "profanityFilter": BOOL, "speechModel": TEXT, "enhanced": BOOL,
        "actionOnEmptyResult": BOOL, "bargeIn": BOOL, "debug": BOOL, "dtmfDetection": BOOL,
        "partialResultCallback": NOT_EMULATED, "partialResultCallbackMethod": NOT_EMULATED,
    }, PROMPTS),
    "Record": Spec({
        "action": URL, "method": METHOD, "timeout": Attr("int"), "finishOnKey": Attr("keys"),
        "maxLength": Attr("int", minimum=1), "playBeep": BOOL,
        "trim": Attr("enum", ("trim-silence", "do-not-trim")),
        "recordingStatusCallback": URL, "recordingStatusCallbackMethod": METHOD,
        "recordingStatusCallbackEvent": Attr("tokens", ("in-progress", "completed", "absent")),
        "recordingChannels": Attr("enum", ("mono", "dual")),
        "transcribe": BOOL, "transcribeCallback": URL,
    }),
    "Redirect": Spec({"method": METHOD}, text=True),
    "Hangup": Spec(),
    "Reject": Spec({"reason": Attr("enum", ("rejected", "busy"))}),
    "Enqueue": Spec({
        "action": URL, "method": METHOD, "waitUrl": URL, "waitUrlMethod": METHOD,
        "maxQueueSize": Attr("int", minimum=1), "workflowSid": NOT_EMULATED,
    }, frozenset({"Task"}), text=True),
    "Leave": Spec(),
    "Dial": Spec({
        "action": URL, "method": METHOD, "timeout": Attr("int", minimum=1),
        "hangupOnStar": BOOL, "timeLimit": Attr("int", minimum=1), "callerId": TEXT,
        "record": Attr("enum", ("do-not-record", "record-from-answer", "record-from-ringing",
                                "record-from-answer-dual", "record-from-ringing-dual", "true", "false"),
                       not_emulated=("record-from-answer", "record-from-ringing", "record-from-answer-dual",
                                     "record-from-ringing-dual", "true")),
        "trim": Attr("enum", ("trim-silence", "do-not-trim")),
        "recordingStatusCallback": URL, "recordingStatusCallbackMethod": METHOD,
        "recordingStatusCallbackEvent": Attr("tokens", ("in-progress", "completed", "absent")),
        "recordingTrack": Attr("enum", ("both", "inbound", "outbound")),
        "answerOnBridge": BOOL, "ringTone": TEXT, "sequential": BOOL,
        "referUrl": NOT_EMULATED, "referMethod": NOT_EMULATED, "events": NOT_EMULATED,
    }, frozenset({"Number", "Client", "Queue", "Sip", "Conference", "Sim", "Application", "WhatsApp"}), text=True),
    "Number": Spec({
        "sendDigits": Attr("keys", tuple(KEYS + "wW")), "url": URL, "method": METHOD,
        "statusCallbackEvent": CALL_EVENTS, "statusCallback": URL, "statusCallbackMethod": METHOD,
        "byoc": NOT_EMULATED, "machineDetection": NOT_EMULATED, "amdStatusCallback": NOT_EMULATED,
        "amdStatusCallbackMethod": NOT_EMULATED, "machineDetectionTimeout": NOT_EMULATED,
        "machineDetectionSpeechThreshold": NOT_EMULATED, "machineDetectionSpeechEndThreshold": NOT_EMULATED,
        "machineDetectionSilenceTimeout": NOT_EMULATED,
    }, text=True),
    "Client": Spec({
        "url": URL, "method": METHOD, "statusCallbackEvent": CALL_EVENTS,
        "statusCallback": URL, "statusCallbackMethod": METHOD,
    }, frozenset({"Identity", "Parameter"}), text=True),
    "Identity": Spec(text=True),
    "Parameter": Spec({"name": TEXT, "value": TEXT}),
    "Queue": Spec({"url": URL, "method": METHOD, "reservationSid": NOT_EMULATED,
                   "postWorkActivitySid": NOT_EMULATED}, text=True),
    # Valid TwiML the carrier does not run (see docs/carrier.md).
    "Connect": Spec(emulated=False), "Pay": Spec(emulated=False), "Refer": Spec(emulated=False),
    "Start": Spec(emulated=False), "Stop": Spec(emulated=False), "Echo": Spec(emulated=False),
    "Conference": Spec({
        "muted": BOOL, "beep": Attr("enum", ("true", "false", "onEnter", "onExit")),
        "startConferenceOnEnter": BOOL, "endConferenceOnExit": BOOL,
        "waitUrl": TEXT, "waitMethod": METHOD,              # an empty waitUrl is silence
        "maxParticipants": Attr("int", minimum=2), "record": Attr("enum", ("do-not-record", "record-from-start")),
        "region": TEXT, "coach": TEXT, "trim": Attr("enum", ("trim-silence", "do-not-trim")),
        "statusCallbackEvent": Attr("tokens", ("start", "end", "join", "leave", "mute", "hold", "modify",
                                               "speaker", "announcement")),
        "statusCallback": URL, "statusCallbackMethod": METHOD,
        "recordingStatusCallback": URL, "recordingStatusCallbackMethod": METHOD,
        "recordingStatusCallbackEvent": Attr("tokens", ("in-progress", "completed", "absent")),
        "participantLabel": TEXT, "jitterBufferSize": Attr("enum", ("off", "small", "medium", "large")),
        "eventCallbackUrl": NOT_EMULATED,
    }, text=True),
    "Sms": Spec(emulated=False), "Sip": Spec(emulated=False),
    "Sim": Spec(emulated=False), "Application": Spec(emulated=False), "WhatsApp": Spec(emulated=False),
    "Task": Spec(emulated=False),
    **SSML,
}

# Messaging TwiML: what a Messaging webhook may answer an inbound text with.
# The carrier delivers each <Message>'s words (carrier/messages.py); MMS media
# and a <Redirect> of the reply are valid TwiML it does not emulate.
MESSAGING: dict[str, Spec] = {
    "Response": Spec(children=frozenset({"Message", "Redirect"})),
    "Message": Spec({"to": TEXT, "from": TEXT, "action": URL, "method": METHOD,
                     "statusCallback": URL}, frozenset({"Body", "Media"}), text=True),
    "Body": Spec(text=True),
    "Media": Spec(text=True, emulated=False),
    "Redirect": Spec({"method": METHOD}, text=True, emulated=False),
}

# Verbs Twilio allows in the documents it runs for a special purpose.
WAIT_VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Redirect", "Leave", "Hangup"})
WHISPER_VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Redirect", "Hangup"})
QUEUE_URL_VERBS = frozenset({"Say", "Play", "Pause", "Redirect"})
CONFERENCE_WAIT_VERBS = frozenset({"Say", "Play", "Pause", "Redirect"})
ANNOUNCE_VERBS = frozenset({"Say", "Play", "Pause"})
