"""The voice kit's pure public names: what other packages' domain code
(the callback survey in ``callbacks.conversation``, the operators' whispers,
board and intake) uses of the IVR without Flask, a database or Twilio.

- prompts: ``render`` a prompt key into an ``Utterance``, ``Digits`` read
  one by one, ``format_time`` in the line's words;
- turns: what the caller did (``Input``), what they hear next (``Turn``
  with its ``Gather`` or ``Record``), and the intake's ``CallState`` kept
  between webhooks (read by the operators' whisper, board and intake form);
- the conversations' shared rules (``Conversing``, ``OPERATOR_KEY``,
  ``MAX_RETRIES``).

``ivr.kit`` re-exports all of these beside the web half (signature check,
parameter readers, URLs, TwiML, step store, failure path).  Other packages
import only ``ivr.kit`` and this module (a contract in pyproject.toml).
"""
from __future__ import annotations

from ivr.conversation import MAX_RETRIES, OPERATOR_KEY, Conversing
from ivr.prompts import Digits, Utterance, format_time, render
from ivr.turns import CallState, Gather, Input, OperatorDesk, Record, Turn

__all__ = [
    "MAX_RETRIES", "OPERATOR_KEY", "CallState", "Conversing", "Digits", "Gather", "Input", "OperatorDesk", "Record",
    "Turn", "Utterance", "format_time", "render",
]
