"""Permission sets an app above org keeps itself, shown and edited on the role page (e.g. which object types a role may
create, read, update, delete, export). org cannot import those apps, so each registers a section here: its rows for a
role and the service that saves them (which checks the actor's role and audits, as every service does)."""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class GrantRow:
    """One thing a role may be granted actions on, with the actions it has now."""

    key: str
    label: str
    granted: tuple[str, ...]


@dataclass(frozen=True)
class GrantSection:
    """A matrix on the role page: rows(role code) → GrantRow list; save(actor=, role=, grants={key: set of actions})."""

    code: str
    title: str
    actions: tuple[str, ...]
    rows: Callable[[str], list[GrantRow]]
    save: Callable[..., int]


_sections: dict[str, GrantSection] = {}


def register_role_grants(section: GrantSection) -> None:
    _sections[section.code] = section


def role_grant_sections() -> list[GrantSection]:
    return list(_sections.values())
