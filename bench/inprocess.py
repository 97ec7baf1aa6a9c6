"""The cost of one webhook in-process: the hotline against the bare Flask
endpoint, both driven through Flask's test client by one caller, with the
same calls as ``bench/intake.py`` (no HTTP server, no load generator
competing for the cores, no concurrency).

Beside them it measures the floor (``bench/floor.py``): the bare endpoint
plus a signature check and one row written and committed per webhook, the
least any signed, persisted webhook costs here.

Prints, per database, the mean and median time of each webhook, the ratio
bare/hotline (the aim: at least 0.5, the hotline at most twice the bare
endpoint), and the SQL statements and transactions each webhook sent.
Run by ``bench/intake.py`` (``--in-process-calls``); alone:

    .venv/bin/python bench/inprocess.py --calls 200 --backends sqlite,postgresql
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.callers import DESCRIPTION, URBAN, CallerNumbers  # noqa: E402
from bench.servers import (  # noqa: E402
    ACCOUNT_SID,
    AUTH_TOKEN,
    app_environment,
    flask_init,
    postgres_admin,
    postgres_database,
    sqlite_url,
)

KINDS = ("incoming", "step 1", "step 2", "step 3", "status")
PUBLIC = "http://127.0.0.1:5000"


@dataclass
class Figures:
    name: str
    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statements: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})
    transactions: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})
    locked: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def all_times(self) -> list[float]:
        return [t for values in self.times.values() for t in values]

    def all_cpu(self) -> list[float]:
        return [t for values in self.cpu.values() for t in values]


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class Counter:
    """SQL statements and transactions sent on an engine, and how long its
    write transactions were open: on SQLite, how long the database's one
    write lock was held (``BEGIN IMMEDIATE`` to commit; a read-only
    transaction takes no lock)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event
        self.statements = self.begins = 0
        self.locked_ms = 0.0
        self._opened: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _statement(self, *args, **kwargs) -> None:
        self.statements += 1

    def _begin(self, connection) -> None:
        from database import READ_ONLY
        self.begins += 1
        if not connection.get_execution_options().get(READ_ONLY):
            self._opened[id(connection)] = time.perf_counter()

    def _end(self, connection) -> None:
        opened = self._opened.pop(id(connection), None)
        if opened is not None:
            self.locked_ms += (time.perf_counter() - opened) * 1000


