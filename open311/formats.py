"""Rendering GeoReport documents as JSON and as XML.

Both come from one plain structure, so the XML mirrors the JSON: a JSON
object is an element per field; a JSON array is an element holding one
child per item, named as the spec names it (``<services><service>``,
``<service_requests><request>``, ``<errors><error>``); null is an empty
element, true and false are words.  XML is built with ElementTree, never
from strings.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

from flask import Response

JSON = "json"
XML = "xml"
# The element of each item of an array, by the array's element.
ITEM_ELEMENTS = {
    "services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
    "formats": "format", "attributes": "attribute", "values": "value",
}

# Characters XML 1.0 cannot carry, even escaped; text from other channels may hold them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(fmt: str, root: str, document: Any, status: int = 200) -> Response:
    """``document`` (a dataclass, or a list of them) as ``fmt``; ``root`` is
    the XML root element's name."""
    data = plain(document)
    if fmt == XML:
        return Response(to_xml(root, data), status, content_type="text/xml; charset=utf-8")
    return Response(json.dumps(data, ensure_ascii=False), status, content_type="application/json; charset=utf-8")


def plain(value: Any) -> Any:
    """Dataclasses as dicts in field order, tuples as lists, times in W3C format."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _fill(ET.SubElement(element, name), item)
    elif isinstance(value, list):
        item_name = ITEM_ELEMENTS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
