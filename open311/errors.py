"""Refusals, as the spec shapes them: an HTTP status and a list of
``{code, description}``.  The code in each error is the HTTP status."""
from __future__ import annotations

from typing import Iterable


class Open311Error(Exception):
    status = 400

    def __init__(self, descriptions: str | Iterable[str]) -> None:
        self.descriptions = (descriptions,) if isinstance(descriptions, str) else tuple(descriptions)
        super().__init__("; ".join(self.descriptions))


class InvalidRequest(Open311Error):
    """The parameters cannot be acted upon; every problem found is listed."""

    status = 400


class ApiKeyRefused(Open311Error):
    status = 403


class NotFound(Open311Error):
    status = 404
