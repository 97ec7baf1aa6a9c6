"""Serving the app under test: throwaway databases, `flask init`, and a
gunicorn on a free loopback port that is always stopped afterwards."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"                      # loopback only, never another address
ACCOUNT_SID = "AC" + "b" * 32           # throwaway values: nothing here reaches Twilio
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
PG_PORT = 5432
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class WorkerConfig:
    worker_class: str
    workers: int
    threads: int
    keep_alive: int = 5

    def args(self) -> list[str]:
        args = ["--worker-class", self.worker_class, "--workers", str(self.workers),
                "--keep-alive", str(self.keep_alive)]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args

    def __str__(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.worker_class}, {self.workers} workers{threads}, keep-alive {self.keep_alive} s"


def machine_busy_seconds() -> float:
    """CPU seconds all processes on this machine have used (PostgreSQL too)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def app_environment(port: int, instance_dir: Path, database_url: str) -> dict[str, str]:
    """The process environment for `flask init` and gunicorn: ours, not the shell's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_"))}
    env.update(
        HOTLINE_ENV="development", HOTLINE_PUBLIC_URL=f"http://{HOST}:{port}",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        HOTLINE_SECRET_KEY="bench-secret-key-not-for-use", HOTLINE_INSTANCE_DIR=str(instance_dir),
        HOTLINE_DATABASE_URL=database_url, PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def flask_init(env: dict[str, str], log: Path, code: Path = REPO) -> None:
    """``flask init`` of the code in ``code`` (another checkout, to compare)."""
    with log.open("ab") as out:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init"], check=False, cwd=code, env=env,
                              stdout=out, stderr=subprocess.STDOUT, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"flask --app app init failed ({done.returncode}); see {log}")


# --- databases -------------------------------------------------------------------

def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'hotline.sqlite3'}"


def postgres_admin() -> tuple[str | None, str]:
    """A user that the server on 127.0.0.1:5432 lets in (trust auth), or None and why not."""
    import psycopg

    reasons = []
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(host=HOST, port=PG_PORT, user=user, dbname="test", connect_timeout=3):
                return user, ""
        except psycopg.Error as exc:
            reasons.append(f"{user}: {str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}")
    return None, "; ".join(reasons)


@contextmanager
def postgres_database(user: str) -> Iterator[str]:
    """A throwaway database, dropped afterwards whatever happens."""
    import psycopg

    name = f"hotline_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host=HOST, port=PG_PORT, user=user, dbname="test", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@{HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(host=HOST, port=PG_PORT, user=user, dbname="test", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def probe_each_database(name: str, backends: str, probe: Callable[[str, str, Path], bool]) -> int:
    """Run ``probe(backend, database_url, work_directory)`` on each of ``backends``
    ("sqlite", "postgresql" or both, comma-separated), each on a throwaway
    database; PostgreSQL is skipped, saying why, when no server lets us in.
    The exit status: 0 when every probe held, else 1."""
    ok = True
    for backend in backends.split(","):
        with tempfile.TemporaryDirectory(prefix=f"hotline-{name}-{backend}-") as directory:
            work = Path(directory)
            if backend == "sqlite":
                ok &= probe(backend, sqlite_url(work), work)
                continue
            user, why = postgres_admin()
            if user is None:
                print(f"\npostgresql: skipped, no server on {HOST}:{PG_PORT} ({why})")
                continue
            with postgres_database(user) as url:
                ok &= probe(backend, url, work)
    return 0 if ok else 1


def server_versions(pg_user: str | None) -> dict[str, str]:
    import sqlite3

    versions = {"SQLite": sqlite3.sqlite_version}
    if pg_user:
        import psycopg
        with psycopg.connect(host=HOST, port=PG_PORT, user=pg_user, dbname="test", connect_timeout=3) as c:
            versions["PostgreSQL"] = c.execute("show server_version").fetchone()[0]
    return versions


# --- gunicorn --------------------------------------------------------------------

@dataclass
class Gunicorn:
    """One gunicorn master and its workers, on 127.0.0.1:<port>."""

    target: str
    port: int
    env: dict[str, str]
    workers: WorkerConfig
    log: Path
    extra_args: list[str] = field(default_factory=list)
    code: Path = REPO                   # the checkout served (another one, to compare)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, boot_timeout: float = 60) -> None:
        command = [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{self.port}", "--chdir", str(self.code),
                   "--timeout", "30", "--graceful-timeout", "10", *self.workers.args(), *self.extra_args,
                   self.target]
        out = self.log.open("ab")
        self.process = subprocess.Popen(command, cwd=self.code, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        deadline = time.monotonic() + boot_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            if len(self.worker_pids()) >= self.workers.workers and self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not come up within {boot_timeout:.0f} s; see {self.log}")

    def _answers(self) -> bool:
        try:
            requests.get(self.base_url + "/", timeout=2)   # any answer (404) means a worker serves
            return True
        except requests.RequestException:
            return False

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its live workers so far."""
        total = 0.0
        for pid in [self.process.pid, *self.worker_pids()] if self.process else []:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return total

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log_findings(self) -> dict[str, int]:
        """What went wrong in the server's own words, counted."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        patterns = {
            "tracebacks": r"^Traceback \(most recent call last\)",
            "ERROR lines": r"\bERROR\b",
            "'database is locked'": r"database is locked",
            "worker timeouts": r"WORKER TIMEOUT",
            "deadlocks": r"deadlock detected",
            "apologies (voice webhook failed)": r"voice webhook .* failed",
        }
        return {name: len(re.findall(pattern, text, flags=re.MULTILINE)) for name, pattern in patterns.items()}
