"""What passes between the IVR flow and the service that runs it: the
caller's input, the facts about a call, the turn to play, the effects the
service carries out, and the state kept between webhooks.

Plain frozen dataclasses; no Flask, no database.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Mapping, Protocol

from ivr.prompts import Utterance

# --- what comes in ---------------------------------------------------------


@dataclass(frozen=True)
class Input:
    digits: str | None = None
    speech: str | None = None
    confidence: float | None = None
    recording_sid: str | None = None
    queue_result: str | None = None      # <Enqueue action>: bridged, hangup, leave, queue-full, error...

    @property
    def empty(self) -> bool:
        return not (self.digits or (self.speech or "").strip() or self.recording_sid or self.queue_result)


@dataclass(frozen=True)
class OpenCase:
    number: str
    category_code: str | None


@dataclass(frozen=True)
class CallFacts:
    """What the service knows about a call when it starts."""

    caller_e164: str | None
    open_cases: tuple[OpenCase, ...] = ()
    business_open: bool = True
    next_open: datetime | None = None


# --- what goes out -----------------------------------------------------------

@dataclass(frozen=True)
class Gather:
    input: str                       # "dtmf" or "dtmf speech"
    language: str                    # speech recognition language
    speech_model: str | None = None  # Twilio's speechModel, checked against the language at start
    num_digits: int | None = None
    finish_on_key: str | None = None
    timeout: int = 6
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Record:
    max_length: int = 120
    finish_on_key: str = "#"
    timeout: int = 8


@dataclass(frozen=True)
class Intake:
    """A complaint as the IVR collected it; the service makes it a case."""

    line_id: str
    language: str
    caller_e164: str | None
    callback_number: str | None
    callback_declined: bool
    description: str
    location: str | None
    category_code: str | None
    speech_confidence: float | None
    needs_operator: bool
    after_hours: bool
    recording_sid: str | None = None
    urgent: bool = False               # the caller said so (危险, 有人受伤...)


@dataclass(frozen=True)
class CreateCase:
    intake: Intake


@dataclass(frozen=True)
class LookupCase:
    number: str


@dataclass(frozen=True)
class CaseCreated:
    number: str


@dataclass(frozen=True)
class CaseStatus:
    number: str
    status: str
    category_code: str | None
    department_name: str | None


@dataclass(frozen=True)
class SeekOperator:
    """Ask whether a person can take the call now (hours, queue size, wait)."""


@dataclass(frozen=True)
class OperatorDesk:
    available: bool
    reason: str | None = None          # closed | queue_full | wait_too_long, when not available
    queue: str | None = None           # the line's operator queue, when available


@dataclass(frozen=True)
class RequestCallback:
    """Schedule a call back to the caller instead of keeping them waiting."""

    reason: str                        # queue | missed
    number: str | None


@dataclass(frozen=True)
class CallbackRequested:
    number: str | None


@dataclass(frozen=True)
class ChangeCallback:
    """The caller gave another number to be called back on, after the case was made."""

    case_number: str
    number: str


@dataclass(frozen=True)
class CallbackChanged:
    number: str


@dataclass(frozen=True)
class AnswerEnquiry:
    """A question, not a complaint: find the article that answers it, and
    log the enquiry (answered from the knowledge base, or for a person).
    ``search`` False: the call has had its answers; log it for a person."""

    question: str
    search: bool = True


@dataclass(frozen=True)
class EnquiryAnswer:
    enquiry_id: int
    spoken: str | None                 # the article's spoken summary, or None: not sure enough


@dataclass(frozen=True)
class EscalateEnquiry:
    """The answer read out did not settle it: the caller pressed 0, or went on
    to say their problem (``speech``), which the flow then hears."""

    enquiry_id: int
    speech: str | None = None


@dataclass(frozen=True)
class EnquiryEscalated:
    speech: str | None = None


@dataclass(frozen=True)
class SendAnswer:
    """The caller wants the full answer by SMS on this number."""

    enquiry_id: int
    number: str


@dataclass(frozen=True)
class AnswerSent:
    number: str


Effect = (CreateCase | LookupCase | SeekOperator | RequestCallback | ChangeCallback | AnswerEnquiry
          | EscalateEnquiry | SendAnswer)


class ConversationState(Protocol):
    """What every conversation keeps between webhooks (the intake's
    ``CallState``, the callback's ``CallbackState``): where it is, in which
    language, how many times it has asked again; stored as JSON on the call."""

    node: str
    language: str
    retries: int

    def to_json(self) -> dict: ...


@dataclass(frozen=True)
class CallState:
    """Everything the IVR remembers between webhooks; stored as JSON."""

    node: str
    language: str
    retries: int = 0
    menu_path: str = ""
    group: int | None = None
    after_hours: bool = False
    next_open: str | None = None
    caller_e164: str | None = None
    open_cases: tuple[tuple[str, str | None], ...] = ()
    description: str = ""
    confidence: float | None = None
    described: int = 0                               # times the caller has said the problem
    candidates: tuple[str, ...] = ()                 # categories offered by name
    urgent: bool = False                             # the caller said it is dangerous or urgent
    enquiry: bool = False                            # the caller asked rather than reported
    enquiry_id: int | None = None                    # the enquiry last answered from the knowledge base
    answers: int = 0                                 # questions answered from the knowledge base on this call
    answer_spoken: str | None = None                 # the answer read out, to read again on 9
    category_code: str | None = None
    location: str | None = None
    callback_number: str | None = None
    callback_implicit: bool = False                  # the calling number, said once, not asked
    callback_declined: bool = False
    case_number: str | None = None
    asked_number: str | None = None
    recording_sid: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> "CallState":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["open_cases"] = tuple(tuple(item) for item in known.get("open_cases", ()))
        known["candidates"] = tuple(known.get("candidates", ()))
        return cls(**known)


@dataclass(frozen=True)
class Turn:
    state: ConversationState
    say: tuple[Utterance, ...] = ()     # spoken before any question
    ask: tuple[Utterance, ...] = ()     # spoken inside the <Gather>, so callers can barge in
    gather: Gather | None = None
    record: Record | None = None
    enqueue: str | None = None          # the operator queue to wait in
    effect: Effect | None = None
    hangup: bool = False

    @property
    def said(self) -> str:
        return " ".join(u.text for u in self.say + self.ask)
