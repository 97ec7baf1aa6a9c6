"""The leader lock: one holder at a time, and a holder that loses it knows."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from scheduler.leader import FileLeaderLock, PostgresLeaderLock, lock_for
from tests.conftest import BACKEND


def test_a_file_lock_has_one_holder_and_is_free_once_released(tmp_path):
    first, second = FileLeaderLock(tmp_path / "db.lock"), FileLeaderLock(tmp_path / "db.lock")
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire() and not second.still_held()
    first.release()
    assert second.try_acquire()
    second.release()


def test_sqlite_locks_a_file_next_to_the_database(tmp_path):
    lock = lock_for(f"sqlite:///{tmp_path}/hotline.sqlite3", None, tmp_path / "instance")
    assert isinstance(lock, FileLeaderLock) and lock.path == tmp_path / "hotline.sqlite3.scheduler.lock"
    chosen = lock_for(f"sqlite:///{tmp_path}/hotline.sqlite3", tmp_path / "elsewhere.lock", tmp_path)
    assert chosen.path == tmp_path / "elsewhere.lock"


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL advisory lock (HOTLINE_TEST_DATABASE=postgresql)")
def test_a_postgresql_advisory_lock_has_one_holder_and_a_killed_session_frees_it(migrated):
    first, second = PostgresLeaderLock(migrated), PostgresLeaderLock(migrated)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire()
        # The leader's session dies (its machine vanished, an admin killed it).
        admin = create_engine(migrated, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            killed = connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'hotline-scheduler' AND pid IN "
                "(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)")).scalars().all()
        admin.dispose()
        assert killed == [True]
        assert not first.still_held()           # it knows, and stops its jobs
        assert second.try_acquire() and second.still_held()
    finally:
        first.release()
        second.release()
