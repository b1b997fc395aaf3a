"""YAML reading with line numbers, shared by scheme and pay-rule import (problems name file, line and field)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import yaml

from brokercrm.core.csvfiles import nul_problem
from brokercrm.core.errors import InputRejected, Problem

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def load(text: str, *, file: str, expected_format: str) -> dict:
    nul = nul_problem(text, file=file)
    if nul is not None:
        raise InputRejected([nul])
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputRejected([Problem(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=file,
                                     line=mark.line + 1 if mark else 1)]) from None
    if not isinstance(data, dict) or data.get("format") != expected_format:
        raise InputRejected([Problem(f"expected a mapping with format: {expected_format}", file=file, line=1, column="format")])
    return data


class Collector:
    """Collects problems of one file; each names the line of its mapping and the field."""

    def __init__(self, file: str):
        self.file, self.problems = file, []

    def add(self, node: dict | None, field: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.file, line=(node or {}).get(LINE), column=field))

    def text(self, node: dict, field: str, *, required: bool = True) -> str | None:
        value = node.get(field)
        if value is None or value == "":
            if required:
                self.add(node, field, "is required")
            return None
        return str(value)

    def decimal(self, node: dict, field: str, *, required: bool = True) -> Decimal | None:
        value = node.get(field)
        if value is None or value == "":
            if required:
                self.add(node, field, "is required")
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

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputRejected(sorted(self.problems, key=lambda p: (p.line or 0, p.column)))


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)


def category_map(Category, Level) -> dict[str, set[str]]:
    """Staff category codes → their level codes (from the given model classes; historical ones in migrations)."""
    out = {c.code: set() for c in Category.objects.all()}
    for lv in Level.objects.select_related("category"):
        out[lv.category.code].add(lv.code)
    return out
