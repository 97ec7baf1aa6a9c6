"""Operators' recorded calls for quality review tests, written as the
webhooks leave them: the call with its operator, the IVR's steps, the
dual-channel recording (kept by the carrier when one is given) and the case."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from call_log.models import Call, IvrStep, Recording
from carrier.recordings import API_SOURCE
from carrier.recordings import Recording as CarrierRecording
from database import db
from tests.support.factories import report
from wiring import services


def answered_call(app, operator: str, joined: datetime, *, seconds: int = 4, carrier=None, with_case: bool = True,
                  caller: str = "+8613812345678", recorded: bool = True) -> str:
    sid = "CA" + secrets.token_hex(16)
    recording_sid = "RE" + secrets.token_hex(16)
    url = None
    if carrier is not None and recorded:
        kept = carrier.recordings.add(CarrierRecording(sid, carrier.account_sid, joined, sid=recording_sid,
                                                       status="completed", duration=seconds, source=API_SOURCE,
                                                       channels=2))
        url = carrier.api_url(kept.uri())
    with db.session_scope(app) as session:
        call = Call(call_sid=sid, line_id="urban", direction="inbound", from_raw=caller, to_number="+8652388012319",
                    caller_e164=caller, status="completed", started_at=joined - timedelta(seconds=50),
                    answered_at=joined - timedelta(seconds=50), ended_at=joined + timedelta(seconds=seconds),
                    language="zh-CN", queue_name="urban-operators", queued_at=joined - timedelta(seconds=20),
                    queue_ended_at=joined, queue_result="answered", operator=operator, operator_joined_at=joined)
        session.add(call)
        session.flush()
        session.add_all([
            IvrStep(call_id=call.id, sequence=0, node="menu", said="您好，这里是泰州市数字城管“帮帮您”热线。",
                    twiml="<Response/>", created_at=joined - timedelta(seconds=50)),
            IvrStep(call_id=call.id, sequence=1, node="describe", speech="青年路的路灯不亮了，我的电话13812345678",
                    confidence=0.91, said="您反映的是路灯问题，对吗？", twiml="<Response/>",
                    created_at=joined - timedelta(seconds=40)),
            IvrStep(call_id=call.id, sequence=2, node="queued", digits="0", said="正在为您转接人工服务。",
                    twiml="<Response/>", created_at=joined - timedelta(seconds=30)),
        ])
        if recorded:
            session.add(Recording(recording_sid=recording_sid, call_id=call.id, url=url, duration_seconds=seconds,
                                  status="completed", purpose="operator_call", channels=2, created_at=joined))
        if with_case:
            case = report(session, services(app).config, joined, category="C0201", location="海陵区青年路",
                          description="路灯不亮", caller=caller)
            case.call_id = call.id
    return sid
