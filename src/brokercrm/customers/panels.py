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


def panels_for(*, request, customer: CustomerRef) -> list[dict]:
    shown = []
    for key, title in RESERVED.items():
        if key not in _panels:
            shown.append({"key": key, "title": title, "template": "", "context": {}, "order": 1000})
    for panel in _panels.values():
        shown.append({"key": panel.key, "title": panel.title, "template": panel.template,
                      "context": panel.context(request=request, customer=customer), "order": panel.order})
    return sorted(shown, key=lambda p: (p["order"], str(p["key"])))
