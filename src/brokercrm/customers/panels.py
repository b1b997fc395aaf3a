"""Panels other apps add to the 360° page (segments, service history, tasks, products): a template and its context."""
from dataclasses import dataclass
from typing import Callable

from django.utils.translation import gettext_lazy as _

from brokercrm.customers.contracts import CustomerRef


@dataclass(frozen=True)
class Panel:
    key: str
    title: object
    template: str
    context: Callable  # (request, customer: CustomerRef) -> dict
    order: int = 100


_panels: dict[str, Panel] = {}
# The panels the 360° page reserves room for until their app registers them.
RESERVED = {"segments": _("Segments"), "service_history": _("Service history"), "tasks": _("Tasks"), "products": _("Suitable products")}


def register_panel(key: str, title, *, template: str, context: Callable, order: int = 100) -> None:
    """Show a panel on every customer's 360° page; `context(request=, customer=CustomerRef)` must read through scoped selectors."""
    _panels[key] = Panel(key, title, template, context, order)


def panel_keys() -> list[tuple[str, object, int]]:
    """Every panel of the 360° page (registered or reserved) as (key, title, shipped order), in the shipped order."""
    keys = [(key, title, 1000) for key, title in RESERVED.items() if key not in _panels]
    keys += [(p.key, p.title, p.order) for p in _panels.values()]
    return sorted(keys, key=lambda k: (k[2], str(k[0])))


def panels_built(*, request, customer: CustomerRef, keys: set[str]) -> dict[str, dict]:
    """The panels of those keys with their context; a reserved panel whose app is not installed shows as not available."""
    built = {}
    for key in keys:
        panel = _panels.get(key)
        if panel is not None:
            built[key] = {"key": key, "title": panel.title, "template": panel.template,
                          "context": panel.context(request=request, customer=customer)}
        elif key in RESERVED:
            built[key] = {"key": key, "title": RESERVED[key], "template": "", "context": {}}
    return built
