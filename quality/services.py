"""Quality review's use cases: the week's sample of operators' recorded
calls, one call's file for review (recording, step transcript, the case it
made), saving a review (audited), and the month's summary per operator.
The arithmetic is quality.scoring's."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.services import Principal, audit
from call_log.models import Call, IvrStep, Recording
from cases.models import Case
from quality import scoring
from quality.models import QualityReview
from quality.settings import QualitySettings

OPERATOR_CALL = "operator_call"        # operators.recording's purpose; quality/ does not import operators/


class ReviewRefused(ValueError):
    """A review that cannot be saved; ``code`` says why (the console words it)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Week:
    start: date                        # a Monday, in the centre's zone
    begins: datetime                   # its local midnight, in UTC
    ends: datetime                     # the next Monday's

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def following(self) -> date:
        return self.start + timedelta(days=7)


def week_of(day: date, zone: str) -> Week:
    start = scoring.week_start(day)
    tz = ZoneInfo(zone)
    begins = datetime.combine(start, time(), tz)
    ends = datetime.combine(start + timedelta(days=7), time(), tz)
    return Week(start, begins.astimezone(ZoneInfo("UTC")), ends.astimezone(ZoneInfo("UTC")))


@dataclass(frozen=True)
class SampleRow:
    call_sid: str
    operator: str
    joined_at: datetime
    line_id: str | None
    seconds: int | None                # the recording's length


@dataclass(frozen=True)
class Sample:
    week: Week
    rows: list[SampleRow]
    recorded: int                      # the week's recorded operators' calls
    reviewed: int                      # of them, reviewed by someone


def _recorded(begins: datetime, ends: datetime):
    return (Recording.purpose == OPERATOR_CALL, Recording.status == "completed", Call.operator.is_not(None),
            Call.operator_joined_at >= begins, Call.operator_joined_at < ends)


def recorded_calls(session: Session, begins: datetime, ends: datetime) -> dict[str, SampleRow]:
    """Operators' calls answered in [begins, ends) with a finished recording, by CallSid."""
    rows = session.execute(
        select(Call.call_sid, Call.operator, Call.operator_joined_at, Call.line_id, Recording.duration_seconds)
        .join(Recording, Recording.call_id == Call.id).where(*_recorded(begins, ends))
        .order_by(Call.operator_joined_at, Recording.id))
    found: dict[str, SampleRow] = {}
    for sid, operator, joined, line_id, seconds in rows:
        found.setdefault(sid, SampleRow(sid, operator, joined, line_id, seconds))
    return found


def week_sample(session: Session, settings: QualitySettings, week: Week) -> Sample:
    """The calls of the week still to review, drawn by the sampling rule."""
    calls = recorded_calls(session, week.begins, week.ends)
    week_calls = select(Call.call_sid).join(Recording, Recording.call_id == Call.id) \
        .where(*_recorded(week.begins, week.ends))
    reviewed = set(session.scalars(select(QualityReview.call_sid).where(
        QualityReview.call_sid.in_(week_calls)))) if calls else set()
    drawn = scoring.sample([scoring.Candidate(r.call_sid, r.operator, r.joined_at) for r in calls.values()],
                           reviewed, settings.rule)
    return Sample(week, [calls[c.call_sid] for c in drawn], len(calls), len(reviewed))


@dataclass
class CallFile:
    """What a reviewer sees of one operator's call."""

    call: Call
    steps: list[IvrStep] = field(default_factory=list)
    recordings: list[Recording] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    reviews: list[QualityReview] = field(default_factory=list)

    def review_by(self, reviewer: str) -> QualityReview | None:
        return next((r for r in self.reviews if r.reviewer == reviewer), None)


def call_file(session: Session, call_sid: str) -> CallFile | None:
    call = session.scalars(select(Call).where(Call.call_sid == call_sid)).one_or_none()
    if call is None or not call.operator:
        return None
    steps = list(session.scalars(select(IvrStep).where(IvrStep.call_id == call.id).order_by(IvrStep.sequence)))
    recordings = list(session.scalars(select(Recording).where(
        Recording.call_id == call.id, Recording.purpose == OPERATOR_CALL).order_by(Recording.id)))
    cases = list(session.scalars(select(Case).where(Case.call_id == call.id).order_by(Case.id)))
    reviews = list(session.scalars(select(QualityReview).where(QualityReview.call_sid == call_sid)
                                   .order_by(QualityReview.reviewed_at)))
    return CallFile(call, steps, recordings, cases, reviews)


def save_review(session: Session, settings: QualitySettings, reviewer: Principal, call_sid: str,
                given: dict[str, str], comment: str | None, now: datetime) -> QualityReview:
    """The reviewer's scores for the call, checked against the checklist;
    saving again replaces their earlier review.  Audited."""
    found = call_file(session, call_sid)
    if found is None:
        raise ReviewRefused("no_call", call_sid)
    if not found.recordings:
        raise ReviewRefused("no_recording", call_sid)
    if found.call.operator == reviewer.name:
        raise ReviewRefused("own_call", call_sid)
    try:
        scored = scoring.score(settings.checklist, given)
    except scoring.ScoreError as error:
        raise ReviewRefused("score", error.item) from None
    comment = (comment or "").strip()[:2000] or None
    review = session.scalars(select(QualityReview).where(
        QualityReview.call_sid == call_sid, QualityReview.reviewer == reviewer.name).with_for_update()).first()
    again = review is not None
    if review is None:
        review = QualityReview(call_sid=call_sid, reviewer=reviewer.name, operator=found.call.operator)
        session.add(review)
    review.scores, review.total, review.possible = scored.scores, scored.total, scored.possible
    review.comment, review.reviewed_at = comment, now
    session.flush()
    audit(session, reviewer, "quality_review", call_sid, now,
          detail=f"{found.call.operator}: {scored.total}/{scored.possible}" + (" (again)" if again else ""),
          data={"operator": found.call.operator, "scores": scored.scores, "total": scored.total,
                "possible": scored.possible})
    return review


@dataclass(frozen=True)
class MonthSummary:
    operators: list[scoring.OperatorSummary]
    reviews: int


def month_summary(session: Session, settings: QualitySettings, begins: datetime, ends: datetime) -> MonthSummary:
    """Per operator, the reviews of their calls answered in [begins, ends)
    (a call reviewed by two supervisors counts twice)."""
    kept = [scoring.Review(r.operator, r.scores or {}, r.total, r.possible, r.call_sid) for r in session.scalars(
        select(QualityReview).join(Call, Call.call_sid == QualityReview.call_sid)
        .where(Call.operator_joined_at >= begins, Call.operator_joined_at < ends))]
    return MonthSummary(scoring.summarise(kept, settings.checklist), len(kept))
