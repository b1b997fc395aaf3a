"""Role-based menus: each app registers its entries at start-up; the layout shows those the user's role may use,
grouped in sections by the URL namespace of each entry."""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    label: object  # a lazy translation, or an object rendering one (e.g. with a count badge)
    url_name: str
    roles: frozenset[str]
    order: int = 100


# Sections of the menu, in order: (title, URL namespaces whose entries it holds).
SECTIONS = [
    (_("Customers"), {"customers"}),
    (_("Broker relationships"), {"relations", "workflow"}),
    (_("Customer analysis"), {"analytics"}),
    (_("Differentiated service"), {"servicing"}),
    (_("Research library"), {"research"}),
    (_("Evaluation and pay"), {"evaluation", "compensation"}),
    (_("Organisation"), {"org"}),
    (_("Business objects"), {"objects"}),
    (_("System"), {"datacenter", "platform", ""}),
]

_entries: list[MenuEntry] = []


def register(label, url_name: str, *, roles: set[str], order: int = 100) -> None:
    if any(e.url_name == url_name for e in _entries):
        return
    _entries.append(MenuEntry(label=label, url_name=url_name, roles=frozenset(roles), order=order))


def _namespace(url_name: str) -> str:
    namespace, _, name = url_name.rpartition(":")
    return namespace


def menu_for(role: str) -> list[dict]:
    """The sections the role sees, each with its entries in order; empty sections are left out."""
    visible = sorted((e for e in _entries if role in e.roles), key=lambda e: e.order)
    sections = []
    for title, namespaces in SECTIONS:
        items = [{"label": e.label, "url": reverse(e.url_name), "url_name": e.url_name}
                 for e in visible if e.url_name != "home" and _namespace(e.url_name) in namespaces]
        if items:
            sections.append({"title": title, "items": items})
    return sections
