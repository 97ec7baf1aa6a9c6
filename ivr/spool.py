"""The spool: webhooks kept on disk while the database is unavailable.

When the database cannot take what Twilio just told us (a recording left
after an apology, a status callback), its parameters are appended as one
JSON line to ``instance/spool/<kind>.jsonl``; ``flask --app app spool
replay`` feeds them back once it can.  Only real outages are spooled: data
the database would refuse (a NUL byte, an over-long value) is refused before
it, never kept here.

The files hold phone numbers, so the directory is 0700 and every file 0600.
A line that cannot be replayed is moved to ``spool/quarantine/<kind>.jsonl``
with the reason, and the rest are replayed.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

KINDS = ("fallback_recorded", "recording", "status", "callback_status", "callback_recording",
         "operator_leg", "conference_event", "participant_leg", "operator_recording",
         "sms_incoming", "sms_status")


@dataclass(frozen=True)
class SpooledWebhook:
    kind: str
    form: dict[str, str]
    args: dict[str, str]


class BadLine(ValueError):
    """A spool line that is not a webhook we can replay."""


def spool_dir(instance_dir: Path) -> Path:
    return instance_dir / "spool"


def _private_dir(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    return directory


def _append(path: Path, lines: list[str]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(descriptor, 0o600)        # a file made before this rule keeps no wider mode
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.writelines(line if line.endswith("\n") else line + "\n" for line in lines)


def spool(instance_dir: Path, kind: str, form: dict[str, str], args: dict[str, str] | None = None) -> Path:
    """Keep one webhook's parameters (and its URL's query, e.g. ``attempt``)."""
    if kind not in KINDS:
        raise ValueError(f"no spool kind {kind!r}")
    path = _private_dir(spool_dir(instance_dir)) / f"{kind}.jsonl"
    record = {"form": form, "args": args or {}, "spooled_at": datetime.now(timezone.utc).isoformat()}
    _append(path, [json.dumps(record, ensure_ascii=False)])
    return path


def parse_line(kind: str, line: str) -> SpooledWebhook:
    """One line as written by ``spool`` (or, before args were kept, the bare form)."""
    try:
        record = json.loads(line)
    except ValueError as error:
        raise BadLine(f"not JSON: {error}") from None
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    form, args = (record.get("form"), record.get("args") or {}) if "form" in record else (record, {})
    if not isinstance(form, dict) or not isinstance(args, dict):
        raise BadLine("form and args must be JSON objects")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in (*form.items(), *args.items())):
        raise BadLine("every parameter must be a string")
    return SpooledWebhook(kind, form, args)


def take_files(instance_dir: Path) -> Iterator[tuple[str, Path]]:
    """Each spool file, renamed aside first so webhooks spooled meanwhile go
    to a fresh file, not into one being replayed."""
    directory = spool_dir(instance_dir)
    if not directory.exists():
        return
    for path in sorted(directory.glob("*.jsonl.replaying-*")):        # left by a replay that stopped
        yield path.name.split(".jsonl", 1)[0], path
    for path in sorted(directory.glob("*.jsonl")):
        taken = path.with_name(f"{path.name}.replaying-{os.getpid()}")
        path.rename(taken)
        yield path.stem, taken


def give_back(instance_dir: Path, kind: str, lines: list[str]) -> None:
    """Lines not replayed (the database went away again) go back to the spool."""
    if lines:
        _append(_private_dir(spool_dir(instance_dir)) / f"{kind}.jsonl", lines)


def quarantine(instance_dir: Path, kind: str, number: int, line: str, reason: str) -> Path:
    path = _private_dir(spool_dir(instance_dir) / "quarantine") / f"{kind}.jsonl"
    _append(path, [json.dumps({"line_number": number, "reason": reason, "line": line,
                               "quarantined_at": datetime.now(timezone.utc).isoformat()}, ensure_ascii=False)])
    return path
