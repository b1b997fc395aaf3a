"""What the platform needs to know of the organisation, handed over at start-up: platform imports no domain app.

The roles a process definition may name (with their labels), the named role sets the platform checks, and
the data scope of a user. The organisation app configures it in its AppConfig.ready(); the platform's menus
register once it is configured, whatever the order in which the apps start.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class Scope(Protocol):
    """The part of the company a user sees (org's DataScope has these)."""

    everything: bool
    branch_ids: frozenset[int]
    staff_ids: frozenset[int]


@dataclass(frozen=True)
class PlatformAccess:
    roles: Mapping[str, Any]
    """Role code → label (a lazy translation), the candidates a process definition may name."""
    admins: frozenset[str]
    """Who configures custom fields and process definitions."""
    workflow_users: frozenset[str]
    """Who sees the approval inbox and the applications."""
    escalation: tuple[str, ...]
    """Where an approval goes, in order, when no candidate other than the people concerned may decide it."""
    scope_for: Callable[[Any], Scope]


_access: PlatformAccess | None = None
_listeners: list[Callable[[], None]] = []


def configure(access: PlatformAccess) -> None:
    global _access
    _access = access
    for listener in _listeners:
        listener()


def when_configured(listener: Callable[[], None]) -> None:
    """Run listener once the roles are known (now, when they already are)."""
    _listeners.append(listener)
    if _access is not None:
        listener()


def access() -> PlatformAccess:
    if _access is None:
        raise ImproperlyConfigured("the organisation app hands the platform its roles at start-up (org.apps)")
    return _access


def role_label(code: str) -> str:
    return str(access().roles.get(code, code))
