"""The IVR flow: menu tree + call state + caller input -> next turn.

Pure domain code.  The webhook service hands in what the caller did (an
``Input``) and the state saved after the previous turn, and gets back a
``Turn``: what to say, what to ask, what to record, and at most one
``Effect`` for the service to carry out (create a case, look one up).  The
service then calls ``resume`` with the effect's result.

Rules every path keeps: 0 reaches a person from every menu; no input or a
wrong key is reprompted at most twice, then the caller goes to a person;
the call never ends in silence.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Collection, Mapping

from config.catalog import Category, Line, PromptSet
from ivr.conversation import MAX_RETRIES, OPERATOR_KEY, Conversing  # noqa: F401  (MAX_RETRIES: the flow's rule too)
from ivr.hints import speech_hints
from ivr.prompts import Digits, Utterance, format_time, render
from ivr.turns import (  # noqa: F401  (re-exported: the flow's vocabulary)
    AnswerEnquiry,
    AnswerSent,
    CallbackChanged,
    CallbackRequested,
    CallFacts,
    CallState,
    CaseCreated,
    CaseStatus,
    ChangeCallback,
    CreateCase,
    Effect,
    EnquiryAnswer,
    EnquiryEscalated,
    EscalateEnquiry,
    Gather,
    Input,
    Intake,
    LookupCase,
    OpenCase,
    OperatorDesk,
    Record,
    RequestCallback,
    SeekOperator,
    SendAnswer,
    Turn,
)
from understanding.reading import CONFIRM, OFFER, KeywordReader, Reading, Thresholds
from understanding.text import normalise

REPEAT_KEY = "9"
# How many times a caller is asked to say the problem before a person (or
# the keypad menu) takes over: once, then once more in other words.
MAX_DESCRIPTIONS = 2
# Questions answered from the knowledge base on one call; the next goes to a person.
MAX_ANSWERS = 2
SMS_KEY = "1"
# What callers say for yes and no.
_YES = ("对", "是的", "是", "没错", "对的", "嗯", "好的", "确认", "yes", "right", "correct")
_NO = ("不对", "不是", "错了", "不", "没有", "no", "wrong")

Reader = Callable[[str, Collection[str] | None], Reading]


# --- the engine --------------------------------------------------------------

@dataclass
class Flow(Conversing):
    line: Line
    prompts: Mapping[str, PromptSet]
    categories: Mapping[str, Category]
    # Turns keypad digits into a dialable E.164 number, or None.
    parse_number: Callable[[str], str | None] = lambda digits: None
    # Reads what the caller said (understanding.reading); the catalogue's
    # keywords until a model is trained.
    read: Reader | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)

    # entry points --------------------------------------------------------

    def start(self, facts: CallFacts) -> Turn:
        language = self.line.default_language
        state = CallState(
            node="menu", language=language, after_hours=not facts.business_open,
            next_open=facts.next_open.isoformat() if facts.next_open else None,
            caller_e164=facts.caller_e164,
            open_cases=tuple((c.number, c.category_code) for c in facts.open_cases),
        )
        say = [self._say(state, self.line.greeting)]
        if self.line.record_calls:
            say.append(self._say(state, "recording_notice"))
        if state.after_hours and facts.next_open:
            say.append(self._say(state, "after_hours", next_open=self._next_open_text(state)))
        if facts.open_cases:
            turn = self._open_case_offer(state)
        else:
            turn = self._menu(state)
        return replace(turn, say=tuple(say) + turn.say)

    def advance(self, state: CallState, event: Input) -> Turn:
        handler = getattr(self, f"_on_{state.node}", None)
        if handler is None:
            # A webhook for a finished conversation (a late retry): end politely.
            return self._goodbye(state)
        if event.digits == OPERATOR_KEY and state.node not in (
                "callback_entry", "status_entry", "voicemail", "operator_offer", "queued", "callback_change_offer",
                "enquiry_answered"):
            return self._operator(state)
        return handler(state, event)

    def resume(self, state: CallState,
               result: CaseCreated | CaseStatus | OperatorDesk | CallbackRequested | CallbackChanged
               | EnquiryAnswer | EnquiryEscalated | AnswerSent | None,
               ) -> Turn:
        if isinstance(result, EnquiryAnswer):
            return self._enquiry_answer(state, result)
        if isinstance(result, EnquiryEscalated):
            return self._enquiry_escalated(state, result)
        if isinstance(result, AnswerSent):
            return self._answer_sent(state, result)
        if isinstance(result, CaseCreated):
            return self._case_created(replace(state, case_number=result.number))
        if isinstance(result, OperatorDesk):
            return self._desk(state, result)
        if isinstance(result, CallbackRequested):
            return self._callback_promised(state, result)
        if isinstance(result, CallbackChanged):
            return self._callback_changed(state, result)
        return self._status_report(state, result)

    # menus -----------------------------------------------------------------

    def _menu(self, state: CallState, prefix: tuple[Utterance, ...] = ()) -> Turn:
        state = self._at(state, "menu")
        menu = self.line.menu.find(state.menu_path)
        ask = [self._say(state, menu.prompt)]
        for key, option in menu.options.items():
            if option.action == "language":
                target = self._language_target(state, option.language)
                ask.append(render(self.prompts[target], "language_offer", key=key))
        return Turn(state, say=prefix, ask=tuple(ask),
                    gather=self._gather(state, speech=menu.speech is not None, num_digits=1))

    def _on_menu(self, state: CallState, event: Input) -> Turn:
        menu = self.line.menu.find(state.menu_path)
        if event.digits:
            key = event.digits[:1]
            if key == REPEAT_KEY:
                return self._menu(state)
            option = menu.options.get(key)
            if option is None:
                return self._retry(state, "invalid_input", self._menu)
            return self._menu_option(state, key, option)
        if event.speech and menu.speech == "complaint":
            return self._described(state, event)
        if event.speech and menu.speech == "status":
            return self._status_entry(state)
        return self._retry(state, "no_input" if event.empty else "invalid_input", self._menu)

    def _menu_option(self, state: CallState, key: str, option) -> Turn:
        if option.action == "complaint":
            return self._describe(state)
        if option.action == "status":
            return self._status_entry(state)
        if option.action == "operator":
            return self._operator(state)
        if option.action == "language":
            target = self._language_target(state, option.language)
            return self._menu(replace(state, language=target))
        if option.action == "menu":
            return self._menu(replace(state, menu_path=state.menu_path + key))
        return self._menu(state, prefix=(self._say(state, option.prompt),))

    def _language_target(self, state: CallState, language: str | None) -> str:
        # The language key toggles: pressed again, it returns to the default.
        if language == state.language:
            return self.line.default_language
        return language or self.line.default_language

    # open cases ---------------------------------------------------------------

    def _open_case_offer(self, state: CallState) -> Turn:
        state = self._at(state, "open_case_offer")
        latest_number, latest_category = state.open_cases[0]
        ask = self._say(state, "open_case_offer", count=len(state.open_cases),
                        category=self._category_name(state, latest_category))
        return Turn(state, ask=(ask,), gather=self._gather(state, speech=True, num_digits=1))

    def _on_open_case_offer(self, state: CallState, event: Input) -> Turn:
        if event.digits == "1":
            return Turn(state, effect=LookupCase(state.open_cases[0][0]))
        if event.digits == "2":
            return self._menu(replace(state, menu_path=""))
        if (event.speech or "").strip():
            # Callers are told they may speak: words here are a new problem, in one breath.
            return self._described(replace(state, menu_path=""), event)
        return self._retry(state, "no_input" if event.empty else "invalid_input", self._open_case_offer)

    # describing the problem -----------------------------------------------------

    def _describe(self, state: CallState, prompt: str = "describe") -> Turn:
        state = self._at(state, "describe")
        return Turn(state, ask=(self._say(state, prompt),),
                    gather=self._gather(state, speech=True, num_digits=1))

    def _on_describe(self, state: CallState, event: Input) -> Turn:
        if event.digits == "1":
            return self._category_groups(state)
        if (event.speech or "").strip():
            return self._described(state, event)
        return self._retry(state, "no_input" if event.empty else "invalid_input",
                           lambda s: self._describe(s, "describe_retry"))

    def _described(self, state: CallState, event: Input) -> Turn:
        """One breath: the category, the place and any urgency from the same words."""
        text = (event.speech or "").strip()
        reading = self._reader()(text, self._line_codes())
        described = state.described + 1
        state = replace(state, description=_joined(state.description, text), confidence=event.confidence,
                        described=described, urgent=state.urgent or reading.urgent,
                        location=state.location or reading.place, candidates=(), category_code=None)
        if self.thresholds.is_question(reading):
            return self._enquiry(state, text)
        tier = self.thresholds.tier(reading, event.confidence)
        if tier == CONFIRM:
            return self._confirm_category(replace(state, category_code=reading.guesses[0].code))
        if tier == OFFER:
            return self._offer(replace(state, candidates=tuple(g.code for g in reading.guesses[:3])))
        if described < MAX_DESCRIPTIONS:
            return self._describe(state, "describe_other_words")
        return self._unsure(state)

    def _unsure(self, state: CallState) -> Turn:
        """Still not understood after asking again: a person, or the keypad
        menu where the line says so.  Never a guess."""
        if self.line.when_unsure == "keypad":
            return self._category_groups(state)
        return self._operator(state, prefix=(self._say(state, "transfer_operator"),))

    # questions, answered from the knowledge base ---------------------------------

    def _enquiry(self, state: CallState, question: str) -> Turn:
        """A question, not a complaint: never filed as a case.  The knowledge
        base answers it if it is sure enough; otherwise a person does."""
        state = replace(state, enquiry=True)
        search = state.answers < MAX_ANSWERS
        return Turn(self._at(state, "enquiry_searching"), effect=AnswerEnquiry(question, search=search))

    def _enquiry_answer(self, state: CallState, answer: EnquiryAnswer) -> Turn:
        state = replace(state, enquiry_id=answer.enquiry_id)
        if not answer.spoken:
            return self._operator(state, prefix=(self._say(state, "enquiry_to_operator"),))
        state = self._at(replace(state, answers=state.answers + 1, answer_spoken=answer.spoken), "enquiry_answered")
        say = (self._say(state, "enquiry_answer", answer=answer.spoken),)
        return replace(self._enquiry_more(state), say=say)

    def _enquiry_more(self, state: CallState) -> Turn:
        """After the answer: the full text by SMS (only to a number we can
        reach), or a way out: say the problem, or 0 for a person."""
        state = self._at(state, "enquiry_answered")
        ask = [self._say(state, "enquiry_sms_offer", key=SMS_KEY)] if state.caller_e164 else []
        ask.append(self._say(state, "enquiry_way_out"))
        return Turn(state, ask=tuple(ask), gather=self._gather(state, speech=True, num_digits=1, timeout=5))

    def _on_enquiry_answered(self, state: CallState, event: Input) -> Turn:
        if event.digits == SMS_KEY and state.caller_e164 and state.enquiry_id is not None:
            return Turn(self._at(state, "enquiry_sending"), effect=SendAnswer(state.enquiry_id, state.caller_e164))
        if event.digits == OPERATOR_KEY or (event.speech or "").strip():
            speech = None if event.digits else event.speech.strip()
            return Turn(self._at(state, "enquiry_escalating"), effect=EscalateEnquiry(state.enquiry_id, speech))
        if event.digits == REPEAT_KEY and state.answer_spoken:
            return replace(self._enquiry_more(state), say=(self._say(state, "enquiry_answer",
                                                                     answer=state.answer_spoken),))
        if event.empty:
            # Silence after an answer: the caller has what they asked for.
            return self._goodbye(state, prefix=(self._say(state, "enquiry_thanks"),))
        return self._retry(state, "invalid_input", self._enquiry_more, on_exhausted=self._enquiry_unsettled)

    def _enquiry_unsettled(self, state: CallState, prefix: tuple[Utterance, ...]) -> Turn:
        """Wrong keys again and again after an answer: a person, and the answer did not settle it."""
        turn = Turn(self._at(state, "enquiry_escalating"), effect=EscalateEnquiry(state.enquiry_id))
        return replace(turn, say=prefix + (self._say(state, "transfer_operator"),))

    def _enquiry_escalated(self, state: CallState, result: EnquiryEscalated) -> Turn:
        if result.speech:
            # What they say now is heard afresh: a complaint, or another question.
            fresh = replace(state, description="", described=0, candidates=(), category_code=None)
            return self._described(fresh, Input(speech=result.speech))
        return self._operator(state)

    def _answer_sent(self, state: CallState, result: AnswerSent) -> Turn:
        say = (self._say(state, "enquiry_sms_sent", last_four=Digits(result.number[-4:])),)
        return self._goodbye(state, prefix=say)

    def _confirm_category(self, state: CallState) -> Turn:
        state = self._at(state, "confirm_category")
        category = self._category_name(state, state.category_code)
        if state.location:
            ask = self._say(state, "confirm_reading", place=state.location, category=category)
        else:
            ask = self._say(state, "confirm_category", category=category)
        return Turn(state, ask=(ask,), gather=self._gather(state, speech=True, num_digits=1,
                                                             hints=self._yes_no_hints(state)))

    def _on_confirm_category(self, state: CallState, event: Input) -> Turn:
        answer = _yes_or_no(event)
        if answer is True:
            return self._after_category(state)
        if answer is False:
            others = tuple(c for c in state.candidates if c != state.category_code)
            if others:
                return self._offer(replace(state, candidates=others, category_code=None))
            return self._category_groups(replace(state, category_code=None))
        return self._retry(state, "no_input" if event.empty else "invalid_input", self._confirm_category)

    def _offer(self, state: CallState) -> Turn:
        """Two or three likely categories, by name, answered by key or by speech."""
        state = self._at(state, "offer_category")
        ask = [self._say(state, "offer_intro")]
        for key, code in enumerate(state.candidates, start=1):
            ask.append(self._say(state, "category_option", label=self._category_name(state, code), key=key))
        ask.append(self._say(state, "offer_none", key=len(state.candidates) + 1))
        names = tuple(self._category_name(state, code) for code in state.candidates)
        return Turn(state, ask=tuple(ask), gather=self._gather(state, speech=True, num_digits=1, hints=names))

    def _on_offer_category(self, state: CallState, event: Input) -> Turn:
        if event.digits == REPEAT_KEY:
            return self._offer(state)
        if event.digits and event.digits.isdigit() and int(event.digits) == len(state.candidates) + 1:
            return self._category_groups(replace(state, candidates=()))
        index = _menu_index(event.digits, len(state.candidates))
        code = state.candidates[index] if index is not None else self._named(state, event.speech)
        if code is None:
            return self._retry(state, "no_input" if event.empty else "invalid_input", self._offer)
        return self._after_category(replace(state, category_code=code, retries=0))

    def _named(self, state: CallState, speech: str | None) -> str | None:
        """The offered category the caller named, if they named exactly one."""
        said = normalise(speech)
        if not said:
            return None
        named = [code for code in state.candidates
                 if (name := normalise(self._category_name(state, code))) and (name in said or said in name)]
        if len(named) == 1:
            return named[0]
        reading = self._reader()(speech or "", set(state.candidates))
        if reading.guesses and reading.guesses[0].probability >= self.thresholds.confirm:
            return reading.guesses[0].code
        return None

    def _after_category(self, state: CallState) -> Turn:
        """The category is settled: ask where only if the caller has not said."""
        if state.location:
            return self._callback(state)
        return self._location(state)

    def _category_groups(self, state: CallState) -> Turn:
        groups = self.line.category_menu
        if len(groups) == 1:
            return self._category_group(replace(state, group=0))
        state = self._at(state, "category_groups")
        ask = [self._say(state, "category_intro")]
        for index, group in enumerate(groups, start=1):
            ask.append(self._say(state, "category_option", label=self._text(state, group.label), key=index))
        ask.append(self._say(state, "menu_tail"))
        return Turn(state, ask=tuple(ask), gather=self._gather(state, num_digits=1))

    def _on_category_groups(self, state: CallState, event: Input) -> Turn:
        if event.digits == REPEAT_KEY:
            return self._category_groups(state)
        index = _menu_index(event.digits, len(self.line.category_menu))
        if index is None:
            return self._retry(state, "no_input" if event.empty else "invalid_input", self._category_groups)
        return self._category_group(replace(state, group=index, retries=0))

    def _category_group(self, state: CallState) -> Turn:
        state = self._at(state, "category_group")
        group = self.line.category_menu[state.group or 0]
        ask = [self._say(state, "category_intro")]
        for index, code in enumerate(group.categories, start=1):
            ask.append(self._say(state, "category_option", label=self._category_name(state, code), key=index))
        ask.append(self._say(state, "menu_tail"))
        return Turn(state, ask=tuple(ask), gather=self._gather(state, num_digits=1))

    def _on_category_group(self, state: CallState, event: Input) -> Turn:
        if event.digits == REPEAT_KEY:
            return self._category_group(state)
        group = self.line.category_menu[state.group or 0]
        index = _menu_index(event.digits, len(group.categories))
        if index is None:
            return self._retry(state, "no_input" if event.empty else "invalid_input", self._category_group)
        return self._after_category(replace(state, category_code=group.categories[index]))

    # where, and who to call back -------------------------------------------------

    def _location(self, state: CallState, prompt: str = "location") -> Turn:
        state = self._at(state, "location")
        return Turn(state, ask=(self._say(state, prompt),), gather=self._gather(state, speech=True, num_digits=1))

    def _on_location(self, state: CallState, event: Input) -> Turn:
        if (event.speech or "").strip():
            return self._callback(replace(state, location=event.speech.strip()))
        return self._retry(state, "no_input" if event.empty else "invalid_input",
                           lambda s: self._location(s, "location_retry"))

    def _callback(self, state: CallState) -> Turn:
        """A caller whose number we can dial is called back on it, said once
        with the case number; only an anonymous caller is asked for one."""
        if state.caller_e164:
            return self._create(replace(state, callback_number=state.caller_e164, callback_implicit=True))
        return self._callback_entry(state)

    def _on_callback_confirm(self, state: CallState, event: Input) -> Turn:
        if event.digits == "1":
            return self._create(replace(state, callback_number=state.caller_e164))
        if event.digits == "2":
            return self._callback_entry(state)
        return self._retry(state, "no_input" if event.empty else "invalid_input", self._callback)

    def _callback_entry(self, state: CallState) -> Turn:
        state = self._at(state, "callback_entry")
        prompt = "callback_entry" if state.caller_e164 else "callback_entry_or_decline"
        return Turn(state, ask=(self._say(state, prompt),),
                    gather=self._gather(state, finish_on_key="#", timeout=10))

    def _on_callback_entry(self, state: CallState, event: Input) -> Turn:
        digits = (event.digits or "").strip()
        if digits.startswith("*") and not state.caller_e164:
            return self._create(replace(state, callback_declined=True))
        if digits == OPERATOR_KEY:
            return self._operator(state)
        number = self.parse_number(digits) if digits else None
        if number and state.case_number:
            return Turn(self._at(state, "callback_changing"), effect=ChangeCallback(state.case_number, number))
        if number:
            return self._create(replace(state, callback_number=number))
        if not digits:
            return self._retry(state, "no_input", self._callback_entry)
        return self._retry(state, "callback_invalid", self._callback_entry)

    def _create(self, state: CallState) -> Turn:
        state = self._at(state, "creating")
        return Turn(state, effect=CreateCase(self._intake(state, needs_operator=False)))

    def _intake(self, state: CallState, needs_operator: bool) -> Intake:
        description = state.description
        if not description and state.category_code:
            description = self._category_name(state, state.category_code)
        return Intake(
            line_id=self.line.id, language=state.language, caller_e164=state.caller_e164,
            callback_number=state.callback_number or (state.caller_e164 if needs_operator else None),
            callback_declined=state.callback_declined, description=description,
            location=state.location, category_code=state.category_code,
            speech_confidence=state.confidence, needs_operator=needs_operator,
            after_hours=state.after_hours, recording_sid=state.recording_sid, urgent=state.urgent,
        )

    def _case_created(self, state: CallState) -> Turn:
        number = Digits(state.case_number or "")
        voicemail = state.node == "voicemail_saving"
        say = [self._say(state, "voicemail_saved" if voicemail else "case_created", case_number=number)]
        if state.urgent and not voicemail:
            say.append(self._say(state, "urgent_noted"))
        say.append(self._say(state, "case_number_again", case_number=number))
        if state.after_hours and state.next_open:
            say.append(self._say(state, "callback_next_open", next_open=self._next_open_text(state)))
        if state.callback_implicit and state.callback_number and not voicemail:
            state = self._at(state, "callback_change_offer")
            ask = self._say(state, "callback_implicit", last_four=Digits(state.callback_number[-4:]))
            return Turn(state, say=tuple(say), ask=(ask,), gather=self._gather(state, num_digits=1, timeout=4))
        state = self._at(state, "done")
        say.append(self._say(state, "goodbye"))
        return Turn(state, say=tuple(say), hangup=True)

    def _on_callback_change_offer(self, state: CallState, event: Input) -> Turn:
        if event.digits == "1":
            return self._callback_entry(state)
        return self._goodbye(state)

    def _callback_changed(self, state: CallState, result: CallbackChanged) -> Turn:
        state = self._at(replace(state, callback_number=result.number), "done")
        say = (self._say(state, "callback_changed", last_four=Digits(result.number[-4:])),
               self._say(state, "goodbye"))
        return Turn(state, say=say, hangup=True)

    # status of a case ----------------------------------------------------------------

    def _status_entry(self, state: CallState) -> Turn:
        state = self._at(state, "status_entry")
        return Turn(state, ask=(self._say(state, "status_entry"),),
                    gather=self._gather(state, finish_on_key="#", timeout=10))

    def _on_status_entry(self, state: CallState, event: Input) -> Turn:
        digits = "".join(ch for ch in (event.digits or "") if ch.isdigit())
        if digits == OPERATOR_KEY:
            return self._operator(state)
        if not digits:
            return self._retry(state, "no_input" if event.empty else "invalid_input", self._status_entry)
        return Turn(replace(state, asked_number=digits), effect=LookupCase(digits))

    def _status_report(self, state: CallState, status: CaseStatus | None) -> Turn:
        if status is None:
            asked = state.asked_number or ""
            say = self._say(state, "status_not_found", case_number=Digits(asked))
            return self._retry(state, None, self._status_entry, extra=(say,))
        status_text = self._text(state, f"status_{status.status}", department=status.department_name or "")
        say = self._say(state, "status_report", case_number=Digits(status.number),
                        category=self._category_name(state, status.category_code), status=status_text)
        state = self._at(state, "status_more")
        return Turn(state, say=(say,), ask=(self._say(state, "status_more"),),
                    gather=self._gather(state, num_digits=1))

    def _on_status_more(self, state: CallState, event: Input) -> Turn:
        if event.digits == "1":
            return self._menu(replace(state, menu_path=""))
        return self._goodbye(state)

    # a person ---------------------------------------------------------------------

    def _operator(self, state: CallState, prefix: tuple[Utterance, ...] = ()) -> Turn:
        """0 from any menu: a person if one can take the call, else a choice
        of voicemail or a callback.  The service answers ``SeekOperator``."""
        state = self._at(state, "seeking_operator")
        return Turn(state, say=prefix, effect=SeekOperator())

    def _desk(self, state: CallState, desk: OperatorDesk) -> Turn:
        if desk.available:
            state = self._at(state, "queued")
            return Turn(state, say=(self._say(state, "queue_enter"),), enqueue=desk.queue)
        return self._operator_offer(state, reason=desk.reason or "closed")

    def _operator_offer(self, state: CallState, reason: str = "closed") -> Turn:
        if not state.caller_e164:
            return self._voicemail(state, (self._say(state, f"operator_{reason}"),))
        state = self._at(state, "operator_offer")
        return Turn(state, say=(self._say(state, f"operator_{reason}"),),
                    ask=(self._say(state, "operator_offer"),), gather=self._gather(state, num_digits=1))

    def _on_operator_offer(self, state: CallState, event: Input) -> Turn:
        if event.digits == "1":
            return self._voicemail(state)
        if event.digits == "2":
            return Turn(self._at(state, "callback_requesting"), effect=RequestCallback("queue", state.caller_e164))
        return self._retry(state, "no_input" if event.empty else "invalid_input",
                           lambda s: self._operator_offer(s), on_exhausted=self._voicemail)

    def _on_queued(self, state: CallState, event: Input) -> Turn:
        """Twilio's <Enqueue action>: how the caller's wait ended."""
        result = event.queue_result or ""
        if result == "leave":          # they pressed 1 in the wait loop for a callback
            return Turn(self._at(state, "callback_requesting"), effect=RequestCallback("queue", state.caller_e164))
        if result == "hangup":         # gave up waiting: a missed call that is owed a callback
            return Turn(self._at(state, "abandoned"), effect=RequestCallback("missed", state.caller_e164))
        if result in ("queue-full", "error", "system-error"):
            return self._operator_offer(state, reason="queue_full")
        return self._goodbye(state)    # bridged: the operator has dealt with the call

    def _callback_promised(self, state: CallState, result: CallbackRequested) -> Turn:
        state = self._at(state, "done")
        if not result.number:
            return self._goodbye(state)
        say = (self._say(state, "callback_scheduled", last_four=Digits(result.number[-4:])),
               self._say(state, "goodbye"))
        return Turn(state, say=say, hangup=True)

    def back_to_queue(self, state: CallState, queue: str) -> Turn:
        """The operator this caller was offered to did not answer: they wait
        again, keeping their place (distribution orders callers by when they
        first joined the queue)."""
        state = self._at(state, "queued")
        return Turn(state, say=(self._say(state, "queue_return"),), enqueue=queue)

    def queue_wait(self, state: CallState, position: int, expected_minutes: int) -> Turn:
        """What a queued caller hears each time round the <Enqueue waitUrl> loop."""
        ahead, minutes = max(0, position - 1), max(1, expected_minutes)
        ask = [self._say(state, "queue_position", ahead=ahead, minutes=minutes) if ahead
               else self._say(state, "queue_next", minutes=minutes)]
        if state.caller_e164:
            ask.append(self._say(state, "queue_offer_callback"))
        return Turn(state, ask=tuple(ask), gather=self._gather(state, num_digits=1, timeout=15))

    def _voicemail(self, state: CallState, prefix: tuple[Utterance, ...] = ()) -> Turn:
        """A message that becomes a case flagged for an operator."""
        state = self._at(state, "voicemail")
        say = prefix + (self._say(state, "operator_voicemail"),)
        return Turn(state, say=say, record=Record())

    def _on_voicemail(self, state: CallState, event: Input) -> Turn:
        state = replace(state, recording_sid=event.recording_sid, node="voicemail_saving")
        if not (event.recording_sid or state.description or state.category_code):
            return self._goodbye(state)
        return Turn(state, effect=CreateCase(self._intake(state, needs_operator=True)))

    # helpers ------------------------------------------------------------------------

    def _retry(self, state: CallState, reason: str | None, again, extra: tuple[Utterance, ...] = (),
               on_exhausted=None) -> Turn:
        """Say why, then ask again; after MAX_RETRIES reprompts, go to a person."""
        prefix = extra + ((self._say(state, reason),) if reason else ())
        return self._ask_again(state, prefix, again, on_exhausted or self._to_operator)

    def _to_operator(self, state: CallState, prefix: tuple[Utterance, ...]) -> Turn:
        return self._operator(state, prefix=prefix + (self._say(state, "transfer_operator"),))

    def _gather(self, state: CallState, *, speech: bool = False, num_digits: int | None = None,
                finish_on_key: str | None = None, timeout: int = 6, hints: tuple[str, ...] | None = None) -> Gather:
        prompts = self.prompts[state.language]
        if speech and hints is None:
            hints = self._hints(state.language)
        return Gather(
            input="dtmf speech" if speech else "dtmf",
            language=prompts.voice.speech_language, speech_model=prompts.voice.speech_model if speech else None,
            num_digits=num_digits, finish_on_key=finish_on_key, timeout=timeout,
            hints=tuple(hints or ()) if speech else (),
        )

    def _yes_no_hints(self, state: CallState) -> tuple[str, ...]:
        return tuple(self._text(state, "yes_no_hints").split("，"))

    def _reader(self) -> Reader:
        if self.read is None:
            keywords = KeywordReader(self._line_categories())
            self.__dict__["read"] = keywords.read
        return self.read

    def _line_codes(self) -> frozenset[str]:
        cache = self.__dict__.setdefault("_line_code_set", frozenset(c.code for c in self._line_categories()))
        return cache

    def _text(self, state: CallState, prompt_key: str, /, **params: object) -> str:
        return self._say(state, prompt_key, **params).text

    def _category_name(self, state: CallState, code: str | None) -> str:
        category = self.categories.get(code or "")
        return category.name(state.language) if category else ""

    def _hints(self, language: str) -> tuple[str, ...]:
        # The same for every call on this line: work them out once.
        cache = self.__dict__.setdefault("_hints_by_language", {})
        if language not in cache:
            cache[language] = speech_hints(self._line_categories(), language)
        return cache[language]

    def _line_categories(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories.values() if self.line.id in c.lines)

    def _next_open_text(self, state: CallState) -> str:
        moment = datetime.fromisoformat(state.next_open) if state.next_open else None
        return format_time(self.prompts[state.language], moment, self.line.time_zone) if moment else ""


def _yes_or_no(event: Input) -> bool | None:
    if event.digits == "1":
        return True
    if event.digits == "2":
        return False
    said = normalise(event.speech)
    if not said or event.digits:
        return None
    if any(said.startswith(word) for word in _NO):
        return False
    if any(said.startswith(word) for word in _YES):
        return True
    return None


def _joined(before: str, now: str) -> str:
    """Everything the caller said about the problem, in order."""
    return f"{before} {now}".strip() if before and now not in before else (now or before)


def _menu_index(digits: str | None, size: int) -> int | None:
    if digits and digits.isdigit() and 1 <= int(digits) <= size:
        return int(digits) - 1
    return None

