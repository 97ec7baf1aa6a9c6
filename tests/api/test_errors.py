"""Errors under /api/v1 are JSON everywhere: unknown paths, wrong methods,
and failures inside a view, which also change nothing."""
from __future__ import annotations

import logging

import pytest

import api.services


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/cases/1/nothing", "/api/v1",
                                  "/api/v1/tasks/not-a-number/result"])
def test_an_unknown_path_under_the_api_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "not_found"
    assert "openapi.json" in response.get_json()["error"]["message"]


def test_a_wrong_method_is_a_json_405_that_says_which_are_allowed(client):
    response = client.delete("/api/v1/cases")
    assert response.status_code == 405 and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == "method_not_allowed" and "DELETE is not allowed" in error["message"]
    assert "GET" in response.headers["Allow"]
    post = client.post("/api/v1/tasks", json={})
    assert post.status_code == 405 and post.get_json()["error"]["code"] == "method_not_allowed"


def test_paths_outside_the_api_keep_their_own_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype != "application/json"


def test_a_failure_inside_a_view_is_a_json_500(api_as, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(api.services, "search_cases", broken)
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        answer = api_as("operator").get("/cases")
    assert answer.status == 500
    assert answer.error["code"] == "internal_error"
    assert "fire" not in answer.error["message"], "internals are logged, not shown"
    assert "the disk is on fire" in caplog.text


def test_a_failure_half_way_through_a_step_changes_nothing(api_as, cases, monkeypatch):
    number = cases.report(category="E0404", location="海陵区鼓楼南路88号", status="filed")
    before = cases.snapshot(number)
    real = api.services.apply_to

    def apply_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("connection lost after the event was written")

    monkeypatch.setattr(api.services, "apply_to", apply_then_fail)
    answer = api_as("dispatcher").step(number, "dispatch")
    assert answer.status == 500
    assert cases.snapshot(number) == before
