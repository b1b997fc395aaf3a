"""What domain apps contribute to the engine at start-up: process kinds (with their shipped BPMN) and event handlers.

The engine knows no business: a kind says which data its instances carry and where its shipped definition
lies; a handler is an explicit function the engine calls when a definition's service task is reached.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class ProcessKind:
    key: str
    label: Any  # a lazy translation
    shipped: Path
    fields: frozenset[str]
    detail_template: str = ""


@dataclass
class HandlerContext:
    """What a handler gets: the instance, who completed the last step, and the process data it may add to."""

    instance: Any
    actor: Any
    data: dict
    step_name: str
    results: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Handler:
    name: str
    label: Any
    run: Callable[[HandlerContext], None]


_kinds: dict[str, ProcessKind] = {}
_handlers: dict[str, Handler] = {}


def register_process(key: str, *, label, shipped: Path, fields: set[str], detail_template: str = "") -> None:
    _kinds[key] = ProcessKind(key, label, Path(shipped), frozenset(fields), detail_template)


def register_handler(name: str, run: Callable[[HandlerContext], None], *, label) -> None:
    _handlers[name] = Handler(name, label, run)


def kind(key: str) -> ProcessKind | None:
    return _kinds.get(key)


def kinds() -> list[ProcessKind]:
    return list(_kinds.values())


def handler(name: str) -> Handler | None:
    return _handlers.get(name)


def handler_names() -> set[str]:
    return set(_handlers)


def fields_for(key: str) -> frozenset[str] | None:
    k = _kinds.get(key)
    return k.fields if k else None
