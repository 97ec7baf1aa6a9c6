"""The console's menu: each page registers what it offers to which roles."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from accounts.services import Principal


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    description: str
    roles: tuple[str, ...]


ITEMS: list[NavItem] = []


def offer(endpoint: str, label: str, description: str, *roles: str) -> None:
    """Called by each console page module at import."""
    if all(item.endpoint != endpoint for item in ITEMS):
        ITEMS.append(NavItem(endpoint, label, description, roles))


def items_for(principal: Principal | None) -> list[dict]:
    if principal is None:
        return []
    return [{"url": url_for(item.endpoint), "label": item.label, "description": item.description}
            for item in ITEMS if principal.role == "admin" or principal.role in item.roles]
