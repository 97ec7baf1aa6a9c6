"""Scheduler processes for tests (Twilio's REST API for them is
tests.support.twilio_http served on loopback)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from config.settings import PROJECT_ROOT, SHIPPED_CONFIG_DIR
from tests.support.caller import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL

# How long a test waits for a state before it gives up.  Tests end as soon as
# the state is reached; the bound only keeps a broken run from hanging, so it
# is generous: on a shared two-core machine a scheduler process can take a
# minute just to start.
PATIENCE = 300.0


def wait_until(condition: Callable[[], object], timeout: float = PATIENCE, what: str = "", every: float = 0.05):
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def config_dir_calling_all_day(target: Path) -> Path:
    """The shipped configuration, with calls allowed at any hour, so tests
    running on the real clock are not held to the calling hours."""
    shutil.copytree(SHIPPED_CONFIG_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (target / "callbacks.yaml").write_text(
        "callbacks:\n  hours: ['00:00-24:00']\n  max_attempts: 3\n  retry_delays: [30m]\n", encoding="utf-8")
    return target


def scheduler_environment(database_url: str, work: Path, twilio_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTLINE_")}
    env.update({
        "HOTLINE_ENV": "testing", "HOTLINE_DATABASE_URL": database_url, "HOTLINE_PUBLIC_URL": PUBLIC_URL,
        "HOTLINE_INSTANCE_DIR": str(work / "instance"), "HOTLINE_TWILIO_API_URL": twilio_url,
        "HOTLINE_CONFIG_DIR": str(config_dir_calling_all_day(work / "config")) if not (work / "config").exists()
        else str(work / "config"),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "HOTLINE_SECRET_KEY": "test",
        "HOTLINE_SCHEDULER_CALLBACKS_EVERY": "1s", "HOTLINE_SCHEDULER_STANDBY_POLL": "1s",
        "HOTLINE_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


class SchedulerUnderTest:
    """One ``flask --app app scheduler`` process, its output in a file."""

    def __init__(self, name: str, env: dict[str, str], work: Path, *args: str) -> None:
        self.name = name
        self.log_path = work / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.scheduler.run", "scheduler", *args], cwd=PROJECT_ROOT, env=env,
            stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def says(self, words: str) -> bool:
        return words in self.output()

    def wait_to_say(self, words: str, timeout: float = PATIENCE) -> None:
        try:
            wait_until(lambda: self.says(words) or self.process.poll() is not None, timeout, f"{self.name}: {words}")
        except AssertionError:
            raise AssertionError(f"{self.name} never said {words!r}:\n{self.output()}") from None
        assert self.says(words), f"{self.name} exited ({self.process.returncode}):\n{self.output()}"

    def leads(self, timeout: float = PATIENCE) -> None:
        self.wait_to_say(f"scheduler {self.pid} leads", timeout)

    @property
    def leading(self) -> bool:
        return self.says(f"scheduler {self.pid} leads")

    @property
    def standing_by(self) -> bool:
        return self.says(f"scheduler {self.pid} standing by")

    def kill(self) -> None:
        """SIGKILL: no handler runs, no lock is released by hand."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=PATIENCE)

    def stop(self, timeout: float = PATIENCE) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        self.kill()
        self._log.close()


def owe_calls(session, count: int, due_in: timedelta, spread: timedelta = timedelta(0),
              prefix: str = "+86138") -> list[str]:
    """``count`` queue callbacks to distinct numbers, due ``due_in`` from the
    real clock, spread evenly over ``spread``."""
    from callbacks.models import Callback

    now = datetime.now(timezone.utc)
    numbers = []
    for index in range(count):
        number = f"{prefix}{index:08d}"
        at = now + due_in + (spread * index / max(1, count - 1) if count > 1 else timedelta(0))
        session.add(Callback(purpose="queue", purpose_key=f"queue:test:{number}", phone_e164=number,
                             line_id="urban", status="pending", due_at=at, next_attempt_at=at, attempts=0,
                             created_at=now, updated_at=now))
        numbers.append(number)
    session.commit()
    return numbers
