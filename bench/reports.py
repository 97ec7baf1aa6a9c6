"""Benchmark: the monthly assessment over a million cases on PostgreSQL.

    .venv/bin/python bench/reports.py                       one million cases, report for 2026-10
    .venv/bin/python bench/reports.py --cases 100000 --runs 3
    .venv/bin/python bench/reports.py --keep                keep the database (its URL is printed)
    .venv/bin/python bench/reports.py --database-url URL    time an existing database, load nothing

Creates a throwaway database on 127.0.0.1:5432 (trust auth, user postgres or root), builds the
schema with the migrations, and loads ``--cases`` cases created over ``--months`` months ending
with ``--month``, each with a history made by the lifecycle's rules and the categories' real time
limits and calendars: filing, dispatch (some to the wrong department, returned and re-dispatched),
claims, disposals on time or late or never, rework, suspensions (some reactivated, some voided),
inspectors' checks, closings, callback surveys, reopenings. Events after "now" (five days after
the month) are cut off, so recent cases are still in progress. Loading uses COPY, with the
secondary indexes built afterwards, in one process per core.

Then it times what the report page computes (``reports.services.assessment``: one query for the
month's marks, six reports from them) and the twelve-month trend, cold (first run on a new
connection) and warm, and prints the figures. Method and results: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from wiring import services

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HOST, PORT = "127.0.0.1", 5432
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc

# How cases reach the centre: inspectors find most of them, the hotline most of the rest.
CHANNELS = (("inspector", 0.45), ("hotline", 0.40), ("open311", 0.10), ("web", 0.05))
# Common categories come up far more often than rare ones.
CATEGORY_WEIGHTS = {"E0102": 14, "E0503": 12, "E0104": 8, "C0118": 7, "E0404": 6, "E0506": 6, "C0201": 5,
                    "E0101": 3, "C0101": 2, "C0102": 2, "C0103": 2, "E0405": 1, "E0403": 1}
SURVEY_ANSWERS = (("satisfied", 0.70), ("basically_satisfied", 0.17), ("unsatisfied", 0.09), ("unreachable", 0.04))


def main() -> int:
    options = _arguments()
    import psycopg  # noqa: F401  (fail early, with the import error, if the driver is missing)

    if options.database_url:
        url, drop = options.database_url, None
    else:
        user = _postgres_user()
        if user is None:
            print(f"no PostgreSQL server at {HOST}:{PORT} let user postgres or root in; nothing to measure")
            return 1
        name = f"hotline_bench_reports_{uuid.uuid4().hex[:10]}"
        _admin(user, f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://{user}@{HOST}:{PORT}/{name}"
        drop = None if options.keep else (user, name)
    try:
        _machine(url)
        if not options.database_url:
            _load(url, options)
        _measure(url, options)
    finally:
        if drop:
            _admin(drop[0], f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')
            print(f"\ndropped database {drop[1]}")
        elif not options.database_url:
            print(f"\nkept database: {url}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24, help="months the cases are spread over")
    parser.add_argument("--month", default="2026-10", help="the month reported on (the last one loaded)")
    parser.add_argument("--runs", type=int, default=7, help="warm runs to time")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=20261031)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database-url", help="time this database; load nothing")
    parser.add_argument("--explain", action="store_true", help="print the month's query plan with timings")
    return parser.parse_args()


# --- the database ---------------------------------------------------------------------------------

def _postgres_user() -> str | None:
    import psycopg
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(host=HOST, port=PORT, user=user, dbname="test", connect_timeout=3):
                return user
        except psycopg.Error:
            continue
    return None


def _admin(user: str, statement: str) -> None:
    import psycopg
    with psycopg.connect(host=HOST, port=PORT, user=user, dbname="test", autocommit=True) as connection:
        connection.execute(statement)


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _machine(url: str) -> None:
    import psycopg
    with psycopg.connect(_psycopg_url(url)) as connection:
        settings = dict(connection.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
            "('server_version', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', "
            "'effective_cache_size', 'jit')").fetchall())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
          f"Python {platform.python_version()}")
    print("PostgreSQL: " + ", ".join(f"{k}={v}" for k, v in sorted(settings.items())))


# --- loading --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chunk:
    first_id: int
    days: tuple[tuple[date, int], ...]   # (local day, cases created that day)
    seed: int


def _load(url: str, options: argparse.Namespace) -> None:
    from app import create_app
    from database import db
    from database.setup import upgrade_schema
    from routing.models import sync_configuration

    started = time.perf_counter()
    app = create_app({"database_url": url, "env": "testing"})
    upgrade_schema(db.engine(app))
    with db.session_scope(app) as session:
        sync_configuration(session, services(app).config)
    db.engine(app).dispose()
    print(f"\nschema: {time.perf_counter() - started:.1f} s")

    import psycopg
    with psycopg.connect(_psycopg_url(url), autocommit=True) as connection:
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('case_file', 'case_event', "
            "'survey_answer') AND indexname NOT LIKE 'pk_%' AND indexdef NOT LIKE '%UNIQUE%'").fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')

    chunks = _chunks(options)
    started = time.perf_counter()
    totals = {"cases": 0, "events": 0, "surveys": 0}
    with multiprocessing.get_context("fork").Pool(options.workers, _worker_start, (url, options)) as pool:
        for done, counts in enumerate(pool.imap_unordered(_load_chunk, chunks), start=1):
            for key, value in counts.items():
                totals[key] += value
            if done % max(1, len(chunks) // 10) == 0:
                print(f"  {done}/{len(chunks)} weeks, {totals['cases']:,} cases, {totals['events']:,} events "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
    loaded = time.perf_counter() - started
    print(f"loaded {totals['cases']:,} cases, {totals['events']:,} events, {totals['surveys']:,} survey answers "
          f"in {loaded:.0f} s with {options.workers} processes")

    started = time.perf_counter()
    with psycopg.connect(_psycopg_url(url), autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            connection.execute(definition)
        for table in ("case_file", "case_event", "survey_answer"):
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM {table}))")
        connection.execute("VACUUM ANALYZE case_file")
        connection.execute("VACUUM ANALYZE case_event")
        connection.execute("VACUUM ANALYZE survey_answer")
        size = connection.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"indexes rebuilt ({len(indexes)}) and tables analysed in {time.perf_counter() - started:.0f} s; "
          f"database size {size}")


def _chunks(options: argparse.Namespace) -> list[Chunk]:
    """Cases per local day: fewer at weekends, a slow growth over the months; a chunk is a week."""
    from routing.periods import trailing_months

    periods = trailing_months(options.month, options.months)
    first = periods[0].start.astimezone(SHANGHAI).date()
    last = periods[-1].end.astimezone(SHANGHAI).date()
    days = [first + timedelta(days=i) for i in range((last - first).days)]
    weights = [(0.8 if day.weekday() >= 5 else 1.0) * (1 + 0.3 * i / len(days)) for i, day in enumerate(days)]
    scale = options.cases / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(options.cases - sum(counts)):
        counts[-1 - i % len(counts)] += 1
    chunks, next_id = [], 1
    for start in range(0, len(days), 7):
        week = tuple(zip(days[start:start + 7], counts[start:start + 7], strict=True))
        chunks.append(Chunk(next_id, week, options.seed * 1000 + start))
        next_id += sum(n for _, n in week)
    return chunks


_state: dict = {}


def _worker_start(url: str, options: argparse.Namespace) -> None:
    import psycopg

    from config.loader import load_config
    from config.settings import SHIPPED_CONFIG_DIR
    from routing.periods import month

    connection = psycopg.connect(_psycopg_url(url))
    # Foreign keys are checked by triggers; the generator keeps them true, so skip the checks.
    connection.execute("SET session_replication_role = replica")
    config = load_config(SHIPPED_CONFIG_DIR, {})
    _state.update(connection=connection, config=config,
                  now=month(options.month).end + timedelta(days=5),
                  categories=[config.categories[code] for code in CATEGORY_WEIGHTS],
                  weights=list(CATEGORY_WEIGHTS.values()))


def _load_chunk(chunk: Chunk) -> dict[str, int]:
    rng = random.Random(chunk.seed)
    cases, events, surveys = [], [], []
    case_id = chunk.first_id
    for day, count in chunk.days:
        for _ in range(count):
            created = _created_at(rng, day)
            case, history, answers = _history(rng, case_id, created)
            cases.append(case)
            events.extend(history)
            surveys.extend(answers)
            case_id += 1
    # Rows reach the table in the order things happen, as they do in service, not case by case.
    events.sort(key=lambda event: event[1])
    connection = _state["connection"]
    with connection.cursor() as cursor:
        with cursor.copy("COPY case_file (id, number, line_id, channel, category_code, department_code, "
                         "description, priority, status, clock_started_at, due_at, needs_operator, after_hours, "
                         "created_at, updated_at) FROM STDIN") as copy:
            for row in cases:
                copy.write_row(row)
        with cursor.copy("COPY case_event (case_id, at, actor, role, action, department_code, from_status, "
                         "to_status, note, data) FROM STDIN") as copy:
            for row in events:
                copy.write_row(row)
        with cursor.copy("COPY survey_answer (case_id, answered_at, answer) FROM STDIN") as copy:
            for row in surveys:
                copy.write_row(row)
    connection.commit()
    return {"cases": len(cases), "events": len(events), "surveys": len(surveys)}


def _created_at(rng: random.Random, day: date) -> datetime:
    # Reports come in daytime mostly: inspectors' rounds and callers between 07:00 and 22:00.
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 12, 13, 13, 11, 8, 10, 12, 12, 11, 9,
                                           7, 6, 5, 4, 3, 2])[0]
    local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=SHANGHAI)
    return local.astimezone(UTC)


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


class _Case:
    """A case's history as the lifecycle would record it (cases/lifecycle.py)."""

    def __init__(self, case_id: int, category, created: datetime) -> None:
        self.id, self.category, self.created = case_id, category, created
        self.events: list[tuple] = []
        self.status, self.department, self.due, self.clock = "intake", category.department, None, None
        self.at = created

    def step(self, after: timedelta, action: str, to: str, role: str, department: str | None = None,
             data: dict | None = None, note: str | None = None, starts_clock: bool = False) -> datetime:
        return self.record(self.at + max(after, timedelta(seconds=30)), action, to, role, department, data, note,
                           starts_clock)

    def record(self, at: datetime, action: str, to: str, role: str, department: str | None = None,
               data: dict | None = None, note: str | None = None, starts_clock: bool = False) -> datetime:
        self.at = max(at, self.at)
        if action == "dispatch":
            self.department = department
        payload = {"role": role, **(data or {})}
        if starts_clock:   # the deadline goes on the event that set it, as cases/workflow.py writes it
            self.clock = self.at
            self.due = self.category.time_limit.due(self.at, _state["config"].calendar_of(self.category.department))
            payload["due_at"] = self.due.isoformat()
        if action == "dispatch":
            payload["department"] = department
        self.events.append((self.id, self.at.replace(tzinfo=None), f"bench:{role}", role, action, self.department,
                            self.status if action != "intake" else None, to, note, json.dumps(payload)))
        self.status = to
        return self.at


