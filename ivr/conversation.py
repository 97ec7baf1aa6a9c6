"""What every conversation the service holds on a call shares: the intake
IVR (``ivr.flow.Flow``) and the callback survey
(``callbacks.conversation.Conversation``).

- 0 is the operator key everywhere;
- no input or a wrong key is asked again at most ``MAX_RETRIES`` times,
  then the conversation gives up its own way (the IVR goes to a person, a
  callback says goodbye);
- a goodbye is said in the caller's language and hangs up.

Pure domain code: prompts in, ``Turn``s out.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping, TypeVar

from config.catalog import PromptSet
from ivr.prompts import Utterance, render
from ivr.turns import ConversationState, Turn

MAX_RETRIES = 2
OPERATOR_KEY = "0"

State = TypeVar("State", bound=ConversationState)


class Conversing:
    """The shared rules, for a conversation class with a ``prompts`` mapping."""

    prompts: Mapping[str, PromptSet]

    def _say(self, state: ConversationState, prompt_key: str, /, **params: object) -> Utterance:
        return render(self.prompts[state.language], prompt_key, **params)

    def _at(self, state: State, node: str) -> State:
        """``state`` at ``node``; arriving at a new node starts its retries afresh."""
        return state if state.node == node else replace(state, node=node, retries=0)

    def _goodbye(self, state: ConversationState, prefix: tuple[Utterance, ...] = ()) -> Turn:
        state = self._at(state, "done")
        return Turn(state, say=prefix + (self._say(state, "goodbye"),), hangup=True)

    def _ask_again(self, state: State, prefix: tuple[Utterance, ...], again: Callable[[State], Turn],
                   exhausted: Callable[[State, tuple[Utterance, ...]], Turn]) -> Turn:
        """Say why (``prefix``), then ask again; after ``MAX_RETRIES`` times,
        ``exhausted`` decides, with the retries reset."""
        if state.retries >= MAX_RETRIES:
            return exhausted(replace(state, retries=0), prefix)
        turn = again(replace(state, retries=state.retries + 1))
        return replace(turn, say=prefix + turn.say)
