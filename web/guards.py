"""Refusing, at the door, text that no database can hold.

PostgreSQL refuses NUL in any text, in a query as much as in a row, so a
NUL in a path, a query argument or a form field would fail deep inside a
service.  Such a request is answered 400 before its view runs, in the
blueprint's own error format (the API's JSON, Open311's error list).

Twilio's webhooks are the exception: a caller must never hear an error, so
their parameters are cleaned instead, once the signature holds
(``ivr.params.clean``).
"""
from __future__ import annotations

from flask import abort, current_app, request

NUL = "\x00"


def refuse_unstorable_text() -> None:
    """A ``before_request`` hook."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "twilio_signed", False):
        return
    if NUL in request.path:
        _refuse("the path")
    _refuse_in(request.args)
    if request.method not in ("GET", "HEAD"):
        # Read and kept first, so views that read the body raw (the API's JSON) still find it.
        request.get_data(cache=True)
        _refuse_in(request.form)


def _refuse_in(values) -> None:
    for name, value in values.items(multi=True):
        if NUL in name or NUL in value:
            _refuse(repr(name.replace(NUL, "")) if NUL in name else name)


def _refuse(where: str) -> None:
    abort(400, description=f"请求含有空字符（NUL），任何字段都不能包含 · {where} holds control characters (NUL), "
                           "which no field may contain")


def cap_request_size() -> None:
    """A ``before_request`` hook, run before anything reads the body: a view
    that takes uploads says how large a body it accepts (``view.max_body``, a
    function of the settings); a larger one is refused with 413 as soon as it
    is read.  Other views keep the app's default."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_body", None)
    if limit is not None:
        request.max_content_length = limit(current_app.config["SETTINGS"])
