"""Privacy probe: where can a complainant's whole phone number be read?

    .venv/bin/python bench/privacy.py                          on SQLite
    .venv/bin/python bench/privacy.py --database postgresql

Builds the service as bench/fuzz.py does and reports cases through every
channel with phone numbers written every way people write them: E.164,
national, grouped by spaces or dashes, full-width, Chinese digits (一三九…,
幺), a landline without its area code; in the description, the place, a
suspension reason.  Then it reads them back everywhere they are shown:

* Open311's public GET requests and requests/<id>, in JSON and XML;
* the JSON API's lists (cases, a department's queue, tasks, a case's history)
  with a key of every role, and single cases;
* the log, including the traceback of a database error whose statement
  carried a whole number.

A leak is a whole number (any of the planted ones, in any digits, with or
without separators) where it must not be: anywhere public, in any list, in
the log, or on a single case without an audit entry for it.  Prints the
number of places read and of leaks; exits 1 on any leak.  Figures:
docs/security.md.
"""
from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
import tempfile
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fuzz import build_app, postgres_admin_url  # noqa: E402
from wiring import services

# The numbers planted, and the ways they are written.
MOBILE, OTHER_MOBILE, LANDLINE = "13912345678", "13700001111", "88012319"
WRITINGS = [
    "+86" + MOBILE, MOBILE, "139 1234 5678", "139-1234-5678", "一三九一二三四五六七八", "幺三九一二三四五六七八",
    "１３９１２３４５６７８", "一三九 一二三四 五六七八",
]
AS_DIGITS = str.maketrans("〇零一二三四五六七八九幺０１２３４５６７８９", "001234567891" + "0123456789")
SEPARATOR = re.compile(r"(?<=[0-9])[ \-.](?=[0-9])")
ROLES = ("operator", "dispatcher", "supervisor", "admin", "department", "inspector")
SEES_WHOLE = ("operator", "dispatcher", "supervisor", "admin")


def whole_numbers_in(text: str) -> list[str]:
    plain = SEPARATOR.sub("", text.translate(AS_DIGITS))
    return [number for number in (MOBILE, OTHER_MOBILE, LANDLINE) if number in plain]


class Written(logging.Handler):
    """Everything logged, formatted as a log file would have it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def plant(app) -> tuple[list[str], str]:
    """Cases whose text holds the numbers, every way; their numbers, and the department of the first."""
    from accounts.services import create_api_key
    from cases.lifecycle import Transition
    from cases.services import NewCase, open_case
    from cases.workflow import transition
    from database import db

    config = services(app).config
    now = datetime.now(timezone.utc)
    category = next(c for c in config.categories.values() if not c.verify_first and c.priority != "urgent")
    numbers = []
    with db.session_scope(app) as session:
        for index, written in enumerate(WRITINGS):
            case = open_case(session, config, NewCase(
                line_id=category.lines[0] if category.lines else None, channel="hotline",
                description=f"下水道堵了，请回电{written}，或者{OTHER_MOBILE}，家里{LANDLINE}",
                location=f"海陵区鼓楼南路{index + 1}号，门卫{written}", category_code=category.code,
                caller_e164="+86" + MOBILE, callback_number="+86" + OTHER_MOBILE), now)
            numbers.append(case.number)
        keys = {}
        for role in ROLES:
            _, keys[role] = create_api_key(session, f"probe-{role}", role,
                                           category.department if role == "department" else None)
    # One suspended with a reason, one filed and dispatched (a department's queue), with tasks about.
    with db.session_scope(app) as session:
        transition(session, config, numbers[0], Transition("file", "probe", "dispatcher", now))
        transition(session, config, numbers[0], Transition("suspend", "probe", "supervisor", now,
                                                           reason=f"来电人{WRITINGS[4]}要求暂缓",
                                                           review_date=date(2099, 1, 1)))
        transition(session, config, numbers[1], Transition("file", "probe", "dispatcher", now))
        transition(session, config, numbers[1], Transition("dispatch", "probe", "dispatcher", now))
        transition(session, config, numbers[2], Transition("verify", "probe", "dispatcher", now))
    app.extensions["probe_keys"] = keys
    return numbers, category.department


def probe(app, numbers: list[str], department: str, written: Written) -> tuple[int, list[str]]:
    """Read every place; the count of places read, and the leaks found."""
    from sqlalchemy import func, select, text

    from accounts.models import AuditEntry
    from database import db

    keys = app.extensions["probe_keys"]
    client = app.test_client()
    places, leaks = 0, []

    def read(where: str, body: str, allowed: bool = False) -> None:
        nonlocal places
        places += 1
        found = whole_numbers_in(body)
        if found and not allowed:
            leaks.append(f"{where}: {', '.join(found)}")

    for fmt in ("json", "xml"):
        read(f"open311 requests.{fmt}", client.get(f"/open311/v2/requests.{fmt}").get_data(as_text=True))
        for number in numbers:
            read(f"open311 requests/{number}.{fmt}",
                 client.get(f"/open311/v2/requests/{number}.{fmt}").get_data(as_text=True))
    for role in ROLES:
        auth = {"Authorization": f"Bearer {keys[role]}"}
        lists = ["/api/v1/cases", "/api/v1/cases?per_page=100&q=下水道", f"/api/v1/departments/{department}/queue",
                 "/api/v1/tasks"]
        for path in lists:
            read(f"api {path} as {role}", client.get(path, headers=auth).get_data(as_text=True))
        for number in numbers:
            read(f"api events of {number} as {role}",
                 client.get(f"/api/v1/cases/{number}/events", headers=auth).get_data(as_text=True))
            with db.session_scope(app) as session:
                before = session.scalar(select(func.count()).select_from(AuditEntry))
            answer = client.get(f"/api/v1/cases/{number}", headers=auth)
            with db.session_scope(app) as session:
                after = session.scalar(select(func.count()).select_from(AuditEntry))
            # Whole numbers on a single case: for the roles that call back, and audited each time.
            read(f"api case {number} as {role}", answer.get_data(as_text=True),
                 allowed=role in SEES_WHOLE and after == before + 1)
    # A database error whose statement carried a whole number, logged with its traceback.
    with db.session_scope(app) as session:
        try:
            session.execute(text("SELECT * FROM no_such_table WHERE phone = :phone"), {"phone": "+86" + MOBILE})
        except Exception:  # noqa: BLE001 - the error is the point
            logging.getLogger("probe").exception("looking up %s failed", "+86" + OTHER_MOBILE)
    for index, line in enumerate(written.lines):
        read(f"log line {index}", line)
    return places, leaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    written = Written()
    logging.getLogger().addHandler(written)         # the service adds its masking filter to it
    workdir = Path(tempfile.mkdtemp(prefix="hotline-privacy-"))
    admin = name = None
    try:
        if options.database == "sqlite":
            url = f"sqlite:///{workdir / 'hotline.sqlite3'}"
        else:
            from sqlalchemy import create_engine, text
            admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
            name = f"hotline_privacy_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin.url.set(database=name).render_as_string(hide_password=False)
        app = build_app(url, workdir / "instance")
        logging.getLogger().setLevel(logging.INFO)
        numbers, department = plant(app)
        places, leaks = probe(app, numbers, department, written)
        from database import db
        db.engine(app).dispose()
    finally:
        if admin is not None:
            from sqlalchemy import text
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    for leak in leaks:
        print("leak:", leak)
    print(f"{options.database}: {len(WRITINGS)} cases with whole numbers written {len(WRITINGS)} ways; "
          f"{places} places read (Open311, API lists and cases for every role, the log); privacy leaks: {len(leaks)}")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
