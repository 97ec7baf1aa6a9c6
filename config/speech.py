"""Which Twilio ``<Gather speechModel>`` understands which ``language``.

Twilio passes the language through to the speech-to-text provider behind
the model; a pair the provider does not support fails the gather and raises
warning 13331.  The configuration is checked against this table when it
loads, so a wrong pair stops the service instead of reaching a caller.

The table follows Twilio's <Gather> documentation (2025-2026): the generic
models are routed by Twilio to a provider that supports the language;
``phone_call`` is English only; the Google V2 models take BCP-47 tags such as
``cmn-Hans-CN``; Deepgram's take their own short tags and Nova-3 has no
Mandarin.  Extend it when Twilio adds a model.
"""
from __future__ import annotations

GENERIC = frozenset({"default", "numbers_and_commands", "experimental_conversations", "experimental_utterances"})
LANGUAGES = {
    "phone_call": frozenset({"en-US", "en-GB", "en-AU", "en-IN"}),
    "googlev2_long": frozenset({"cmn-Hans-CN", "cmn-Hant-TW", "yue-Hant-HK", "en-US", "en-GB"}),
    "googlev2_short": frozenset({"cmn-Hans-CN", "cmn-Hant-TW", "yue-Hant-HK", "en-US", "en-GB"}),
    "googlev2_telephony": frozenset({"cmn-Hans-CN", "en-US", "en-GB", "en-AU", "en-IN"}),
    "googlev2_telephony_short": frozenset({"cmn-Hans-CN", "en-US", "en-GB", "en-AU", "en-IN"}),
    "deepgram_nova-2": frozenset({"zh", "zh-CN", "zh-TW", "en-US", "en-GB", "en"}),
    "deepgram_nova-3": frozenset({"en-US", "en-GB", "en"}),
}


def speech_model_problem(model: str, language: str) -> str | None:
    """Why ``model`` cannot recognise ``language``, or None when it can."""
    if model in GENERIC:
        return None
    supported = LANGUAGES.get(model)
    if supported is None:
        known = ", ".join(sorted(GENERIC | set(LANGUAGES)))
        return f"unknown speech model {model!r}; use one of {known}"
    if language not in supported:
        return (f"speech model {model!r} does not recognise {language!r} (Twilio warning 13331); "
                f"it takes {', '.join(sorted(supported))}")
    return None