def _history(rng: random.Random, case_id: int, created: datetime):
    config = _state["config"]
    category = rng.choices(_state["categories"], _state["weights"])[0]
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    case = _Case(case_id, category, created)
    urgent = category.priority == "urgent"
    case.record(created, "intake", "intake", "system", starts_clock=urgent)
    if urgent or category.verify_first:
        case.step(_minutes(rng, 1, 10), "verify", "verifying", "system")
    surveys = []
    if rng.random() < 0.025:
        case.step(_minutes(rng, 10, 120), "void", "voided", "supervisor", note="duplicate")
        return _finish(case, channel, surveys)
    filed_by = "inspector" if case.status == "verifying" else "dispatcher"
    case.step(_minutes(rng, 3, 60), "file", "filed", filed_by, starts_clock=not urgent)
    _work(rng, case, config, first=True)
    # Callbacks about the outcome, and reopenings when the complainant is not satisfied.
    for _ in range(2):
        if case.status != "closed":
            break
        answer = None
        if channel != "inspector" and rng.random() < 0.6:
            answer = rng.choices([a for a, _ in SURVEY_ANSWERS], [w for _, w in SURVEY_ANSWERS])[0]
            answered = case.at + _minutes(rng, 120, 72 * 60)
            surveys.append((case.id, answered.replace(tzinfo=None), answer))
            case.at = answered
        if (answer == "unsatisfied" and rng.random() < 0.5) or rng.random() < 0.005:
            # Urgent cases restart their clock on reopening, the others on filing (lifecycle.clock_change).
            case.step(_minutes(rng, 10, 600), "reopen", "verifying", "supervisor", note="complainant unsatisfied",
                      starts_clock=urgent)
            case.step(_minutes(rng, 60, 1440), "file", "filed", "inspector", starts_clock=not urgent)
            _work(rng, case, config, first=False)
    return _finish(case, channel, surveys)


