"""A day of calls at the operator queues, Friday 9 October 2026 in Taizhou (Asia/Shanghai), for the
call-centre figures: answered fast and slow, abandoned, called back within 24 hours and late, by
two operators (op1, op2) on two lines (urban, conduct). The figures it must give are worked out by
hand in tests/reports/test_callcentre.py.

Rows are written as the services write them (the call log, the seats' history, the callbacks and
their attempts), directly, so that each moment is exactly the one the arithmetic uses.

    no  line     caller  queued    how it ended                                   wait  handled
    1   urban    A       07:30:00  op1 joined 07:30:10, seat to wrap-up 07:35:10    10   300
    2   urban    B       09:10:00  op2 joined 09:10:15, wrap-up 09:14:15            15   240
    3   conduct  C       09:20:00  op1 joined 09:20:40, wrap-up 09:30:40            40   600
    4   conduct  D       10:05:00  op2 joined 10:06:00, no seat record, ended 10:08  60   120
    5   urban    E       10:30:00  op1 joined 10:30:05, wrap-up 10:32:05             5   120
    6   urban    X       11:00:00  hung up waiting 11:01:30; missed callback reached 11:20
    7   conduct  Y       11:30:00  call ended 11:30:45 (the queue's result lost); missed
                                   callback reached the next day at 12:00 (24.5 h: too late)
    8   urban    Z       14:00:00  pressed 1 for a callback 14:02; no answer 14:30, reached 15:00
    9   urban    W       15:00:00  hung up waiting 15:00:20; a callback owed, then cancelled:
    10  urban    W       15:10:00  ... W called again: op2 joined 15:10:12, wrap-up 15:13:12   12  180
    11  conduct  (none)  16:00:00  offered to op1, hung up while op1's device rang 16:00:25
    12  conduct  F       23:59:50  op1 joined 00:00:20 on the 10th, wrap-up 00:05:20       30  300

Refused a person by the operators' desk (call.operator_refused_at and _reason, the first refusal):

    no  line     caller  refused   why            then
    13  urban    G       12:10:00  queue_full     pressed 2: a queue callback owed 12:10:30, reached 12:40
    14  conduct  H       12:20:00  closed         (the office's lunch break) refused again at 12:21,
                                                  closed: one refused call; left a voicemail
    15  urban    I       13:00:00  wait_too_long  pressed 0 again and was queued at 13:01:00: op2
                                                  joined 13:01:10, wrap-up 13:03:10                  10  120
    16  conduct  (none)  07:00:00  closed         (before the office opens) left a voicemail

13, 14 and 16 are refused and not offered; 15 is refused (at 13:00) and offered (at 13:01).

Not offered, so in no figure: a call that never asked for a person (12:00), a caller taken over
by op2 straight from the IVR (12:30), and a call queued a second before October began (30
September 23:59:59 local, 15:59:59 UTC). Refused a second before October began: September's.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from accounts.models import User
from accounts.services import create_user
from call_log.models import Call
from callbacks.models import Callback, CallbackAttempt
from operators.models import Seat, SeatChange

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct horse battery"
PHONES = {letter: f"+86138000000{number:02d}" for number, letter in enumerate("ABCDEFXYZWGHI", start=1)}


def at(hour: int, minute: int, second: int = 0, day: int = 9, month: int = 10) -> datetime:
    """A local moment in Taizhou, as the aware UTC datetime the database keeps."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(timezone.utc)


def operators(session) -> dict[str, User]:
    found = {user.username: user for user in session.query(User).filter(User.username.in_(("op1", "op2")))}
    for name in ("op1", "op2"):
        if name not in found:
            found[name] = create_user(session, name, PASSWORD, "operator", device="client:" + name,
                                      hash_method="pbkdf2:sha256:1000")
    session.flush()
    return found


class Day:
    def __init__(self, session) -> None:
        self.session = session
        self.users = operators(session)
        self.calls: dict[int, Call] = {}
        self.number = 0

    def call(self, no: int, line: str, caller: str | None, queued: datetime | None, *, operator: str | None = None,
             joined: datetime | None = None, ended: datetime | None = None, result: str | None = None,
             queue_ended: datetime | None = None, status: str = "completed", last_seen: datetime | None = None,
             refused: datetime | None = None, reason: str | None = None, direction: str = "inbound") -> Call:
        self.number += 1
        started = refused or queued or joined
        call = Call(call_sid=f"CA{self.number:032d}", line_id=line, direction=direction,
                    from_raw=PHONES.get(caller or "", "anonymous"), caller_e164=PHONES.get(caller or ""),
                    status=status, started_at=started, answered_at=started, ended_at=ended,
                    last_seen_at=last_seen or ended or started, queue_name=f"{line}-operators" if queued else None,
                    queued_at=queued, queue_ended_at=queue_ended or (joined if queued and joined else None),
                    queue_result=result or ("answered" if queued and joined else None), operator=operator,
                    operator_joined_at=joined, operator_refused_at=refused,
                    operator_refused_reason=reason if refused else None)
        self.session.add(call)
        self.session.flush()
        self.calls[no] = call
        return call

    def seat(self, operator: str, call: Call, previous: str, state: str, moment: datetime) -> None:
        self.session.add(SeatChange(user_id=self.users[operator].id, at=moment, previous=previous, state=state,
                                    call_sid=call.call_sid, by="service",
                                    reason="call_ended" if state == "wrap_up" else None))

    def answered(self, no: int, line: str, caller: str, queued: datetime, operator: str, joined: datetime,
                 part_ended: datetime | None, ended: datetime, refused: datetime | None = None,
                 reason: str | None = None) -> Call:
        call = self.call(no, line, caller, queued, operator=operator, joined=joined, ended=ended, refused=refused,
                         reason=reason)
        self.seat(operator, call, "available", "ringing", queued)
        self.seat(operator, call, "ringing", "on_call", joined)
        if part_ended is not None:
            self.seat(operator, call, "on_call", "wrap_up", part_ended)
        return call

    def callback(self, purpose: str, caller: str, line: str, call: Call, owed: datetime, status: str,
                 attempts: list[tuple[datetime, str]]) -> Callback:
        callback = Callback(purpose=purpose, purpose_key=f"{purpose}:call{call.id}", phone_e164=PHONES[caller],
                            line_id=line, origin_call_id=call.id, status=status, due_at=owed, next_attempt_at=owed,
                            attempts=len(attempts), created_at=owed, updated_at=owed)
        self.session.add(callback)
        self.session.flush()
        for number, (placed, result) in enumerate(attempts, start=1):
            self.session.add(CallbackAttempt(callback_id=callback.id, number=number, status="ended",
                                             call_sid=f"CB{callback.id:04d}{number:02d}", placed_at=placed,
                                             result=result, ended_at=placed))
        return callback


