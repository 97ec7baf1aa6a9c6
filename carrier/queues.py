"""Call queues: ``<Enqueue>`` puts callers in, ``<Dial><Queue>`` and the
Members REST resource take them out, first come first served."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from carrier.calls import MemberAvailable
from carrier.sids import QUEUE, new_sid

if TYPE_CHECKING:
    from carrier.calls import Call, Mailbox
    from carrier.clock import Clock

# Twilio's default limit on waiting callers, which the REST API can change.
DEFAULT_MAX_SIZE = 1000


@dataclass
class Member:
    call: Call
    enqueued_at: datetime


class CallQueue:
    def __init__(self, friendly_name: str, clock: Clock, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.sid = new_sid(QUEUE)
        self.friendly_name = friendly_name
        self.max_size = max_size
        self.clock = clock
        self.date_created = self.date_updated = clock.now()
        self._members: list[Member] = []
        self._watchers: list[Mailbox] = []
        self._waits: list[float] = []
        self._lock = threading.Lock()

    # --- membership --------------------------------------------------------------

    def join(self, call: Call) -> Member | None:
        with self._lock:
            if len(self._members) >= self.max_size:
                return None
            member = Member(call, self.clock.now())
            self._members.append(member)
            self.date_updated = member.enqueued_at
            watchers = list(self._watchers)
        for mailbox in watchers:
            mailbox.put(MemberAvailable(self.sid))
        return member

    def leave(self, member: Member) -> bool:
        with self._lock:
            if member not in self._members:
                return False
            self._members.remove(member)
            self._record_wait(member)
            return True

    def take(self, which: str = "Front") -> Member | None:
        """Remove and return the front member, or the member on call ``which``."""
        with self._lock:
            for member in self._members:
                if which in ("Front", member.call.sid):
                    self._members.remove(member)
                    self._record_wait(member)
                    return member
            return None

    def _record_wait(self, member: Member) -> None:
        self._waits.append(self.wait_time(member))
        self.date_updated = self.clock.now()

    # --- dequeuers waiting for a caller ---------------------------------------------

    def watch(self, mailbox: Mailbox) -> None:
        with self._lock:
            self._watchers.append(mailbox)

    def unwatch(self, mailbox: Mailbox) -> None:
        with self._lock:
            if mailbox in self._watchers:
                self._watchers.remove(mailbox)

    # --- facts -------------------------------------------------------------------

    @property
    def members(self) -> list[Member]:
        with self._lock:
            return list(self._members)

    @property
    def current_size(self) -> int:
        return len(self.members)

    def find(self, which: str) -> Member | None:
        members = self.members
        if which == "Front":
            return members[0] if members else None
        return next((m for m in members if m.call.sid == which), None)

    def position(self, member: Member) -> int:
        members = self.members
        return members.index(member) + 1 if member in members else 0

    def wait_time(self, member: Member) -> int:
        return int((self.clock.now() - member.enqueued_at).total_seconds())

    @property
    def average_wait_time(self) -> int:
        waits = self._waits or [self.wait_time(m) for m in self.members]
        return int(sum(waits) / len(waits)) if waits else 0

    def wait_params(self, member: Member) -> dict[str, str]:
        """What Twilio tells a waitUrl about the caller's place in the queue."""
        return {"QueueSid": self.sid, "QueuePosition": str(self.position(member)),
                "QueueTime": str(self.wait_time(member)), "AvgQueueTime": str(self.average_wait_time),
                "CurrentQueueSize": str(self.current_size), "MaxQueueSize": str(self.max_size)}


class QueueRegistry:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._queues: dict[str, CallQueue] = {}
        self._lock = threading.Lock()

    def create(self, friendly_name: str, max_size: int = DEFAULT_MAX_SIZE) -> CallQueue:
        with self._lock:
            queue = CallQueue(friendly_name, self.clock, max_size)
            self._queues[queue.sid] = queue
            return queue

    def get_or_create(self, friendly_name: str) -> CallQueue:
        with self._lock:
            existing = self._by_name(friendly_name)
            if existing:
                return existing
            queue = CallQueue(friendly_name, self.clock)
            self._queues[queue.sid] = queue
            return queue

    def named(self, friendly_name: str) -> CallQueue | None:
        with self._lock:
            return self._by_name(friendly_name)

    def _by_name(self, friendly_name: str) -> CallQueue | None:
        return next((q for q in self._queues.values() if q.friendly_name == friendly_name), None)

    def get(self, sid: str) -> CallQueue | None:
        with self._lock:
            return self._queues.get(sid)

    def all(self) -> list[CallQueue]:
        with self._lock:
            return list(self._queues.values())