def _work(rng: random.Random, case: _Case, config, first: bool) -> None:
    """Dispatch, dispose, check and close, with the usual detours."""
    right = case.category.department
    if first and rng.random() < 0.05:
        wrong = rng.choice([code for code in config.departments if code != right])
        case.step(_minutes(rng, 2, 30), "dispatch", "dispatched", "dispatcher", department=wrong)
        case.step(_minutes(rng, 30, 360), "return", "returned", "department", note="not ours")
    case.step(_minutes(rng, 2, 30), "dispatch", "dispatched", "dispatcher", department=right,
              data={"redispatch": True} if case.status == "returned" else None)
    dispatched = case.at
    if rng.random() < 0.8:
        case.step(_minutes(rng, 5, 120), "claim", "handling", "department")
    if rng.random() < 0.02:
        case.step(_minutes(rng, 60, 2880), "suspend", "suspended", "supervisor", note="awaiting demolition")
        fate = rng.random()
        if fate < 0.55:
            case.step(timedelta(days=rng.uniform(5, 60)), "reactivate", "filed", "supervisor", starts_clock=True)
            case.step(_minutes(rng, 5, 60), "dispatch", "dispatched", "dispatcher", department=right)
            dispatched = case.at
        else:
            if fate < 0.7:
                case.step(timedelta(days=rng.uniform(10, 90)), "void", "voided", "supervisor", note="out_of_scope")
            return
    due = case.due or (dispatched + timedelta(days=1))
    span = max(due - dispatched, timedelta(minutes=20))
    outcome = rng.random()
    if outcome < 0.86:
        disposed = dispatched + span * rng.uniform(0.15, 0.97)
    elif outcome < 0.95:
        disposed = due + _minutes(rng, 30, 96 * 60)
    elif outcome < 0.99:
        disposed = due + timedelta(days=rng.uniform(4, 20))
    else:
        return   # never disposed
    case.record(disposed, "dispose", "disposed", "department", note="done")
    if rng.random() < 0.05:
        case.step(_minutes(rng, 60, 1200), "rework", "dispatched", "inspector", department=case.department,
                  note="check failed")
        case.step(_minutes(rng, 120, 1800), "dispose", "disposed", "department", note="done again")
    check = rng.random()
    if check < 0.93:
        case.step(_minutes(rng, 20, 20 * 60), "close", "closed", "inspector")
    elif check < 0.98:
        case.step(_minutes(rng, 24 * 60, 96 * 60), "close", "closed", "inspector")


