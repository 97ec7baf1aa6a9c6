"""The leader lock: only one scheduler process runs jobs at a time.

APScheduler's job store must not be shared by two running schedulers, so
every scheduler process first takes this lock; the one that holds it leads,
the others stand by and try again every few seconds.

- PostgreSQL: a session-level ``pg_try_advisory_lock`` held on a dedicated
  connection for as long as the process leads.  When the process dies, its
  connection closes and the server releases the lock at once; TCP keepalives
  on that connection let the server notice a leader whose machine vanished.
- SQLite: an exclusive ``flock`` on a file next to the database (``filelock``);
  the kernel releases it when the process dies, however it dies.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import filelock
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# One fixed 64-bit key; advisory locks are per database, so two Hotline
# databases on one server never contend.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"hotline.scheduler.leader").digest()[:8], "big", signed=True)


class LeaderLock:
    def try_acquire(self) -> bool:
        """Take the lock if it is free; never blocks."""
        raise NotImplementedError

    def still_held(self) -> bool:
        """False once the lock may have been lost (its connection died)."""
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class PostgresLeaderLock(LeaderLock):
    def __init__(self, url: str, key: int = ADVISORY_KEY) -> None:
        self.key = key
        self._engine: Engine = create_engine(
            url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5,
                          "keepalives_interval": 2, "keepalives_count": 3,
                          "application_name": "hotline-scheduler"})
        self._connection: Connection | None = None
        self._held = False

    def try_acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
                # The server side notices a vanished leader within ~11 s.
                for setting in ("tcp_keepalives_idle = 5", "tcp_keepalives_interval = 2",
                                "tcp_keepalives_count = 3"):
                    self._connection.execute(text(f"SET {setting}"))
            self._held = bool(self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception:  # noqa: BLE001 - the database is unreachable: not the leader, try again later
            log.warning("could not reach PostgreSQL for the leader lock", exc_info=True)
            self._drop()
        return self._held

    def still_held(self) -> bool:
        if not self._held or self._connection is None:
            return False
        try:
            # While this session lives, its advisory lock lives; ask pg_locks
            # all the same, so an unlock by hand is noticed too.
            return bool(self._connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND granted AND ((classid::bigint << 32) | objid::bigint) = (:key & x'FFFFFFFFFFFFFFFF'::bigint)"),
                {"key": self.key}).scalar())
        except Exception:  # noqa: BLE001 - the connection died, and the lock with it
            log.warning("lost the connection holding the leader lock", exc_info=True)
            self._drop()
            return False

    def release(self) -> None:
        if self._connection is not None and self._held:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except Exception:  # noqa: BLE001 - closing the connection releases it anyway
                pass
        self._drop()

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {self.key} on {self._engine.url.render_as_string(hide_password=True)}"

    def _drop(self) -> None:
        self._held = False
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001
                pass
            self._connection = None


class FileLeaderLock(LeaderLock):
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not a singleton and not thread-local: one lock object per
        # scheduler, and a second scheduler in the same process is refused too.
        # No fallback to a "soft" lock: only a kernel lock dies with its process.
        self._lock = filelock.FileLock(str(path), timeout=0, thread_local=False, is_singleton=False,
                                       fallback_to_soft=False)

    def try_acquire(self) -> bool:
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            return False
        return True

    def still_held(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    def describe(self) -> str:
        return f"file lock {self.path}"


def lock_for(database_url: str, lock_file: Path | None, instance_dir: Path) -> LeaderLock:
    """The leader lock that suits the database."""
    if database_url.startswith("postgresql"):
        return PostgresLeaderLock(database_url)
    if lock_file is None:
        database = database_url.removeprefix("sqlite:///")
        if database_url.startswith("sqlite:///") and database and not database.startswith(":memory:"):
            lock_file = Path(database + ".scheduler.lock")
        else:
            lock_file = instance_dir / "scheduler.lock"
    return FileLeaderLock(lock_file)
