"""Simulated callers: each places one complete intake call, signed like
Twilio, following the TwiML it gets back, and times every webhook.

The story is story 1 of the Taizhou report (README, "Your first minutes"): describe the missing
water covers, confirm the category, give the place, accept the callback
number, hear the case number; then Twilio's final status callback.
"""
from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import aiohttp
from twilio.request_validator import RequestValidator

from bench.servers import ACCOUNT_SID

URBAN = "+8652388012319"
# Story 1 in one breath, with a house number of its own for each call: the
# same category at the same place would be a repeat report and join the
# first case (cases/repeats.py), and the benchmark wants a new case from
# every call.
DESCRIPTION = "海陵区西仓路{number}号银春旅馆门前有两个上水井盖丢失"
REQUEST_TIMEOUT = 15          # Twilio waits 15 s for a webhook, then gives up
CASE_NUMBER = re.compile(r"^\d{10}$")


class CallFailed(Exception):
    """One call went wrong; the message names the step and what was wrong."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass
class Tally:
    """What one phase of a run measured."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {
        "incoming": [], "step 1": [], "step 2": [], "step 3": [], "step 4": [], "status": []})
    calls_started: int = 0
    calls_completed: int = 0
    steps_answered: int = 0              # /voice/incoming and /voice/step that answered 200 text/xml
    status_answered: int = 0
    failures: Counter = field(default_factory=Counter)
    failure_examples: list[str] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    machine_cpu: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    def fail(self, error: CallFailed) -> None:
        self.failures[error.kind] += 1
        if len(self.failure_examples) < 5:
            self.failure_examples.append(str(error))


class Caller:
    """Places calls against one server: the hotline (checks the flow) or the bare endpoint."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str, *, check_flow: bool,
                 tally: Tally, think: float = 0.0) -> None:
        self.http, self.base_url, self.check_flow = http, base_url, check_flow
        self.validator = RequestValidator(token)
        self.tally, self.think = tally, think

    async def call(self, from_number: str, place: int) -> None:
        self.tally.calls_started += 1
        sid = "CA" + secrets.token_hex(16)
        params = {
            "CallSid": sid, "AccountSid": ACCOUNT_SID, "From": from_number, "To": URBAN,
            "Caller": from_number, "Called": URBAN, "CallStatus": "in-progress", "Direction": "inbound",
            "ApiVersion": "2010-04-01", "FromCountry": "CN", "ToCountry": "CN",
        }
        started = time.monotonic()
        try:
            await self._pause()                   # calls come in at random moments, not in step
            root = await self._webhook("incoming", "/voice/incoming", {**params, "CallStatus": "ringing"})
            # The words, one confirmation (the case number comes back), then
            # silence when asked whether to change the callback number.
            answers = [{"SpeechResult": DESCRIPTION.format(number=place), "Confidence": "0.92"}, {"Digits": "1"},
                       {}]
            case_number = None
            for step, answer in enumerate(answers, start=1):
                await self._pause()
                url = self._action(root, step)
                root = await self._webhook(f"step {step}", url, {**params, **answer})
                case_number = case_number or self._case_number(root, last=step == len(answers))
            self.require_case_number(case_number)
            await self._pause()
            await self._status(url=self.base_url + "/voice/status", params={
                **params, "CallStatus": "completed", "SequenceNumber": "0",
                "CallDuration": str(max(1, round(time.monotonic() - started))),
                "Timestamp": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            })
        except CallFailed as error:
            self.tally.fail(error)
            return
        if case_number:
            self.tally.case_numbers.append(case_number)
        self.tally.calls_completed += 1

    async def _pause(self) -> None:
        if self.think:
            # Jittered so callers do not march in step.
            await asyncio.sleep(self.think * random.uniform(0.5, 1.5))

    async def _post(self, kind: str, url: str, params: dict) -> tuple[int, str, bytes]:
        if not url.startswith("http"):
            url = self.base_url + url
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        began = time.perf_counter()
        try:
            async with self.http.post(url, data=params, headers=headers) as response:
                body = await response.read()
                status, mimetype = response.status, response.content_type
        except TimeoutError:
            raise CallFailed("timeout", f"{url} gave no answer within {REQUEST_TIMEOUT} s") from None
        except aiohttp.ClientError as exc:
            raise CallFailed("connection", f"{url}: {exc.__class__.__name__} {exc}") from None
        self.tally.latencies[kind].append((time.perf_counter() - began) * 1000)
        return status, mimetype, body

    async def _webhook(self, kind: str, url: str, params: dict) -> ET.Element:
        status, mimetype, body = await self._post(kind, url, params)
        if status != 200:
            raise CallFailed(f"HTTP {status}", f"{url}: {body[:200]!r}")
        if mimetype != "text/xml":
            raise CallFailed("not text/xml", f"{url} answered {mimetype}")
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            raise CallFailed("bad XML", f"{url}: {exc}") from None
        record = root.find("Record")
        if self.check_flow and record is not None and "fallback" in record.get("action", ""):
            raise CallFailed("apology", f"{url} answered with the apology and a recording (the webhook failed)")
        self.tally.steps_answered += 1
        return root

    async def _status(self, url: str, params: dict) -> None:
        status, _, body = await self._post("status", url, params)
        if status != 204:
            raise CallFailed(f"status callback HTTP {status}", f"{url}: {body[:200]!r}")
        self.tally.status_answered += 1

    def _action(self, root: ET.Element, step: int) -> str:
        """The URL Twilio would post the caller's answer to."""
        expected = f"{self.base_url}/voice/step?step={step}"
        gather = root.find("Gather")
        if gather is None or not gather.get("action"):
            raise CallFailed("unexpected TwiML", f"no <Gather action> before step {step}: {_verbs(root)}")
        if not self.check_flow:
            return expected           # the bare endpoint's Gather is fixed; keep the same URLs
        action = urljoin(self.base_url + "/", gather.get("action"))
        if action != expected:
            raise CallFailed("unexpected TwiML", f"step {step} asked to post to {action}, not {expected}")
        return action

    def _case_number(self, root: ET.Element, *, last: bool) -> str | None:
        """The case number read in this answer; by the last answer one must
        have been read, and the call must hang up."""
        if not self.check_flow:
            return None
        digits = [el.text or "" for el in root.iter("say-as") if el.get("interpret-as") == "digits"]
        number = digits[0] if digits and CASE_NUMBER.match(digits[0]) else None
        if last and root.find("Hangup") is None:
            raise CallFailed("unexpected TwiML", f"the last answer did not hang up: {_verbs(root)}")
        return number

    def require_case_number(self, case_number: str | None) -> None:
        if self.check_flow and not case_number:
            raise CallFailed("no case number", "no answer read a 10-digit case number")


