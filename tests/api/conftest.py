"""JSON API fixtures: the blueprint on the app, keys for each role, a client
that sends them, and small factories for cases in any status."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from accounts.services import create_api_key
from cases.lifecycle import Transition
from cases.models import Case
from cases.services import NewCase, find_case, open_case
from cases.workflow import transition
from database import db
from wiring import services

PREFIX = "/api/v1"


@pytest.fixture
def app(app):
    """The app, with the API blueprint until the factory registers it.
    Its POSTs carry a bearer key, not a browser's session: no CSRF token."""
    if "api" not in app.blueprints:
        from api.views import bp
        app.register_blueprint(bp)
        if "csrf_protect" in app.extensions:
            app.extensions["csrf_protect"].exempt(bp)
    return app


@dataclass
class Answer:
    status: int
    json: Any
    headers: Any

    @property
    def error(self) -> dict:
        assert self.json and "error" in self.json, f"expected a JSON error, got {self.status}: {self.json}"
        return self.json["error"]


class Api:
    """The API as one key sees it."""

    def __init__(self, client, key: str | None) -> None:
        self.client, self.key = client, key

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, **query) -> Answer:
        return self._answer(self.client.get(PREFIX + path, query_string=query, headers=self._headers()))

    def post(self, path: str, body: Any = None, **kwargs) -> Answer:
        if body is not None:
            kwargs["json"] = body
        return self._answer(self.client.post(PREFIX + path, headers=self._headers(), **kwargs))

    def step(self, number: str, action: str, **details) -> Answer:
        return self.post(f"/cases/{number}/transitions", {"action": action, **details})

    @staticmethod
    def _answer(response) -> Answer:
        assert response.status_code == 204 or response.mimetype == "application/json", \
            f"{response.status_code} {response.mimetype}: {response.data[:200]!r}"
        return Answer(response.status_code, response.get_json(silent=True), response.headers)


@pytest.fixture
def new_key(app) -> Callable[..., str]:
    def make(role: str, department: str | None = None, name: str | None = None) -> str:
        with db.session_scope(app) as session:
            _, plain = create_api_key(session, name or (f"{department.lower()}-desk" if department else role),
                                      role, department)
        return plain
    return make


@pytest.fixture
def api_as(client, new_key) -> Callable[..., Api]:
    """``api_as("dispatcher")``, ``api_as("department", "DRAIN")``: one key per call."""
    def make(role: str, department: str | None = None) -> Api:
        return Api(client, new_key(role, department))
    return make


@pytest.fixture
def anonymous(client) -> Api:
    return Api(client, None)


# --- cases in any status, built through the services ------------------------------

SUSPEND = {"reason": "该片区已列入拆迁计划", "review_date": date(2027, 1, 15)}
# How to reach each status from intake: (action, role, details), step by step.
ROUTES: dict[str, list[tuple[str, str, dict]]] = {
    "intake": [],
    "verifying": [("verify", "dispatcher", {})],
    "filed": [("file", "dispatcher", {})],
    "dispatched": [("file", "dispatcher", {}), ("dispatch", "dispatcher", {})],
    "handling": [("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("claim", "department", {})],
    "returned": [("file", "dispatcher", {}), ("dispatch", "dispatcher", {}),
                 ("return", "department", {"reason": "不属于本部门"})],
    "disposed": [("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("claim", "department", {}),
                 ("dispose", "department", {"note": "已疏通"})],
    "closed": [("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("claim", "department", {}),
               ("dispose", "department", {"note": "已疏通"}), ("close", "inspector", {})],
    "suspended": [("file", "dispatcher", {}), ("suspend", "supervisor", SUSPEND)],
    "voided": [("void", "supervisor", {"reason": "prank"})],
}


@dataclass
class Snapshot:
    """What a refused request must leave as it was."""

    status: str
    department: str | None
    events: list[tuple[str, str]]
    tasks: list[tuple[str, str]]
    complainants: int
    claimed_by: str | None
    status_reason: str | None
    review_date: date | None
    due_at: Any


@pytest.fixture
def cases(app, clock):
    class Cases:
        def report(self, *, category: str = "E0404", location: str = "海陵区鼓楼南路88号",
                   description: str = "下水道堵了", phone: str = "+8613812345678", status: str = "intake",
                   line: str = "urban", channel: str = "hotline") -> str:
            config = services(app).config
            with db.session_scope(app) as session:
                case = open_case(session, config, NewCase(
                    line_id=line, channel=channel, description=description, location=location,
                    category_code=category, caller_e164=phone, callback_number=phone), clock())
                number = case.number
            self.bring(number, status)
            return number

        def bring(self, number: str, status: str) -> None:
            config = services(app).config
            if self.snapshot(number).status == status:
                return      # e.g. a category verified before filing is verifying from intake
            for action, role, details in ROUTES[status]:
                with db.session_scope(app) as session:
                    transition(session, config, number, Transition(action, f"test:{role}", role, clock(),
                                                                   **details))

        def snapshot(self, number: str) -> Snapshot:
            with db.session_scope(app) as session:
                case: Case = find_case(session, number)
                return Snapshot(case.status, case.department_code,
                                [(e.action, e.to_status) for e in case.events],
                                [(t.kind, t.status) for t in case.tasks], len(case.complainants),
                                case.claimed_by, case.status_reason, case.review_date, case.due_at)

    return Cases()
