"""Every endpoint but the OpenAPI document needs a bearer key, and a key's
role decides what it may do; a refused request changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.models import ApiKey
from database import db
from tests.api.conftest import Api

PROTECTED = [
    ("GET", "/me"), ("GET", "/cases"), ("GET", "/cases/{number}"), ("GET", "/cases/{number}/events"),
    ("POST", "/cases/{number}/transitions"), ("POST", "/cases/{number}/claim"),
    ("GET", "/departments/DRAIN/queue"), ("POST", "/departments/DRAIN/queue/claim"),
    ("GET", "/tasks"), ("POST", "/tasks/1/result"),
]


def _call(api: Api, method: str, path: str):
    if method == "GET":
        return api.get(path)
    return api.post(path, {"action": "file", "result": "confirmed"})


@pytest.mark.parametrize("method,path", PROTECTED)
def test_a_request_without_a_key_is_refused_with_a_json_401(anonymous, cases, method, path):
    number = cases.report(status="dispatched")
    before = cases.snapshot(number)
    answer = _call(anonymous, method, path.format(number=number))
    assert answer.status == 401
    assert answer.error["code"] == "unauthorized" and "Bearer" in answer.error["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert cases.snapshot(number) == before


@pytest.mark.parametrize("key", ["hk_not-a-key-at-all-0123456789", "not-even-the-prefix", "hk_"])
def test_an_unknown_key_is_refused_and_nothing_changes(client, cases, key):
    number = cases.report(status="filed")
    before = cases.snapshot(number)
    answer = Api(client, key).step(number, "dispatch")
    assert answer.status == 401 and answer.error["code"] == "unauthorized"
    assert "unknown" in answer.error["message"]
    assert cases.snapshot(number) == before


def test_a_header_that_is_not_bearer_is_refused(client, new_key):
    key = new_key("dispatcher")
    response = client.get("/api/v1/cases", headers={"Authorization": f"Basic {key}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "the Authorization header must be 'Bearer <key>'"


def test_an_inactive_key_is_refused(app, client, new_key):
    key = new_key("supervisor")
    with db.session_scope(app) as session:
        for row in session.scalars(select(ApiKey)):
            row.active = False
    assert Api(client, key).get("/cases").status == 401


def test_a_good_key_says_who_it_is_and_its_last_use_is_kept(app, client, new_key, clock):
    key = new_key("admin")
    answer = Api(client, key).get("/me")
    assert answer.status == 200
    assert answer.json == {"name": "admin", "role": "admin", "lifecycle_role": "supervisor", "department": None}
    with db.session_scope(app) as session:
        assert session.scalars(select(ApiKey)).one().last_used_at == clock()


def test_a_department_key_names_its_department(api_as):
    assert api_as("department", "DRAIN").get("/me").json["department"] == "DRAIN"


@pytest.mark.parametrize("role,method,path", [
    ("inspector", "GET", "/departments/DRAIN/queue"),
    ("department", "GET", "/tasks"),
    ("dispatcher", "POST", "/departments/DRAIN/queue/claim"),
    ("supervisor", "POST", "/cases/{number}/claim"),
    ("dispatcher", "POST", "/tasks/{task}/result"),
    ("supervisor", "POST", "/tasks/{task}/result"),
])
def test_a_role_that_may_not_use_an_endpoint_gets_403_and_nothing_changes(api_as, cases, role, method, path):
    number = cases.report(category="E0101", location="五一路口", status="verifying")   # a verify task
    api = api_as(role, "DRAIN" if role == "department" else None)
    task_id = api_as("inspector").get("/tasks").json["items"][0]["id"]
    before = cases.snapshot(number)
    answer = _call(api, method, path.format(number=number, task=task_id))
    assert answer.status == 403 and answer.error["code"] == "forbidden"
    assert role in answer.error["message"]
    assert cases.snapshot(number) == before


def test_the_openapi_document_needs_no_key(anonymous):
    answer = anonymous.get("/openapi.json")
    assert answer.status == 200 and answer.json["openapi"].startswith("3.1")
