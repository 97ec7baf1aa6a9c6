"""The served OpenAPI document is valid OpenAPI 3.1, documents every route
of the blueprint and nothing else, and describes what the API really
answers."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(anonymous) -> dict:
    answer = anonymous.get("/openapi.json")
    assert answer.status == 200
    return answer.json


def api_routes(app) -> dict[str, set[str]]:
    """Path (in OpenAPI's {name} form) -> methods, for every API rule."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods if m.lower() in METHODS)
    return routes


def test_the_document_is_valid_openapi_3_1(spec):
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator is a dev pin")
    validator.validate(spec)
    assert spec["openapi"] == "3.1.0"


def test_the_document_lists_every_route_of_the_blueprint_and_no_other(app, spec):
    documented = {path: {m for m in item if m in METHODS} for path, item in spec["paths"].items()}
    assert documented == api_routes(app)


def test_every_path_parameter_is_declared(spec):
    components = spec["components"]["parameters"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            declared = set()
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = components[parameter["$ref"].rsplit("/", 1)[-1]]
                if parameter["in"] == "path":
                    declared.add(parameter["name"])
            assert declared == set(re.findall(r"{(\w+)}", path)), f"{method.upper()} {path}"


def test_keys_roles_and_errors_are_documented_for_each_operation(app, spec):
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearer"][
            "description"]}
    assert spec["security"] == [{"bearer": []}]
    views = {rule.rule.replace("<", "{").replace(">", "}").replace("{int:", "{"): app.view_functions[rule.endpoint]
             for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            roles = getattr(views[path], "api_roles", None)
            responses = operation["responses"]
            assert "500" in responses, f"{method} {path}"
            if roles is None:
                assert operation.get("security") == [], f"{method} {path} needs no key: say so"
                continue
            assert "401" in responses, f"{method} {path} needs a key: document 401"
            if len(roles) < 6:
                assert "403" in responses, f"{method} {path} is limited to some roles: document 403"
            if method == "post" and "{number}" in path:
                assert "404" in responses and "409" in responses, f"{method} {path}"
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    assert response == {"$ref": response["$ref"]} and "responses/" in response["$ref"]
    for name, response in spec["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, name


def test_request_bodies_list_every_action_and_result(spec):
    from cases.inspections import RESULTS
    from cases.lifecycle import ACTIONS
    schemas = spec["components"]["schemas"]
    assert schemas["TransitionRequest"]["properties"]["action"]["enum"] == list(ACTIONS)
    results = set(schemas["TaskResultRequest"]["properties"]["result"]["enum"])
    assert results == {result for kind in RESULTS.values() for result in kind}
    from api.views import RESULT_FIELDS, TRANSITION_FIELDS
    assert set(schemas["TransitionRequest"]["properties"]) == set(TRANSITION_FIELDS)
    assert set(schemas["TaskResultRequest"]["properties"]) == set(RESULT_FIELDS)


def conforms(spec: dict, schema_name: str, instance) -> None:
    schema = {**spec, "$schema": "https://json-schema.org/draft/2020-12/schema",
              "$ref": f"#/components/schemas/{schema_name}"}
    errors = sorted(Draft202012Validator(schema).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_real_answers_match_the_documented_schemas(spec, api_as, cases, client):
    number = cases.report(category="E0404", location="海陵区鼓楼南路88号", status="suspended")
    cases.report(category="E0101", location="五一路口")               # a verify task
    supervisor = api_as("supervisor")
    conforms(spec, "CasePage", supervisor.get("/cases").json)
    conforms(spec, "CaseDetail", supervisor.get(f"/cases/{number}").json)
    conforms(spec, "EventList", supervisor.get(f"/cases/{number}/events").json)
    conforms(spec, "TaskPage", supervisor.get("/tasks").json)
    conforms(spec, "CasePage", supervisor.get("/departments/DRAIN/queue").json)
    conforms(spec, "Me", supervisor.get("/me").json)
    conforms(spec, "CaseDetail", supervisor.step(number, "reactivate").json)
    conforms(spec, "Error", supervisor.step(number, "teleport").json)
    conforms(spec, "Error", client.get("/api/v1/nothing").get_json())
    conforms(spec, "TransitionRequest", {"action": "suspend", "reason": "拆迁", "review_date": "2026-12-31"})
