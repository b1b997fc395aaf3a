"""Role checks for services, so a page, the API and the CLI share them.

Role sets are named in `org/roles.py`; a service states the set it needs with `require_role` or the
`role_required` decorator. `PermissionDenied` becomes a 403 page (Django) and a 403 JSON answer (config/api.py).
"""
import functools
from collections.abc import Callable, Collection
from typing import TypeVar

from django.core.exceptions import PermissionDenied

F = TypeVar("F", bound=Callable)


def has_role(actor, allowed: Collection[str]) -> bool:
    """Whether the actor may act: None is the system itself (CLI, scheduled jobs), which may."""
    if actor is None:
        return True
    return bool(getattr(actor, "is_superuser", False)) or getattr(actor, "role", None) in allowed


def require_role(actor, allowed: Collection[str]) -> None:
    if not has_role(actor, allowed):
        raise PermissionDenied


def role_required(allowed: Collection[str]) -> Callable[[F], F]:
    """Decorate a service that takes the acting user as the keyword argument `actor`."""
    def decorate(service: F) -> F:
        @functools.wraps(service)
        def checked(*args, **kwargs):
            require_role(kwargs.get("actor"), allowed)
            return service(*args, **kwargs)
        return checked  # type: ignore[return-value]
    return decorate
