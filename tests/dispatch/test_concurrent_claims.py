"""Many claimers, one queue: no case is claimed twice and none is left behind.

Separate processes, each with its own connection pool, claim from one
department's queue at once.  On PostgreSQL the claims use FOR UPDATE SKIP
LOCKED; on SQLite writers are serialised, and the result must be the same.
"""
from __future__ import annotations

import multiprocessing

from sqlalchemy import select

from cases.models import Case
from tests.support.factories import dispatched
from wiring import services

CASES = 40
CLAIMERS = 4


def _claim_until_empty(database_url: str, instance_dir: str, worker: int, results, start) -> None:
    from app import create_app
    from database import db
    from dispatch.services import claim_next

    app = create_app({"database_url": database_url, "instance_dir": instance_dir})
    config = services(app).config
    mine = []
    start.wait(timeout=60)          # everyone starts claiming at the same moment
    while True:
        with db.session_scope(app) as session:
            case = claim_next(session, config, "DRAIN", f"staff-{worker}", services(app).now())
            if case is None:
                break
            mine.append(case.number)
    results.put((worker, mine))


def test_concurrent_claimers_never_claim_one_case_twice(app, session, clock, migrated, tmp_path):
    config = services(app).config
    numbers = {dispatched(session, config, clock(), location=f"工农路{i}号").number for i in range(CASES)}
    session.commit()

    context = multiprocessing.get_context("spawn")
    results, start = context.Queue(), context.Barrier(CLAIMERS)
    workers = [context.Process(target=_claim_until_empty, args=(migrated, str(tmp_path), n, results, start))
               for n in range(CLAIMERS)]
    for process in workers:
        process.start()
    claimed = [results.get(timeout=120) for _ in workers]
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0

    all_claims = [number for _, mine in claimed for number in mine]
    assert len(all_claims) == len(set(all_claims)), "a case was claimed twice"
    assert set(all_claims) == numbers, "some cases were never claimed"
    session.expire_all()
    statuses = {c.status for c in session.scalars(select(Case))}
    assert statuses == {"handling"}
