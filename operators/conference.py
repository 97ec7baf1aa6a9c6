"""A call's conference: who is in it, in which role and mode, what each
hears, and the operator's moves (hold, warm transfer) and the supervisor's
(listen, coach, barge in).

Pure rules over plain data: no Flask, no database, no Twilio.  The
services (operators.conference_services) ask Twilio to do what these
functions allow, and keep what Twilio reports in the call log.

Every operator bridge goes through one conference per caller, named
``hotline-<the caller's CallSid>``; its participants are labelled by role.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

PREFIX = "hotline-"

# Roles, which are also the participants' labels in the conference.
CALLER, OPERATOR, SUPERVISOR, DEPARTMENT = "caller", "operator", "supervisor", "department"
ROLES = (CALLER, OPERATOR, SUPERVISOR, DEPARTMENT)

# Modes.  Callers, operators and departments talk; a supervisor listens
# (muted), coaches (heard by the operator only) or barges in (heard by all).
TALK, LISTEN, COACH, BARGE = "talk", "listen", "coach", "barge"
SUPERVISOR_MODES = (LISTEN, COACH, BARGE)

# The operator's side of the call: talking to the caller; the caller on
# hold; consulting a department (the caller on hold, the department
# dialled in); all three talking; the operator gone, the caller and the
# department still talking.
TALKING, HOLDING, CONSULTING, THREE_WAY, HANDED_OVER = "talking", "holding", "consulting", "three_way", "handed_over"
STATES = (TALKING, HOLDING, CONSULTING, THREE_WAY, HANDED_OVER)

HOLD, RESUME, CONSULT, JOIN, LEAVE, CANCEL = "hold", "resume", "consult", "join", "leave", "cancel"
MOVES = (HOLD, RESUME, CONSULT, JOIN, LEAVE, CANCEL)

# From which state each move is allowed, and where it leads.
_MOVES: dict[tuple[str, str], str] = {
    (TALKING, HOLD): HOLDING,
    (HOLDING, RESUME): TALKING,
    (TALKING, CONSULT): CONSULTING,
    (HOLDING, CONSULT): CONSULTING,
    (CONSULTING, JOIN): THREE_WAY,
    (CONSULTING, CANCEL): TALKING,
    (THREE_WAY, CANCEL): TALKING,
    (THREE_WAY, LEAVE): HANDED_OVER,
    (CONSULTING, LEAVE): HANDED_OVER,
}


class ConferenceError(ValueError):
    """A move the rules do not allow from where the call is now."""


def conference_name(caller_call_sid: str) -> str:
    return PREFIX + caller_call_sid


def caller_of(name: str | None) -> str | None:
    """The caller's CallSid in a conference name of ours; None for any other."""
    if not name or not name.startswith(PREFIX) or len(name) == len(PREFIX):
        return None
    return name[len(PREFIX):]


def allowed(state: str, move: str) -> bool:
    return (state, move) in _MOVES


def moves_from(state: str) -> tuple[str, ...]:
    return tuple(move for move in MOVES if (state, move) in _MOVES)


def after(state: str, move: str) -> str:
    """The state after ``move``, or ConferenceError."""
    try:
        return _MOVES[(state, move)]
    except KeyError:
        raise ConferenceError(f"cannot {move} while the call is {state}") from None


def caller_held(state: str) -> bool:
    """The caller hears the hold prompt, and nobody hears them."""
    return state in (HOLDING, CONSULTING)


def operator_part_over(state: str) -> bool:
    """The operator has handed the caller over: what follows (the caller
    and the department) is not the operator's call, and its quality
    recording stops."""
    return state == HANDED_OVER


def hears_case_summary(role: str | None) -> bool:
    """Who is told the case summary as they join the conference: the
    department consulted in a warm transfer (as a cold transfer whispers it)."""
    return role == DEPARTMENT


@dataclass(frozen=True)
class Settings:
    """A participant's muted / coaching settings, as Twilio takes them."""

    muted: bool
    coaching: bool
    call_sid_to_coach: str | None


def supervisor_settings(mode: str, operator_leg: str | None) -> Settings:
    """Listen: muted.  Coach: coaching the operator's leg.  Barge in: neither."""
    if mode == LISTEN:
        return Settings(muted=True, coaching=False, call_sid_to_coach=None)
    if mode == COACH:
        if not operator_leg:
            raise ConferenceError("there is no operator in the call to coach")
        return Settings(muted=False, coaching=True, call_sid_to_coach=operator_leg)
    if mode == BARGE:
        return Settings(muted=False, coaching=False, call_sid_to_coach=None)
    raise ConferenceError(f"no such supervisor mode: {mode!r}")


def mode_of(role: str, muted: bool, coaching: bool) -> str:
    """A participant's mode, from what Twilio says of it."""
    if role != SUPERVISOR:
        return TALK
    if coaching:
        return COACH
    return LISTEN if muted else BARGE


@dataclass(frozen=True)
class Party:
    """One participant now in the conference, as the audio model sees it."""

    label: str
    call_sid: str
    muted: bool = False
    hold: bool = False
    coaching: bool = False
    call_sid_to_coach: str | None = None


def heard_by(speaker: Party, parties: Iterable[Party]) -> frozenset[str]:
    """Who hears ``speaker``: nobody when they are muted or on hold; only
    the coached leg when they coach; otherwise everyone else not on hold."""
    if speaker.muted or speaker.hold:
        return frozenset()
    others = [p for p in parties if p.call_sid != speaker.call_sid and not p.hold]
    if speaker.coaching:
        return frozenset(p.label for p in others if p.call_sid == speaker.call_sid_to_coach)
    return frozenset(p.label for p in others)


def who_hears_whom(parties: Iterable[Party]) -> Mapping[str, frozenset[str]]:
    """For each participant (by label), the labels of those who hear them."""
    parties = list(parties)
    return {p.label: heard_by(p, parties) for p in parties}


def parties_in(state: str, supervisor: str | None = None) -> list[Party]:
    """The participants of a call in ``state`` (with a supervisor in
    ``supervisor`` mode, if any), labelled by role, with their settings."""
    held = caller_held(state)
    parties = [Party(CALLER, CALLER, hold=held)]
    if state != HANDED_OVER:
        parties.append(Party(OPERATOR, OPERATOR))
    if state in (CONSULTING, THREE_WAY, HANDED_OVER):
        parties.append(Party(DEPARTMENT, DEPARTMENT))
    if supervisor is not None:
        settings = supervisor_settings(supervisor, OPERATOR if state != HANDED_OVER else None)
        parties.append(Party(SUPERVISOR, SUPERVISOR, muted=settings.muted, coaching=settings.coaching,
                             call_sid_to_coach=settings.call_sid_to_coach))
    return parties
