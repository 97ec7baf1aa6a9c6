"""Random but plausible case histories, made through the real workflow services.

Each case is reported at a random moment of a month and then walked through the lifecycle: the
next step is drawn among those the state machine allows (cases.lifecycle.allowed_actions),
weighted towards the main path, a random while later (minutes to days; sometimes at the same
instant as the step before). Callback surveys are answered after some closings. Used to hold the
SQL path to the Python reference (tests/reports/oracle.py) over many shapes of history, and to fill
a database for the charts.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from cases.lifecycle import LifecycleError, allowed_actions
from cases.workflow import NoDepartmentFits
from tests.reports.story import survey
from tests.support.factories import report, step

SHANGHAI = ZoneInfo("Asia/Shanghai")
CATEGORIES = ("E0404", "E0102", "E0104", "C0118", "E0503", "C0201", "E0101", "C0101", "E0405")
PLACES = ("海陵区海陵北路", "海陵区东风路", "海陵区鼓楼路", "海陵区凤凰路", "高港区口岸老街", "海陵区迎春西路",
          "海陵区坡子街", "海陵区青年路", "海陵区人民路", "海陵区五一路")
CHANNELS = ("hotline", "hotline", "hotline", "inspector", "inspector", "open311", "web")
# Who takes each step, and how likely it is when the state machine allows it.
ACTORS = {"verify": "system", "file": "dispatcher", "dispatch": "dispatcher", "claim": "department",
          "return": "department", "dispose": "department", "close": "inspector", "rework": "inspector",
          "suspend": "supervisor", "reactivate": "supervisor", "void": "supervisor", "reopen": "supervisor"}
WEIGHTS = {"verify": 1, "file": 20, "dispatch": 20, "claim": 10, "return": 1.2, "dispose": 14, "close": 14,
           "rework": 1.5, "suspend": 0.8, "reactivate": 6, "void": 0.6, "reopen": 0.4}


def fill_month(session, config, label: str, count: int, rng: random.Random, until: datetime) -> int:
    """``count`` cases reported in month ``label`` ("YYYY-MM"), each moved until ``until``."""
    year, number = map(int, label.split("-"))
    start = datetime(year, number, 1, tzinfo=SHANGHAI)
    days = ((start.replace(month=number % 12 + 1, year=year + number // 12) - start).days)
    made = 0
    for serial in range(count):
        created = start + timedelta(days=rng.randrange(days), hours=rng.choice(range(7, 22)),
                                    minutes=rng.randrange(60))
        created = created.astimezone(timezone.utc)
        if created >= until:
            continue
        case = report(session, config, created, category=rng.choice(CATEGORIES),
                      location=f"{rng.choice(PLACES)}{rng.randrange(1, 300)}号{label}-{serial}",
                      channel=rng.choice(CHANNELS), caller=f"+86139{rng.randrange(10**8):08d}")
        walk(session, config, case, created, rng, until)
        made += 1
    session.flush()
    return made


def walk(session, config, case, now: datetime, rng: random.Random, until: datetime) -> None:
    for _ in range(30):
        if case.status == "closed":
            now = _callback(session, case, now, rng, until)
            if now is None or rng.random() < 0.85:
                break
        if case.status == "voided":
            break
        actions = sorted({action for role in ("supervisor", "department", "inspector", "dispatcher", "system")
                          for action in allowed_actions(case.status, role) if action in ACTORS})
        if not actions:
            break
        action = rng.choices(actions, [WEIGHTS[a] for a in actions])[0]
        # Usually minutes to hours; sometimes days; now and then at the very same instant.
        now = now + rng.choice((timedelta(0), timedelta(minutes=rng.randrange(1, 90)),
                                timedelta(hours=rng.uniform(1, 30)), timedelta(days=rng.uniform(1, 9))))
        if now >= until:
            break
        try:
            step(session, config, case, action, now, _role(case.status, action), **_details(action, config, rng, now))
        except (LifecycleError, NoDepartmentFits):
            continue


def _callback(session, case, now: datetime, rng: random.Random, until: datetime) -> datetime | None:
    """Most complainants are called back a while after the closing; some answer twice."""
    if case.channel == "inspector" or rng.random() < 0.3:
        return now
    for _ in range(rng.choice((1, 1, 2))):
        now = now + timedelta(hours=rng.uniform(0.5, 40))
        if now >= until:
            return None
        survey(session, case, now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S.%f"),
               rng.choice(("satisfied", "satisfied", "basically_satisfied", "unsatisfied", "unreachable")))
    return now


def _role(status: str, action: str) -> str:
    role = ACTORS[action]
    if action not in allowed_actions(status, role):
        for other in ("supervisor", "inspector", "dispatcher", "system", "department"):
            if action in allowed_actions(status, other):
                return other
    return role


def _details(action: str, config, rng: random.Random, now: datetime) -> dict:
    if action == "dispatch" and rng.random() < 0.15:
        return {"department": rng.choice(sorted(config.departments))}
    if action in ("dispose", "rework"):
        return {"note": "done" if action == "dispose" else "not good enough"}
    if action == "return":
        return {"reason": "not ours"}
    if action == "suspend":
        return {"reason": "waiting for demolition", "review_date": (now + timedelta(days=20)).date()}
    if action == "void":
        return {"reason": rng.choice(("duplicate", "out_of_scope", "prank"))}
    if action == "reopen":
        return {"reason": "complainant unsatisfied"}
    if action == "reactivate":
        return {"to": rng.choice(("verifying", "filed"))}
    return {}
