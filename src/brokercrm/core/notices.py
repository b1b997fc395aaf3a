"""Notices the home page shows a user, offered by apps at start-up (core imports no app: they register here)."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Notice:
    text: str
    url: str = ""
    level: str = "warning"  # a Bootstrap alert colour


_providers: list[Callable[[object], list[Notice]]] = []


def register(provider: Callable[[object], list[Notice]]) -> None:
    """`provider(user)` returns the notices for that user (usually none)."""
    if provider not in _providers:
        _providers.append(provider)


def notices_for(user) -> list[Notice]:
    return [notice for provider in _providers for notice in provider(user)]
