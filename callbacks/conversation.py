"""The callback conversation: what the complainant hears when we call them,
and what each key does.  Produces the IVR's ``Turn``s, so ``ivr.twiml``
renders them like any other.

Pure domain code.  The service hands in what it knows (``CallbackFacts``)
and what the complainant did (an ``ivr.turns.Input``) and gets back a
``Turn`` carrying a ``CallbackState`` (its own, not the intake's), with at
most one effect for the service to carry out: record an
answer, reopen the case, stop calling the number, or take a message.

The outcome survey:   1 satisfied, 2 basically satisfied, 3 not satisfied
                      (then the reason, by speech), 0 a person, 9 never call again.
Other callbacks:      1 or 0 leave a message for a person, 9 never call again.
An answering machine: a short message with no case details, and a hang-up.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Mapping

from config.catalog import Category, Line, PromptSet
from ivr.voice import (
    MAX_RETRIES,  # noqa: F401  (the survey's rule too)
    OPERATOR_KEY,
    Conversing,
    Digits,
    Gather,
    Input,
    Record,
    Turn,
    Utterance,
)

ANSWER_KEYS = {"1": "satisfied", "2": "basically_satisfied"}
UNSATISFIED_KEY = "3"
STOP_KEY = "9"
MESSAGE_KEYS = ("1", OPERATOR_KEY)


@dataclass(frozen=True)
class CallbackFacts:
    """What the service knows when the complainant picks up."""

    purpose: str                          # outcome | queue | missed | after_hours
    language: str
    case_number: str | None = None
    category_code: str | None = None
    case_status: str | None = None
    department_name: str | None = None
    result: str | None = None             # the department's own words on what was done


@dataclass(frozen=True)
class CallbackState:
    """What the callback conversation remembers between webhooks; stored as
    JSON on the outbound call."""

    node: str
    language: str
    retries: int = 0
    case_number: str | None = None
    category_code: str | None = None
    description: str = ""                 # the complainant's reason, when not satisfied

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> "CallbackState":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


# --- effects the service carries out -------------------------------------------

@dataclass(frozen=True)
class RecordAnswer:
    answer: str                           # satisfied | basically_satisfied


@dataclass(frozen=True)
class ReopenCase:
    """Not satisfied: reopen the case for on-site verification."""

    reason: str | None                    # the complainant's words, if they said any


@dataclass(frozen=True)
class StopCalling:
    """9: never call this number again."""


@dataclass(frozen=True)
class TakeMessage:
    recording_sid: str | None


@dataclass
class Conversation(Conversing):
    line: Line
    prompts: Mapping[str, PromptSet]
    categories: Mapping[str, Category]
    hotline_digits: str                   # the line's number as a local caller dials it

    # entry points ------------------------------------------------------------

    def start(self, facts: CallbackFacts) -> Turn:
        state = CallbackState(node="start", language=self._language(facts.language),
                          case_number=facts.case_number, category_code=facts.category_code)
        greeting = self._say(state, self.line.greeting)
        if facts.purpose == "outcome":
            return self._survey(state, prefix=(greeting,) + self._outcome(state, facts))
        return self._contact(state, prefix=(greeting, self._contact_intro(state, facts)))

    def machine(self, facts: CallbackFacts) -> Turn:
        """An answering machine: who called and that we will call again; no
        case details, since anyone may play the message back."""
        state = CallbackState(node="done", language=self._language(facts.language))
        say = self._say(state, "callback_machine", line=self.line.name(state.language))
        return Turn(state, say=(say,), hangup=True)

    def advance(self, state: CallbackState, event: Input) -> Turn:
        handler = getattr(self, f"_on_{state.node}", None)
        if handler is None:
            return self._goodbye(state)          # a late retry of a finished conversation
        return handler(state, event)

    # the outcome survey ---------------------------------------------------------

    def _outcome(self, state: CallbackState, facts: CallbackFacts) -> tuple[Utterance, ...]:
        said = [self._say(state, "callback_outcome", category=self._category(state, facts.category_code),
                          case_number=Digits(facts.case_number or ""))]
        if facts.result and facts.result.strip():
            said.append(self._say(state, "callback_outcome_result", result=facts.result.strip()))
        return tuple(said)

    def _survey(self, state: CallbackState, prefix: tuple[Utterance, ...] = ()) -> Turn:
        state = self._at(state, "survey")
        return Turn(state, say=prefix, ask=(self._say(state, "callback_survey"),), gather=self._keys(state))

    def _on_survey(self, state: CallbackState, event: Input) -> Turn:
        key = (event.digits or "")[:1]
        if key in ANSWER_KEYS:
            return self._finish(state, RecordAnswer(ANSWER_KEYS[key]), "callback_thanks")
        if key == UNSATISFIED_KEY:
            return self._reason(state)
        if key == OPERATOR_KEY:
            return self._message(state)
        if key == STOP_KEY:
            return self._finish(state, StopCalling(), "callback_opted_out")
        return self._retry(state, event, self._survey)

    def _reason(self, state: CallbackState) -> Turn:
        state = self._at(state, "reason")
        gather = Gather(input="speech", language=self.prompts[state.language].voice.speech_language, timeout=6)
        return Turn(state, ask=(self._say(state, "callback_reason"),), gather=gather)

    def _on_reason(self, state: CallbackState, event: Input) -> Turn:
        words = (event.speech or "").strip()
        if words:
            return self._finish(replace(state, description=words), ReopenCase(words), "callback_reopened")
        if state.retries < 1:
            turn = self._reason(replace(state, retries=state.retries + 1))
            return replace(turn, say=(self._say(state, "no_input"),))
        # Not satisfied is answer enough; the case is reopened without their words.
        return self._finish(state, ReopenCase(None), "callback_reopened")

    # the other callbacks ------------------------------------------------------------

    def _contact_intro(self, state: CallbackState, facts: CallbackFacts) -> Utterance:
        if facts.purpose == "after_hours" and facts.case_number:
            status = ""
            if facts.case_status and f"status_{facts.case_status}" in self.prompts[state.language].texts:
                status = self._say(state, f"status_{facts.case_status}",
                                   department=facts.department_name or "").text
            return self._say(state, "callback_after_hours", category=self._category(state, facts.category_code),
                             case_number=Digits(facts.case_number), status=status)
        return self._say(state, "callback_queue" if facts.purpose == "queue" else "callback_missed")

    def _contact(self, state: CallbackState, prefix: tuple[Utterance, ...] = ()) -> Turn:
        state = self._at(state, "contact")
        return Turn(state, say=prefix, ask=(self._say(state, "callback_contact_menu"),), gather=self._keys(state))

    def _on_contact(self, state: CallbackState, event: Input) -> Turn:
        key = (event.digits or "")[:1]
        if key in MESSAGE_KEYS:
            return self._message(state)
        if key == STOP_KEY:
            return self._finish(state, StopCalling(), "callback_opted_out")
        if event.empty and state.retries >= 1:
            # They heard why we called and chose not to press anything.
            return self._goodbye(state)
        return self._retry(state, event, self._contact)

    # a person, for now a message ----------------------------------------------------

    def _message(self, state: CallbackState) -> Turn:
        """0 reaches a person.  Until operators take callbacks live, the
        complainant hears the hotline's number and may leave a message,
        which becomes a case flagged for an operator (as in the IVR)."""
        state = self._at(state, "message")
        say = self._say(state, "callback_operator", hotline=Digits(self.hotline_digits))
        return Turn(state, say=(say,), record=Record())

    def _on_message(self, state: CallbackState, event: Input) -> Turn:
        if not event.recording_sid:
            return self._goodbye(state)
        return self._finish(state, TakeMessage(event.recording_sid), "callback_message_saved")

    # helpers ---------------------------------------------------------------------------

    def _finish(self, state: CallbackState, effect, prompt_key: str) -> Turn:
        state = self._at(state, "done")
        return Turn(state, say=(self._say(state, prompt_key),), effect=effect, hangup=True)

    def _retry(self, state: CallbackState, event: Input, again) -> Turn:
        """Say why, then ask again; after MAX_RETRIES, goodbye (we call again another time)."""
        reason = self._say(state, "no_input" if event.empty else "invalid_input")
        return self._ask_again(state, (reason,), again, lambda state, said: self._goodbye(state, prefix=said))

    def _keys(self, state: CallbackState) -> Gather:
        return Gather(input="dtmf", language=self.prompts[state.language].voice.speech_language,
                      num_digits=1, timeout=8)

    def _language(self, language: str | None) -> str:
        return language if language in self.line.languages and language in self.prompts \
            else self.line.default_language

    def _category(self, state: CallbackState, code: str | None) -> str:
        category = self.categories.get(code or "")
        if category is None:
            return self._say(state, "callback_any_problem").text
        return category.name(state.language)
