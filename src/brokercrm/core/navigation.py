"""The shipped menu: each app registers its pages at start-up with the roles that may open them, grouped in sections
by URL namespace. The organisation turns it into data (org.menus_data): each role's menu is seeded from here, and the
roles here are the defaults of each role's page permissions (org.policy)."""
from dataclasses import dataclass

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


def entry(url_name: str) -> MenuEntry | None:
    """The registered page of that URL name, if any."""
    return next((e for e in _entries if e.url_name == url_name), None)


def entries() -> list[MenuEntry]:
    """Every registered page, in the shipped order."""
    return sorted(_entries, key=lambda e: e.order)


def revision() -> int:
    """Changes when a page is registered (menus built from the registry are kept until then)."""
    return len(_entries)


def section_of(url_name: str):
    """The title of the shipped section an entry belongs to (a lazy translation)."""
    return next((title for title, namespaces in SECTIONS if _namespace(url_name) in namespaces), SECTIONS[-1][0])


def section_order(title) -> int:
    return next((i for i, (t, _ns) in enumerate(SECTIONS) if str(t) == str(title)), len(SECTIONS))