def _finish(case: _Case, channel: str, surveys: list):
    now = _state["now"]
    events = [event for event in case.events if event[1] < now.replace(tzinfo=None)]
    surveys = [survey for survey in surveys if survey[1] < now.replace(tzinfo=None)]
    last = events[-1]
    department = next((e[5] for e in reversed(events) if e[5]), case.category.department)
    dues = [json.loads(e[9]).get("due_at") for e in events if e[9] and "due_at" in e[9]]
    due = datetime.fromisoformat(dues[-1]).astimezone(UTC).replace(tzinfo=None) if dues else None
    line = case.category.lines[0]
    row = (case.id, f"B{case.id:09d}", line, channel, case.category.code, department, "bench case",
           case.category.priority, last[7], due and case.clock.replace(tzinfo=None), due, False, False,
           case.created.replace(tzinfo=None), last[1])
    return row, events, surveys


# --- measuring ------------------------------------------------------------------------------------

def _measure(url: str, options: argparse.Namespace) -> None:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from cases.models import Case, CaseEvent
    from database import make_engine
    from reports import sql
    from reports.models import MonthFigures
    from reports.services import assessment, trend
    from reports.settings import AssessmentSettings
    from routing.periods import month

    settings = AssessmentSettings()
    label = options.month
    period = month(label)
    now = period.end + timedelta(days=5)

    def timed(work, engine=None):
        own = engine is None
        engine = engine or make_engine(url)
        try:
            with Session(engine) as session:
                started = time.perf_counter()
                result = work(session)
                elapsed = time.perf_counter() - started
                session.commit()
            return elapsed, result
        finally:
            if own:
                engine.dispose()

    def department_report(session, workers=settings.database_workers):
        """The month's report for all departments: every indicator per department over all
        channels, for the hotline's cases and for the other channels', and the ranking."""
        chosen = AssessmentSettings(database_workers=workers)
        result = assessment(session, chosen, label)
        for view in ("departments", "hotline", "others"):
            result.reports[view]
        result.ranking()
        return result

    engine = make_engine(url)
    with Session(engine) as session:
        cases = session.scalar(select(func.count(Case.id)))
        events = session.scalar(select(func.count(CaseEvent.id)))
        session.query(MonthFigures).delete()
        session.commit()
    engine.dispose()
    print(f"\ndatabase: {cases:,} cases, {events:,} events; report for {label}; "
          f"{settings.database_workers} database workers")

    for workers in (settings.database_workers, 1):
        def report(session, workers=workers):
            return department_report(session, workers)
        cold, result = timed(report)   # on a new connection: nothing warm in the app
        engine = make_engine(url)
        warm = [timed(report, engine)[0] for _ in range(options.runs)]
        engine.dispose()
        _print_times(f"department report, {workers} worker{'s' if workers > 1 else ''}", cold, warm)
    departments = result.reports["departments"]
    total = departments.all
    print(f"  the month: {len(total.cases['reported']):,} reported, {len(total.cases['due_for_disposal']):,} due "
          f"for disposal, {len(total.cases['dispatched']):,} dispatched, {len(departments.rows)} department rows; "
          f"disposal {total.figures['disposal_rate'].percent}, "
          f"on time {total.figures['on_time_disposal_rate'].percent}, "
          f"closing {total.figures['closing_rate'].percent}, hotline disposal "
          f"{result.reports['hotline'].all.figures['disposal_rate'].percent}")

    engine = make_engine(url)

    def every_report(session):
        result = assessment(session, settings, label)
        return [result.reports[view] for view in result.reports]
    every = [timed(every_report, engine)[0] for _ in range(options.runs)]
    engine.dispose()
    _print_times("all six reports (also by channel, line and category)", None, every)

    first, _ = timed(lambda s: trend(s, settings, label, now, budget=float("inf")))
    engine = make_engine(url)
    kept = [timed(lambda s: trend(s, settings, label, now), engine)[0] for _ in range(options.runs)]
    engine.dispose()
    _print_times(f"{settings.trend_months}-month trend: counted once (first), then kept", first, kept)

    page, drill = _page(url, label, now, options.runs)
    _print_times("report page, signed in, rendered (server time, trend kept)", page[0], page[1:])
    _print_times("drill-down page opened from the report page (DRAIN, disposal rate, all cases)", drill[0],
                 drill[1:])

    if options.explain:
        from sqlalchemy import text
        with Session(make_engine(url)) as session:
            statement, params = sql.statement_for(session, sql.Dialect.of(session), [period], settings.rules)
            plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + statement + " SELECT count(*) FROM mark"),
                                   params).scalars().all()
            print("\n".join(plan))


