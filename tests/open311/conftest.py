"""Open311 fixtures: the blueprint on the app, an API key, a client that
speaks both formats, and the spec's JSON Schemas.

The schemas are read from ../shared/open311/ (or HOTLINE_TEST_OPEN311_SCHEMAS)
and never copied into the repository; without them the schema checks skip
and say why.
"""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from wiring import services

SCHEMA_DIR = Path(os.environ.get("HOTLINE_TEST_OPEN311_SCHEMAS",
                                 Path(__file__).resolve().parents[3] / "shared" / "open311"))
PREFIX = "/open311/v2"
# XML elements that hold a list: the Spark convention's arrays in our documents.
XML_ARRAYS = {"services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"}


@pytest.fixture
def app(app):
    """The app, with the Open311 blueprint until the factory registers it.
    Its POSTs carry an api_key, not a browser's session: no CSRF token."""
    if "open311" not in app.blueprints:
        from open311.views import bp
        app.register_blueprint(bp)
        if "csrf_protect" in app.extensions:
            app.extensions["csrf_protect"].exempt(bp)
    return app


@pytest.fixture
def api_key(app) -> str:
    from accounts.services import create_api_key
    from database import db
    with db.session_scope(app) as session:
        _, plain = create_api_key(session, "city app")
    return plain


@dataclass
class Answer:
    status: int
    content_type: str
    data: Any          # JSON as parsed; XML as the root element

    @property
    def error_codes(self) -> list[int]:
        return [error["code"] for error in self.data]

    @property
    def descriptions(self) -> str:
        return " | ".join(error["description"] for error in self.data)


class Open311:
    """Calls the endpoints through the test client, as a 311 app would."""

    def __init__(self, client, api_key: str) -> None:
        self.client, self.api_key = client, api_key

    def get(self, path: str, fmt: str = "json", **params) -> Answer:
        return self._answer(self.client.get(f"{PREFIX}/{path}.{fmt}", query_string=params), fmt)

    def post(self, fmt: str = "json", *, api_key: str | None = "default", **params) -> Answer:
        form = dict(params)
        if api_key is not None:
            form["api_key"] = self.api_key if api_key == "default" else api_key
        return self._answer(self.client.post(f"{PREFIX}/requests.{fmt}", data=form), fmt)

    def report(self, **params) -> str:
        """POST a valid report and return its service_request_id; a parameter
        given as None is left out."""
        form = {"service_code": "C0118", "address_string": "海陵区凤凰路88号", "description": "路灯不亮",
                "phone": "13912345678", **params}
        answer = self.post(**{name: value for name, value in form.items() if value is not None})
        assert answer.status == 200, answer.data
        return answer.data[0]["service_request_id"]

    @staticmethod
    def _answer(response, fmt: str) -> Answer:
        if fmt == "xml":
            assert response.content_type == "text/xml; charset=utf-8"
            assert response.data.startswith(b"<?xml"), "the XML declaration comes first"
            data = ET.fromstring(response.data)
        else:
            assert response.content_type == "application/json; charset=utf-8"
            data = json.loads(response.data)
        return Answer(response.status_code, response.content_type, data)


@pytest.fixture
def open311(client, api_key) -> Open311:
    return Open311(client, api_key)


@pytest.fixture
def case_count(app):
    """How many cases there are now, read in a session of its own."""
    from cases.models import Case
    from database import db

    def count() -> int:
        with db.session_scope(app) as session:
            return session.scalar(select(func.count()).select_from(Case))
    return count


def step(app, clock, number: str, action: str, role: str, **details) -> None:
    """Move case ``number`` one step through the workflow, as staff would."""
    from cases.lifecycle import Transition
    from cases.workflow import transition
    from database import db
    with db.session_scope(app) as session:
        transition(session, services(app).config, number,
                   Transition(action, f"{role}1", role, clock(), **details))


def xml_as_json(element: ET.Element) -> Any:
    """An XML document read back into JSON's shape, every value as text."""
    if element.tag in XML_ARRAYS:
        return [xml_as_json(child) for child in element]
    if len(element):
        return {child.tag: xml_as_json(child) for child in element}
    return element.text


def as_text(value: Any) -> Any:
    """JSON's values as XML carries them: text, with null as no text."""
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None or value == "" else str(value)


class Schemas:
    def __init__(self, folder: Path) -> None:
        from jsonschema import Draft202012Validator, FormatChecker
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        resources = [(path.resolve().as_uri(), Resource.from_contents(json.loads(path.read_text()),
                                                                   default_specification=DRAFT202012))
                     for path in sorted(folder.glob("*.json"))]
        self.folder = folder.resolve()
        self._registry = Registry().with_resources(resources)
        self._validator, self._format_checker = Draft202012Validator, FormatChecker()

    def validate(self, name: str, instance: Any) -> None:
        """Validate against ``name`` (e.g. requests.json); $refs resolve in its folder."""
        schema = {"$ref": (self.folder / name).as_uri()}
        validator = self._validator(schema, registry=self._registry, format_checker=self._format_checker)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    needed = ("request.json", "requests.json", "service.json", "services.json")
    missing = [name for name in needed if not (SCHEMA_DIR / name).is_file()]
    if missing:
        pytest.skip(f"Open311 JSON Schemas not found in {SCHEMA_DIR} ({', '.join(missing)} missing); "
                    "set HOTLINE_TEST_OPEN311_SCHEMAS to the folder holding the spec's schemas")
    return Schemas(SCHEMA_DIR)
