"""The baseline: a bare Flask app that answers every voice webhook with the
same TwiML ``<Gather>``, rendered with ``twilio.twiml.voice_response``.

No signature check, no database, no IVR: what Flask, gunicorn and TwiML
rendering cost on this machine, for the hotline to be measured against.

    gunicorn 'bench.bare:create_app()'
"""
from __future__ import annotations

from flask import Flask, Response, request
from twilio.twiml.voice_response import Gather, Say, VoiceResponse


def fixed_gather() -> str:
    response = VoiceResponse()
    gather = Gather(input="dtmf speech", action="/voice/step", method="POST", language="cmn-Hans-CN",
                    timeout=6, speech_timeout="auto", num_digits=1, action_on_empty_result=True)
    gather.append(Say("请在提示音后说出问题，或按1从菜单选择。", language="zh-CN", voice="Polly.Zhiyu"))
    response.append(gather)
    response.redirect("/voice/step", method="POST")
    return str(response)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/voice/incoming")
    @app.post("/voice/step")
    def gather():
        request.form                 # parse the form as a real webhook would  # noqa: B018
        return Response(fixed_gather(), mimetype="text/xml")

    @app.post("/voice/status")
    def status():
        request.form                 # noqa: B018
        return Response(status=204)

    return app