def _page(url: str, label: str, now: datetime, runs: int) -> tuple[list[float], list[float]]:
    """The console's report page and a drill-down, through the app, as a supervisor."""
    import re

    from accounts.services import create_user
    from app import create_app
    from database import db
    from reports.views import bp

    app = create_app({"database_url": url, "env": "testing", "clock": lambda: now})
    if "reports" not in app.blueprints:
        app.register_blueprint(bp)
    from accounts.services import AccountError
    with db.session_scope(app) as session:
        try:
            create_user(session, "bench-supervisor", "bench password 1", "supervisor",
                        hash_method="pbkdf2:sha256:1000")
        except AccountError:
            pass   # made by an earlier run on this database
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").get_data(as_text=True))
    client.post("/console/login", data={"username": "bench-supervisor", "password": "bench password 1",
                                        "csrf_token": token.group(1)})

    def get(path: str) -> float:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    page = []
    for _ in range(runs + 1):
        services(app).assessments_kept.clear()   # each view counts the month afresh
        page.append(get(f"/console/reports/{label}"))
    # Opened from the page: the month's assessment is still kept by the process.
    drill = [get(f"/console/reports/{label}/cases?view=departments&key=DRAIN&indicator=disposal_rate"
                 "&part=denominator") for _ in range(runs + 1)]
    db.engine(app).dispose()
    return page, drill


def _print_times(what: str, cold: float | None, warm: list[float]) -> None:
    figures = f"warm p50 {statistics.median(warm):.3f} s, max {max(warm):.3f} s ({len(warm)} runs)"
    # The machine may be shared: say how busy it was (1-minute load average, against its cores).
    busy = f"  [load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores]"
    print(f"{what}: " + (f"cold {cold:.3f} s, " if cold is not None else "") + figures + busy)


if __name__ == "__main__":
    sys.exit(main())