def _verbs(root: ET.Element) -> str:
    return " ".join(child.tag for child in root)


class CallerNumbers:
    """Distinct valid Chinese mobile numbers, so no caller has an open case
    yet, each with a serial that gives its call a place of its own."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.next = prefix, 0

    def take(self) -> tuple[str, int]:
        self.next += 1
        return f"+86{self.prefix}{self.next:08d}", self.next


async def run_phase(base_url: str, token: str, *, calls: int | None, seconds: float | None, concurrency: int,
                    check_flow: bool, numbers: CallerNumbers, think: float = 0.0,
                    hard_limit: float = 600.0) -> Tally:
    """``concurrency`` callers place calls back to back until ``calls`` calls have
    been placed or ``seconds`` have passed; everything stops after ``hard_limit``."""
    tally = Tally()
    remaining = calls
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    began = time.monotonic()

    def another() -> bool:
        nonlocal remaining
        if seconds is not None and time.monotonic() - began >= seconds:
            return False
        if remaining is not None:
            if remaining <= 0:
                return False
            remaining -= 1
        return True

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        caller = Caller(http, base_url, token, check_flow=check_flow, tally=tally, think=think)

        async def line() -> None:
            while another():
                await caller.call(*numbers.take())

        workers = [asyncio.create_task(line()) for _ in range(concurrency)]
        done, pending = await asyncio.wait(workers, timeout=hard_limit)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=REQUEST_TIMEOUT)
            tally.failures["run stopped at the hard time limit"] += len(pending)
        for task in done:
            if task.exception() is not None:
                tally.failures[f"load generator error {type(task.exception()).__name__}"] += 1
    tally.seconds = time.monotonic() - began
    return tally
