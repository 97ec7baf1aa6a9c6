"""Words the console shows for the domain's codes: statuses, steps, roles,
channels and the IVR's steps on the live board.  Marked for the catalogue
here, translated when shown."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "intake": _l("intake"), "verifying": _l("verifying"), "filed": _l("filed"), "dispatched": _l("dispatched"),
    "handling": _l("handling"), "returned": _l("returned"), "disposed": _l("disposed"), "closed": _l("closed"),
    "suspended": _l("suspended"), "voided": _l("voided"),
}

ACTION = {
    "intake": _l("reported"), "repeat_report": _l("reported again"), "verify": _l("send to verify"),
    "file": _l("file"), "dispatch": _l("dispatch"), "claim": _l("claim"), "return": _l("return"),
    "dispose": _l("dispose"), "close": _l("check and close"), "rework": _l("send back for rework"),
    "suspend": _l("suspend"), "reactivate": _l("reactivate"), "void": _l("void"), "reopen": _l("reopen"),
    "recategorise": _l("correct the category"), "overdue": _l("overdue"),
    "merged": _l("a duplicate merged in"),
    "split": _l("a second problem split off"), "split_from": _l("split off another case"),
    "photos": _l("photos added"), "inspection": _l("inspection"),
    "remind": _l("remind the department"), "supervise": _l("mark as supervised"),
}

TASK_KIND = {"verify": _l("verify on site"), "check": _l("check the disposal")}

TASK_RESULT = {"confirmed": _l("report confirmed"), "not_found": _l("no such problem found"),
               "passed": _l("check passed"), "failed": _l("check failed"), "merged": _l("case merged")}

ROLE = {
    "operator": _l("operator"), "dispatcher": _l("dispatcher"), "supervisor": _l("supervisor"),
    "admin": _l("administrator"), "department": _l("department staff"), "inspector": _l("inspector"),
    "system": _l("system"),
}

CHANNEL = {"hotline": _l("phone"), "voicemail": _l("voicemail"), "web": _l("web"), "open311": _l("Open311"),
           "sms": _l("text message"), "app": _l("app")}

PRIORITY = {"normal": _l("normal"), "high": _l("high"), "urgent": _l("urgent")}

VOID_REASON = {"duplicate": _l("duplicate"), "out_of_scope": _l("out of scope"), "prank": _l("prank"),
               "no_such_problem": _l("no such problem"), "other": _l("other")}

CALLBACK_PURPOSE = {"outcome": _l("outcome survey"), "queue": _l("caller who chose a callback"),
                    "missed": _l("missed call"), "after_hours": _l("after-hours report")}

CALLBACK_STATUS = {"pending": _l("waiting"), "calling": _l("calling"), "completed": _l("done"),
                   "unreachable": _l("unreachable"), "cancelled": _l("cancelled"), "opted_out": _l("opted out")}

# The live board's step names (operators.board.STEP_LABELS says them in English).
STEP = {
    "main menu": _l("main menu"), "hearing open case": _l("hearing open case"),
    "describing the problem": _l("describing the problem"), "confirming category": _l("confirming category"),
    "choosing category": _l("choosing category"), "giving the location": _l("giving the location"),
    "callback number": _l("callback number"), "entering callback number": _l("entering callback number"),
    "case status": _l("case status"), "asking for a person": _l("asking for a person"),
    "waiting for an operator": _l("waiting for an operator"),
    "voicemail or callback?": _l("voicemail or callback?"), "leaving a message": _l("leaving a message"),
    "finishing": _l("finishing"), "ringing": _l("ringing"), "hearing an answer": _l("hearing an answer"),
    "ringing an operator": _l("ringing an operator"), "talking to an operator": _l("talking to an operator"),
}


SEAT_STATE = {"available": _l("available"), "ringing": _l("ringing"), "on_call": _l("on a call"),
              "wrap_up": _l("wrap-up"), "break": _l("on a break"), "offline": _l("offline")}

SEAT_REASON = {"no_answer": _l("did not answer an offered call"), "board_closed": _l("live board closed"),
               "wrap_up_over": _l("wrap-up over"), "caller_left": _l("the caller hung up"),
               "call_ended": _l("call ended"), "offer_failed": _l("the offer did not go through")}


# Who is in a call's conference, in which mode, and where the operator's side of the call is.
PARTICIPANT = {"caller": _l("caller"), "operator": _l("operator"), "supervisor": _l("supervisor"),
               "department": _l("department")}
PARTICIPANT_MODE = {"talk": _l("talking"), "listen": _l("listening"), "coach": _l("coaching"),
                    "barge": _l("barged in")}
CONFERENCE_STATE = {"talking": _l("talking"), "holding": _l("caller on hold"),
                    "consulting": _l("consulting the department, caller on hold"),
                    "three_way": _l("three-way call"), "handed_over": _l("handed over to the department")}
CONFERENCE_MOVE = {"hold": _l("Hold"), "resume": _l("Resume"), "consult": _l("Warm transfer"),
                   "join": _l("Join all three"), "leave": _l("Leave"), "cancel": _l("Cancel")}
SUPERVISOR_MODE = {"listen": _l("Listen"), "coach": _l("Coach"), "barge": _l("Barge in"), "leave": _l("Leave")}
RECORDING_STATUS = {"in-progress": _l("recording"), "completed": _l("complete"), "absent": _l("nothing recorded"),
                    "failed": _l("failed")}


def word(table: dict, code: str | None) -> str:
    """The translated word for ``code``, or the code itself when there is none."""
    if code is None:
        return ""
    label = table.get(code)
    return str(label) if label is not None else code
