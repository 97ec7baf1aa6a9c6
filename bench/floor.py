"""The floor: the bare endpoint plus the two things every hotline webhook
must do, and nothing else.

Each webhook checks ``X-Twilio-Signature`` (``twilio.request_validator``)
and writes one row in a transaction of its own, an SQLAlchemy Core
``INSERT … ON CONFLICT DO NOTHING`` keyed on ``(CallSid, step)``, committed
before the answer, then answers with the bare endpoint's fixed ``<Gather>``
(``/voice/status``: 204).  No IVR, no reading back, no state: what a
signed, persisted webhook cannot go below in Flask and SQLAlchemy on this
machine, for the aim of issue 11 (the hotline at most twice the bare
endpoint) to be read against.

    .venv/bin/python bench/inprocess.py        # measures it beside bare and hotline
"""
from __future__ import annotations

from flask import Flask, Response, request
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from twilio.request_validator import RequestValidator

from bench.bare import fixed_gather

metadata = MetaData()
steps = Table(
    "floor_step", metadata,
    Column("id", Integer, primary_key=True),
    Column("call_sid", String(34), nullable=False),
    Column("step", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    UniqueConstraint("call_sid", "step"),       # the idempotency key a real step store needs
)


def create_app(database_url: str, auth_token: str, public_url: str) -> Flask:
    engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _wal(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")     # as the hotline sets it
            cursor.close()
    metadata.create_all(engine)
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    store = insert(steps).on_conflict_do_nothing(index_elements=["call_sid", "step"])
    validator = RequestValidator(auth_token)
    app = Flask(__name__)
    app.config["ENGINE"] = engine

    def persisted(step: int) -> bool:
        form = request.form
        if not validator.validate(public_url + request.full_path.rstrip("?"), form,
                                  request.headers.get("X-Twilio-Signature", "")):
            return False
        with engine.begin() as connection:
            connection.execute(store, {"call_sid": form.get("CallSid", ""), "step": step,
                                       "payload": form.get("SpeechResult") or form.get("Digits") or ""})
        return True

    @app.post("/voice/incoming")
    def incoming():
        if not persisted(0):
            return Response(status=403)
        return Response(fixed_gather(), mimetype="text/xml")

    @app.post("/voice/step")
    def step():
        if not persisted(request.args.get("step", 0, type=int)):
            return Response(status=403)
        return Response(fixed_gather(), mimetype="text/xml")

    @app.post("/voice/status")
    def status():
        if not persisted(-1):
            return Response(status=403)
        return Response(status=204)

    return app
