"""YAML import and export of configuration (schemes, pay rules, segments): one reader, one writer.

Every problem names the file, the line and the field; numbers with a decimal point are read as the
text was written (Decimal), never as binary floats; nothing is stored unless the whole file is valid.
"""
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from brokercrm.core.csvfiles import nul_problem
from brokercrm.core.errors import InputRejected, Problem

LINE = "__line__"
LINES = "__lines__"
HIDDEN = {LINE, LINES}


class _Loader(yaml.SafeLoader):
    """Safe YAML that remembers the line of each mapping and of each of its keys."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        mapping[LINES] = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node).replace("_", "")))


def load(data: bytes | str, *, file: str, expected_format: str | None = None) -> dict:
    """The file's top mapping; with expected_format, its `format:` must say so. InputRejected otherwise."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise InputRejected([Problem("not valid UTF-8", file=file, line=1)]) from None
    nul = nul_problem(text, file=file)
    if nul is not None:
        raise InputRejected([nul])
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputRejected([Problem(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=file,
                                     line=mark.line + 1 if mark else 1)]) from None
    if expected_format is not None and (not isinstance(doc, dict) or doc.get("format") != expected_format):
        raise InputRejected([Problem(f"expected a mapping with format: {expected_format}", file=file, line=1, column="format")])
    if not isinstance(doc, dict):
        raise InputRejected([Problem("expected a mapping", file=file, line=1)])
    return doc


def line_of(node: dict | None, key: str = "") -> int | None:
    """The line of a key in a mapping read by `load` (the mapping's own line when the key is absent)."""
    node = node or {}
    return node.get(LINES, {}).get(key, node.get(LINE))


def keys(node: dict) -> set[str]:
    """The keys the file wrote (without the line bookkeeping)."""
    return set(node) - HIDDEN


class Collector:
    """Collects the problems of one file; each names a line (by default its mapping's) and the field."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, node: dict | None, field: str, message: str, *, line: int | None = None) -> None:
        """A problem with `field` of node, at its mapping's line unless a line (e.g. `line_of(node, key)`) is given."""
        self.problems.append(Problem(message, file=self.file, line=line if line is not None else (node or {}).get(LINE), column=field))

    def text(self, node: dict, field: str, *, required: bool = True, max_length: int | None = None) -> str | None:
        value = node.get(field)
        if value is None or value == "":
            if required:
                self.add(node, field, "is required")
            return None
        value = str(value)
        if max_length is not None and len(value) > max_length:
            self.add(node, field, f"at most {max_length} characters")
        return value

    def decimal(self, node: dict, field: str, *, required: bool = True) -> Decimal | None:
        value = node.get(field)
        if value is None or value == "":
            if required:
                self.add(node, field, "is required")
            return None
        if isinstance(value, bool):
            self.add(node, field, f"'{value}' is not a number")
            return None
        if isinstance(value, float):
            value = repr(value)
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self.add(node, field, f"'{value}' is not a number")
            return None

    def items(self, node: dict, field: str) -> list[dict]:
        value = node.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add(node, field, "must be a list of mappings")
            return []
        return value

    def unknown_keys(self, node: dict, allowed: set[str], *, where: str = "") -> None:
        for key in sorted(keys(node) - allowed, key=str):
            self.add(node, f"{where}.{key}" if where else str(key), "unknown key", line=line_of(node, key))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputRejected(sorted(self.problems, key=lambda p: (p.line or 0, p.column)))


def dump(data: Any) -> str:
    """YAML as people edit it: keys in the given order, Chinese kept readable, long lines unbroken."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