def build_day(session, with_late_call: bool = True) -> Day:
    """The day in the table above (call 12, at midnight, left out when not ``with_late_call``)."""
    day = Day(session)
    day.answered(1, "urban", "A", at(7, 30), "op1", at(7, 30, 10), at(7, 35, 10), at(7, 35, 20))
    day.answered(2, "urban", "B", at(9, 10), "op2", at(9, 10, 15), at(9, 14, 15), at(9, 14, 30))
    day.answered(3, "conduct", "C", at(9, 20), "op1", at(9, 20, 40), at(9, 30, 40), at(9, 31))
    day.answered(4, "conduct", "D", at(10, 5), "op2", at(10, 6), None, at(10, 8))
    day.answered(5, "urban", "E", at(10, 30), "op1", at(10, 30, 5), at(10, 32, 5), at(10, 32, 30))
    six = day.call(6, "urban", "X", at(11, 0), ended=at(11, 1, 30), result="hangup", queue_ended=at(11, 1, 30))
    day.callback("missed", "X", "urban", six, at(11, 1, 30), "completed", [(at(11, 20), "answered")])
    seven = day.call(7, "conduct", "Y", at(11, 30), ended=at(11, 30, 45))
    day.callback("missed", "Y", "conduct", seven, at(11, 30, 45), "completed",
                 [(at(12, 0, day=10), "answered")])
    eight = day.call(8, "urban", "Z", at(14, 0), ended=at(14, 2, 30), result="leave", queue_ended=at(14, 2))
    day.callback("queue", "Z", "urban", eight, at(14, 2), "completed",
                 [(at(14, 30), "no-answer"), (at(15, 0), "answered")])
    nine = day.call(9, "urban", "W", at(15, 0), ended=at(15, 0, 20), result="hangup", queue_ended=at(15, 0, 20))
    day.callback("missed", "W", "urban", nine, at(15, 0, 20), "cancelled", [])
    day.answered(10, "urban", "W", at(15, 10), "op2", at(15, 10, 12), at(15, 13, 12), at(15, 13, 30))
    eleven = day.call(11, "conduct", None, at(16, 0), ended=at(16, 0, 25), result="redirected",
                      queue_ended=at(16, 0, 20))
    day.seat("op1", eleven, "available", "ringing", at(16, 0, 20))
    day.seat("op1", eleven, "ringing", "available", at(16, 0, 25))
    thirteen = day.call(13, "urban", "G", None, ended=at(12, 11), refused=at(12, 10), reason="queue_full")
    day.callback("queue", "G", "urban", thirteen, at(12, 10, 30), "completed", [(at(12, 40), "answered")])
    day.call(14, "conduct", "H", None, ended=at(12, 22), refused=at(12, 20), reason="closed")
    day.answered(15, "urban", "I", at(13, 1), "op2", at(13, 1, 10), at(13, 3, 10), at(13, 3, 20),
                 refused=at(13, 0), reason="wait_too_long")
    day.call(16, "conduct", None, None, ended=at(7, 1), refused=at(7, 0), reason="closed")
    if with_late_call:
        day.answered(12, "conduct", "F", at(23, 59, 50), "op1", at(0, 0, 20, day=10), at(0, 5, 20, day=10),
                     at(0, 5, 30, day=10))
    # Not offered: no person asked for; taken over from the IVR; queued in September.
    day.call(0, "urban", "A", None, ended=at(12, 1))
    day.call(0, "urban", "B", None, operator="op2", joined=at(12, 30), ended=at(12, 34))
    day.call(0, "urban", "C", at(23, 59, 59, day=30, month=9), ended=at(0, 1, day=1), result="hangup")
    day.call(0, "conduct", "D", None, ended=at(0, 1, day=1), refused=at(23, 59, 59, day=30, month=9),
             reason="closed")
    session.flush()
    return day


def seat_states(session, day: Day, states: dict[str, str], since: datetime) -> None:
    """The seats as the wallboard should show them."""
    for name, state in states.items():
        user = day.users.get(name) or session.query(User).filter_by(username=name).one()
        session.merge(Seat(user_id=user.id, state=state, since=since, lines=[], languages=[]))
    session.flush()
