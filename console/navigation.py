"""The console's menu: what each page offers to which roles.

Each page module declares its entry (a ``NavItem``); ``create_app`` puts
them on the app's ``Navigation`` in the order the menu shows them.  Nothing
is registered by importing a page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from accounts.services import Principal


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    description: str
    roles: tuple[str, ...]


@dataclass
class Navigation:
    """One app's console menu."""

    items: list[NavItem] = field(default_factory=list)

    def offer(self, item: NavItem) -> None:
        if all(known.endpoint != item.endpoint for known in self.items):
            self.items.append(item)

    def items_for(self, principal: Principal | None) -> list[dict]:
        if principal is None:
            return []
        return [{"url": url_for(item.endpoint), "label": item.label, "description": item.description}
                for item in self.items if principal.role == "admin" or principal.role in item.roles]
