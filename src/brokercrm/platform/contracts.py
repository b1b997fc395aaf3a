"""The frozen dataclasses platform's facade hands to other apps."""
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CustomField:
    """One custom field definition of customers, prospects or staff (read-only)."""

    key: str
    label: str
    field_type: str
    choices: tuple[str, ...]
    required: bool
    default: Any
    help_text: str
    active: bool


@dataclass(frozen=True)
class ApplicationRef:
    """An application (process instance) as other apps show it."""

    id: int
    key: str
    business_key: str
    summary: str
    status: str
