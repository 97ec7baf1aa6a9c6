"""JSON responses of the API: UTF-8 as it is (Chinese stays readable in a
terminal), keys in the order the representations give them."""
from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_response(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, headers=headers, mimetype="application/json")
