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

One of each: the signature check (``twilio_signed``); the reader of
Twilio's parameters (``ivr.params``: ``call_params``, ``caller_input``,
``recording_params``, ``recording_channels``, ``status_update``,
``call_status``, ``answered_by``, ``queue_params``, ``fallback_params``,
``dial_status``, ``conference_update``, ``whole_number``), which each spool
replay uses too, on the spooled form; the URL builder (``external_url``,
and ``public_url`` outside a request); the TwiML renderer (``ivr.twiml``:
``render_turn``, ``render_conference``, ``render_goodbye``, ...; a view
answers with ``twiml(body)``); the step store (``ivr.steps``:
``call_at_step``, ``store_step``, ``stored_step``); and the failure path
(``recovery``: apology, recording, spool; ``SpooledWebhook`` and
``BadLine`` for the replayers).  The pure names (prompts, turns, the
conversations' shared rules) come from ``ivr.voice`` and are re-exported
here; domain code that must stay free of Flask imports ``ivr.voice``.

Other packages import only ``ivr.kit`` and ``ivr.voice``, never the
modules behind them (the ``ivr-kit-only`` contract in pyproject.toml).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, url_for

from ivr.params import (
    BadWebhook,
    ConferenceEvent,
    DialStatus,
    FallbackParams,
    QueueWait,
    answered_by,
    call_params,
    call_sid,
    call_status,
    caller_input,
    check_parameters,
    checked_form,
    conference_update,
    dial_status,
    fallback_params,
    queue_params,
    recording_channels,
    recording_params,
    status_update,
    whole_number,
)
from ivr.recovery import database_unavailable, recovery, spool_request
from ivr.services import VoiceUrls, back_to_queue
from ivr.signature import twilio_signed
from ivr.spool import BadLine, SpooledWebhook, spool_dir
from ivr.steps import StepCall, call_at_step, store_step, stored_step
from ivr.twiml import (
    ConferenceSeat,
    TurnUrls,
    render_apology_and_record,
    render_bridge,
    render_conference,
    render_goodbye,
    render_hold,
    render_turn,
    render_whisper,
    twiml,
)
from ivr.voice import (
    MAX_RETRIES,
    OPERATOR_KEY,
    CallState,
    Conversing,
    Digits,
    Gather,
    Input,
    OperatorDesk,
    Record,
    Turn,
    Utterance,
    format_time,
    render,
)

__all__ = [
    # the pure half (ivr.voice): prompts, turns, the intake's state, the conversations' rules
    "MAX_RETRIES", "OPERATOR_KEY", "CallState", "Conversing", "Digits", "Gather", "Input", "OperatorDesk",
    "Record", "Turn", "Utterance", "format_time", "render",
    # the signature check and Twilio's parameters (ivr.params)
    "twilio_signed", "BadWebhook", "ConferenceEvent", "DialStatus", "FallbackParams", "QueueWait",
    "answered_by", "call_params", "call_sid", "call_status", "caller_input", "check_parameters", "checked_form",
    "conference_update", "dial_status", "fallback_params", "queue_params", "recording_channels",
    "recording_params", "status_update", "whole_number",
    # URLs
    "VoiceUrls", "external_url", "public_url", "voice_urls",
    # TwiML (ivr.twiml)
    "ConferenceSeat", "TurnUrls", "render_apology_and_record", "render_bridge", "render_conference",
    "render_goodbye", "render_hold", "render_turn", "render_whisper", "twiml",
    # the step store (ivr.steps)
    "StepCall", "call_at_step", "store_step", "stored_step",
    # the failure path and the spool
    "BadLine", "SpooledWebhook", "database_unavailable", "recovery", "spool_dir", "spool_request",
    # the intake's queue, which operators' legs send a caller back to
    "back_to_queue",
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
