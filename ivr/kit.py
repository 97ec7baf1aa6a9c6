"""The voice kit: what every blueprint that answers Twilio's voice webhooks
uses (the intake IVR in ``ivr.views``, the callback calls in
``callbacks.views``, the operators' legs in ``operators.views``, the live
board's URLs in ``console.board``).

    from ivr import kit

    @bp.post("/step")
    @kit.twilio_signed
    def step():
        event = kit.caller_input(kit.recording_params())
        ...
        return kit.twiml(body)

    bp.register_error_handler(Exception, kit.recovery(apology, spool_as={...}))

One of each: the signature check (``twilio_signed``), the reader of
Twilio's parameters (``ivr.params``: ``call_params``, ``caller_input``,
``recording_params``, ``status_update``, ``whole_number``, ``answered_by``),
the URL builder (``external_url``, and ``public_url`` outside a request), the TwiML renderer (``ivr.twiml``:
``render_turn``, ``render_goodbye``, the prompts' ``render``; a view answers with ``twiml(body)``), the step
store (``ivr.steps``: ``call_at_step``, ``store_step``, ``stored_step``), the
conversations' shared rules (``ivr.conversation``) and the failure path
(``recovery``: apology, recording, spool).  Other packages use these names
and never import ``ivr.views``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, url_for

from ivr.conversation import MAX_RETRIES, OPERATOR_KEY, Conversing
from ivr.params import (
    BadWebhook,
    answered_by,
    call_params,
    call_sid,
    caller_input,
    checked_form,
    recording_params,
    status_update,
    whole_number,
)
from ivr.prompts import render
from ivr.recovery import database_unavailable, recovery, spool_request
from ivr.services import VoiceUrls
from ivr.signature import twilio_signed
from ivr.steps import StepCall, call_at_step, store_step, stored_step
from ivr.turns import Input, Turn
from ivr.twiml import TurnUrls, render_goodbye, render_turn, twiml

__all__ = [
    "MAX_RETRIES", "OPERATOR_KEY", "BadWebhook", "Conversing", "Input", "StepCall", "Turn", "TurnUrls", "VoiceUrls",
    "answered_by", "call_at_step", "call_params", "call_sid", "caller_input", "checked_form",
    "database_unavailable", "external_url", "public_url", "recording_params", "recovery", "render",
    "render_goodbye", "render_turn", "spool_request", "status_update", "store_step", "stored_step", "twiml",
    "twilio_signed", "voice_urls", "whole_number",
]


def external_url(endpoint: str, **values) -> str:
    """The absolute URL Twilio is told to call: on HOTLINE_PUBLIC_URL when
    set, exactly as the signature check rebuilds it."""
    public = current_app.config["SETTINGS"].public_url
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def public_url(app: Flask, endpoint: str, **values) -> str:
    """``external_url`` outside any request (the scheduler placing calls):
    built on HOTLINE_PUBLIC_URL, exactly as the signature check will rebuild it."""
    public = app.config["SETTINGS"].public_url
    if not public:
        raise RuntimeError("HOTLINE_PUBLIC_URL is not set; Twilio needs absolute URLs for calls the service places")
    parts = urlsplit(public)
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def voice_urls() -> VoiceUrls:
    """The intake's URLs, also where any voice blueprint's apology sends the
    recording it asks for (it becomes a case)."""
    return VoiceUrls(
        step=lambda sequence: external_url("voice.step", step=sequence),
        recording_status=external_url("voice.recording"),
        fallback_recorded=external_url("voice.fallback_recorded"),
        queue_wait=external_url("voice.wait"),
        queue_choice=external_url("voice.wait_choice"),
    )
