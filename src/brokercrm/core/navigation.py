"""Role-based menus: each app registers its entries at start-up; the base layout shows those the user's role may use."""
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class MenuEntry:
    label: str  # a lazy translation
    url_name: str
    roles: frozenset[str]
    order: int = 100
    group: str = ""


_entries: list[MenuEntry] = []


def register(label, url_name: str, *, roles: set[str], order: int = 100, group: str = "") -> None:
    if any(e.url_name == url_name for e in _entries):
        return
    _entries.append(MenuEntry(label=label, url_name=url_name, roles=frozenset(roles), order=order, group=group))


def menu_for(role: str) -> list[dict]:
    return [
        {"label": e.label, "url": reverse(e.url_name), "url_name": e.url_name}
        for e in sorted(_entries, key=lambda e: e.order)
        if role in e.roles
    ]