def one_call(client, sign, figures: Figures, counter: Counter | None, numbers: CallerNumbers,
             check: bool) -> None:
    import secrets
    import xml.etree.ElementTree as ET

    number, place = numbers.take()
    params = {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": ACCOUNT_SID, "From": number, "To": URBAN,
              "Caller": number, "Called": URBAN, "CallStatus": "in-progress", "Direction": "inbound",
              "ApiVersion": "2010-04-01", "FromCountry": "CN", "ToCountry": "CN"}
    answers = [{"SpeechResult": DESCRIPTION.format(number=place), "Confidence": "0.92"}, {"Digits": "1"}, {}]
    posts = [("incoming", "/voice/incoming", {**params, "CallStatus": "ringing"})]
    posts += [(f"step {n}", f"/voice/step?step={n}", {**params, **answer}) for n, answer in enumerate(answers, 1)]
    posts.append(("status", "/voice/status", {
        **params, "CallStatus": "completed", "SequenceNumber": "0", "CallDuration": "30",
        "Timestamp": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")}))
    for kind, path, form in posts:
        headers = {"X-Twilio-Signature": sign(PUBLIC + path, form)}
        before = (counter.statements, counter.begins, counter.locked_ms) if counter else (0, 0, 0.0)
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.post(path, data=form, headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
        cpu = (time.process_time() - began_cpu) * 1000
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{kind}: HTTP {response.status_code} {response.data[:200]!r}")
        if check and kind != "status":
            root = ET.fromstring(response.data)
            record = root.find("Record")
            if record is not None and "fallback" in record.get("action", ""):
                raise RuntimeError(f"{kind}: the apology (the webhook failed)")
        figures.times[kind].append(elapsed)
        figures.cpu[kind].append(cpu)
        if counter:
            figures.statements[kind].append(counter.statements - before[0])
            figures.transactions[kind].append(counter.begins - before[1])
            figures.locked[kind].append(counter.locked_ms - before[2])


def drive(client, sign, counter: Counter | None, name: str, prefix: str, calls: int, check: bool) -> Figures:
    """``calls`` calls after 20 of warm-up, each from a new number starting ``prefix``."""
    figures = Figures(name)
    numbers = CallerNumbers(prefix)
    for index in range(calls + 20):
        target = figures if index >= 20 else Figures("warm-up")
        one_call(client, sign, target, counter, numbers, check=check)
    return figures


def measure_bare(calls: int) -> Figures:
    from bench.bare import create_app
    return drive(create_app().test_client(), lambda url, params: "unsigned", None, "bare Flask <Gather>", "139",
                 calls, check=False)


def measure_floor(name: str, database_url: str, calls: int) -> Figures:
    """The floor (``bench/floor.py``): signed, one row written, fixed TwiML."""
    from twilio.request_validator import RequestValidator

    from bench.floor import create_app
    app = create_app(database_url, AUTH_TOKEN, PUBLIC)
    figures = drive(app.test_client(), RequestValidator(AUTH_TOKEN).compute_signature,
                    Counter(app.config["ENGINE"]), f"floor, {name}", "137", calls, check=False)
    app.config["ENGINE"].dispose()
    return figures


def measure_hotline(name: str, database_url: str, workdir: Path, calls: int) -> Figures:
    from twilio.request_validator import RequestValidator

    env = app_environment(5000, workdir / "instance", database_url)
    env["HOTLINE_PUBLIC_URL"] = PUBLIC
    flask_init(env, workdir / "init.log")
    with environment(env):
        from app import create_app
        from database import db
        app = create_app()
        figures = drive(app.test_client(), RequestValidator(AUTH_TOKEN).compute_signature,
                        Counter(db.engine(app)), f"hotline, {name}", "138", calls, check=True)
        db.engine(app).dispose()
    return figures


def report(bare: Figures, hotlines: list[Figures], floors: list[Figures] = ()) -> None:
    def cell(values: list[float]) -> str:
        return f"{statistics.mean(values):.2f}/{statistics.median(values):.2f}"

    print("\nin-process, one caller, mean/median ms per webhook:")
    print("| server | " + " | ".join(KINDS) + " | all |")
    print("|---" * (len(KINDS) + 2) + "|")
    for figures in [bare, *floors, *hotlines]:
        print(f"| {figures.name} | " + " | ".join(cell(figures.times[k]) for k in KINDS)
              + f" | {cell(figures.all_times())} |")
    print("\nthe same, CPU time of this process (the app, and SQLite, which runs in it; not PostgreSQL's"
          " server), mean/median ms: less disturbed than the times above on a busy machine")
    print("| server | " + " | ".join(KINDS) + " | all |")
    print("|---" * (len(KINDS) + 2) + "|")
    for figures in [bare, *floors, *hotlines]:
        print(f"| {figures.name} | " + " | ".join(cell(figures.cpu[k]) for k in KINDS)
              + f" | {cell(figures.all_cpu())} |")
    for figures in [*floors, *hotlines]:
        per = ", ".join(
            f"{k} {statistics.mean(figures.statements[k]):.1f}/{statistics.mean(figures.transactions[k]):.1f}"
            for k in KINDS)
        print(f"  {figures.name}: SQL statements/transactions per webhook: {per}")
    print("\nwrite transactions open, mean/median ms per webhook (on SQLite the database's one write lock is held"
          " that long; every other writer waits):")
    print("| server | " + " | ".join(KINDS) + " | all |")
    print("|---" * (len(KINDS) + 2) + "|")
    for figures in [*floors, *hotlines]:
        print(f"| {figures.name} | " + " | ".join(cell(figures.locked[k]) for k in KINDS)
              + f" | {cell([t for values in figures.locked.values() for t in values])} |")
    base = statistics.mean(bare.all_times())
    for figures in floors:
        mean = statistics.mean(figures.all_times())
        cpu_ratio = statistics.mean(bare.all_cpu()) / statistics.mean(figures.all_cpu())
        print(f"  {figures.name}: the floor's ratio {base / mean:.2f} (bare {base:.2f} ms / floor {mean:.2f} ms "
              f"per webhook), by CPU time {cpu_ratio:.2f}: no signed, persisted webhook does better here")
    for figures in hotlines:
        mean = statistics.mean(figures.all_times())
        ratio = base / mean
        cpu_ratio = statistics.mean(bare.all_cpu()) / statistics.mean(figures.all_cpu())
        print(f"  {figures.name}: in-process ratio {ratio:.2f} (bare {base:.2f} ms / hotline {mean:.2f} ms "
              f"per webhook), by this process's CPU time {cpu_ratio:.2f}; "
              f"aim >= 0.5 {'met' if ratio >= 0.5 else 'MISSED'}")


def run(calls: int, backends: list[str]) -> tuple[Figures, list[Figures], list[Figures]]:
    bare = measure_bare(calls * 3)
    hotlines, floors = [], []
    with tempfile.TemporaryDirectory(prefix="hotline-inprocess-") as tmp:
        for backend in backends:
            workdir = Path(tmp) / backend
            workdir.mkdir()
            if backend == "sqlite":
                floors.append(measure_floor("SQLite", f"sqlite:///{workdir / 'floor.sqlite3'}", calls * 3))
                hotlines.append(measure_hotline("SQLite", sqlite_url(workdir), workdir, calls))
                continue
            user, why = postgres_admin()
            if user is None:
                print(f"in-process, PostgreSQL: SKIPPED ({why})")
                continue
            with postgres_database(user) as url:
                floors.append(measure_floor("PostgreSQL", url, calls * 3))
            with postgres_database(user) as url:
                hotlines.append(measure_hotline("PostgreSQL", url, workdir, calls))
    return bare, hotlines, floors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    bare, hotlines, floors = run(args.calls, [b.strip() for b in args.backends.split(",") if b.strip()])
    report(bare, hotlines, floors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
