"""Collection configuration (采集表配置): how a delivered file layout maps onto the ODS, as data.

A configuration names, per ODS table, the delivered file (a pattern that may contain the business
date), its columns in delivered order with the ODS column each one feeds, their types, the key and
the checks to run. The ODS shape itself (`ODS_COLUMNS`) is fixed: it is interface v1.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from brokercrm.core.errors import InputRejected, Problem

# The ODS contract: table -> (column, type) in interface order. Others build on it; keep exactly.
ODS_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "branches": (("branch_code", "str"), ("branch_name", "str"), ("city", "str"), ("opened_on", "date")),
    "customers": (
        ("customer_no", "str"), ("name", "str"), ("customer_type", "enum"), ("id_type", "enum"),
        ("id_no", "str"), ("gender", "enum"), ("birth_date", "date"), ("mobile", "str"),
        ("email", "str"), ("address", "str"), ("branch_code", "str"), ("open_date", "date"),
        ("close_date", "date"), ("status", "enum"), ("risk_level", "enum"), ("risk_assessed_on", "date"),
    ),
    "securities": (
        ("market", "enum"), ("security_code", "str"), ("security_name", "str"),
        ("security_type", "enum"), ("industry", "str"), ("risk_level", "enum"),
    ),
    "deliveries": (
        ("trade_date", "date"), ("serial_no", "str"), ("customer_no", "str"), ("market", "enum"),
        ("security_code", "str"), ("side", "enum"), ("quantity", "int"), ("price", "price"),
        ("amount", "money"), ("commission", "money"), ("handling_fee", "money"),
        ("regulatory_fee", "money"), ("stamp_tax", "money"), ("transfer_fee", "money"),
        ("other_fee", "money"), ("settle_amount", "money"), ("channel", "enum"),
    ),
    "cash_flows": (
        ("biz_date", "date"), ("serial_no", "str"), ("customer_no", "str"), ("flow_type", "enum"),
        ("amount", "money"), ("bank_code", "str"),
    ),
    "security_transfers": (
        ("biz_date", "date"), ("serial_no", "str"), ("customer_no", "str"), ("market", "enum"),
        ("security_code", "str"), ("direction", "enum"), ("quantity", "int"), ("value", "money"),
    ),
    "positions": (
        ("biz_date", "date"), ("customer_no", "str"), ("market", "enum"), ("security_code", "str"),
        ("quantity", "int"), ("cost_amount", "money"), ("close_price", "price"), ("market_value", "money"),
    ),
    "assets": (
        ("biz_date", "date"), ("customer_no", "str"), ("cash_balance", "money"),
        ("market_value", "money"), ("total_assets", "money"),
    ),
}
SQL_TYPES = {
    "str": "VARCHAR", "enum": "VARCHAR", "date": "DATE",
    "money": "DECIMAL(18,2)", "price": "DECIMAL(18,3)", "int": "BIGINT",
}

# Checks a configuration may name, with the parameters each one takes (name -> required?).
TABLE_RULES: dict[str, dict[str, bool]] = {
    "business_date": {"column": True},
    "positive": {"column": True},
    "non_negative": {"columns": True},
    "trading_day": {"column": True},
    "reference": {"columns": True, "to": True},
    "sign": {"column": True, "by": True, "positive": False, "negative": False},
    "open_date": {},
    "close_after_open": {},
    "trade_amount": {},
    "settle_amount": {},
    "stock_fees": {"since": True, "stamp_tax_sell": True, "transfer_fee": True, "handling_fee": True, "regulatory_fee": True},
    "stamp_tax_stock_sells_only": {},
    "fees_within_commission": {},
    "position_market_value": {},
    "assets_total": {},
}
INVARIANT_RULES: dict[str, dict[str, bool]] = {
    "assets_market_value": {},
    "assets_coverage": {},
    "cash_continuity": {},
    "position_continuity": {},
}
RATE_PARAMS = ("stamp_tax_sell", "transfer_fee", "handling_fee", "regulatory_fee")


@dataclass(frozen=True)
class ColumnSpec:
    """One delivered column: its name as delivered, the ODS column it feeds (None = not loaded)."""

    source: str
    ods: str | None
    type: str
    nullable: bool = False
    values: tuple[str, ...] = ()
    mapping: tuple[tuple[str, str], ...] = ()  # delivered value -> ODS value, for enums
    date_format: str = ""


@dataclass(frozen=True)
class CheckSpec:
    """A named check with its parameters (lists become tuples, so the spec stays hashable)."""

    rule: str
    params: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)


@dataclass(frozen=True)
class TableSpec:
    name: str
    file: str
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    checks: tuple[CheckSpec, ...] = ()

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.source for c in self.columns)

    def column(self, ods: str) -> ColumnSpec:
        for col in self.columns:
            if col.ods == ods:
                return col
        raise KeyError(f"{self.name} has no ODS column {ods}")

    def src(self, ods: str) -> str:
        """The delivered name of an ODS column: every message names columns as delivered."""
        return self.column(ods).source

    def file_name(self, business_date: date) -> str:
        return self.file.format(date=business_date)


@dataclass(frozen=True)
class SourceConfig:
    name: str
    interface: str
    folder_format: str
    date_format: str
    encoding: str
    delimiter: str
    manifest: str
    tables: tuple[TableSpec, ...]
    invariants: tuple[CheckSpec, ...] = ()

    def table(self, name: str) -> TableSpec:
        for spec in self.tables:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def date_format_of(self, col: ColumnSpec) -> str:
        return col.date_format or self.date_format


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple((str(k), _freeze(v)) for k, v in value.items())
    return value


class _Reader:
    """Reads the YAML tree and collects every problem with the field path it is about."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, field: str, message: str) -> None:
        self.problems.append(Problem(message=message, field=field))

    def text(self, node: dict, key: str, path: str, default: str | None = None) -> str:
        value = node.get(key, default)
        if not isinstance(value, str) or not value:
            self.bad(f"{path}.{key}".lstrip("."), "must be a non-empty text")
            return default or ""
        return value

    def date_format(self, fmt: str, field: str) -> None:
        sample = date(2026, 3, 2)
        try:
            from datetime import datetime

            ok = datetime.strptime(sample.strftime(fmt), fmt).date() == sample
        except ValueError:
            ok = False
        if not ok or "%" not in fmt:
            self.bad(field, f"date format {fmt!r} cannot write and read back a date")

    def column(self, node: Any, path: str, date_format: str) -> ColumnSpec | None:
        if not isinstance(node, dict):
            self.bad(path, "must be a mapping with source and type")
            return None
        unknown = set(node) - {"source", "ods", "type", "nullable", "values", "map", "format"}
        if unknown:
            self.bad(path, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
        source = self.text(node, "source", path)
        ods = node.get("ods", source)
        if ods is not None and not isinstance(ods, str):
            self.bad(f"{path}.ods", "must be an ODS column name or null")
            ods = None
        kind = node.get("type")
        if kind not in SQL_TYPES:
            self.bad(f"{path}.type", f"unknown type {kind!r}; expected one of {', '.join(SQL_TYPES)}")
            kind = ""
        nullable = node.get("nullable", False)
        if not isinstance(nullable, bool):
            self.bad(f"{path}.nullable", "must be true or false")
            nullable = False
        values = node.get("values", [])
        mapping = node.get("map", {})
        if kind == "enum":
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                self.bad(f"{path}.values", "an enum needs a non-empty list of text values")
                values = []
            if not isinstance(mapping, dict):
                self.bad(f"{path}.map", "must map delivered values to ODS values")
                mapping = {}
            for raw, target in mapping.items():
                if target not in values:
                    self.bad(f"{path}.map", f"maps {raw!r} to {target!r}, which is not one of the values")
        elif values or mapping:
            self.bad(f"{path}.values", "values and map are only for enum columns")
        fmt = node.get("format", "")
        if fmt:
            if kind != "date" or not isinstance(fmt, str):
                self.bad(f"{path}.format", "format is only for date columns")
                fmt = ""
            else:
                self.date_format(fmt, f"{path}.format")
        return ColumnSpec(
            source=source, ods=ods, type=kind, nullable=nullable,
            values=tuple(str(v) for v in values) if kind == "enum" else (),
            mapping=tuple((str(k), str(v)) for k, v in mapping.items()) if kind == "enum" else (),
            date_format=fmt,
        )

    def check(self, node: Any, path: str, rules: dict[str, dict[str, bool]]) -> CheckSpec | None:
        if not isinstance(node, dict) or not isinstance(node.get("rule"), str):
            self.bad(path, "must be a mapping with a rule")
            return None
        rule = node["rule"]
        if rule not in rules:
            self.bad(f"{path}.rule", f"unknown rule {rule!r}; expected one of {', '.join(rules)}")
            return None
        params = {k: v for k, v in node.items() if k != "rule"}
        for key, required in rules[rule].items():
            if required and key not in params:
                self.bad(f"{path}.{key}", f"rule {rule} needs {key}")
        for key in set(params) - set(rules[rule]):
            self.bad(f"{path}.{key}", f"rule {rule} takes no parameter {key}")
        if rule == "stock_fees":
            for key in RATE_PARAMS:
                try:
                    Decimal(str(params.get(key, "0")))
                except InvalidOperation:
                    self.bad(f"{path}.{key}", f"{params.get(key)!r} is not a decimal rate")
            since = params.get("since")
            if since is not None and not isinstance(since, date):
                try:
                    params["since"] = date.fromisoformat(str(since))
                except ValueError:
                    self.bad(f"{path}.since", f"{since!r} is not a date YYYY-MM-DD")
            params.update({k: str(params[k]) for k in RATE_PARAMS if k in params})
        return CheckSpec(rule=rule, params=tuple(sorted((k, _freeze(v)) for k, v in params.items())))

    def table(self, name: str, node: Any, path: str, date_format: str) -> TableSpec | None:
        if name not in ODS_COLUMNS:
            self.bad(path, f"unknown ODS table {name!r}; expected one of {', '.join(ODS_COLUMNS)}")
            return None
        if not isinstance(node, dict):
            self.bad(path, "must be a mapping with file, key and columns")
            return None
        file = self.text(node, "file", path)
        try:
            file.format(date=date(2026, 3, 2))
        except (KeyError, IndexError, ValueError):
            self.bad(f"{path}.file", f"file pattern {file!r} may only use {{date:FORMAT}}")
        raw_columns = node.get("columns")
        if not isinstance(raw_columns, list) or not raw_columns:
            self.bad(f"{path}.columns", "must be a non-empty list")
            raw_columns = []
        columns = [c for i, node in enumerate(raw_columns) if (c := self.column(node, f"{path}.columns[{i}]", date_format))]
        expected = dict(ODS_COLUMNS[name])
        seen_sources: set[str] = set()
        seen_ods: set[str] = set()
        for i, col in enumerate(columns):
            where = f"{path}.columns[{i}]"
            if col.source in seen_sources:
                self.bad(f"{where}.source", f"column {col.source!r} is delivered twice")
            seen_sources.add(col.source)
            if col.ods is None:
                continue
            if col.ods not in expected:
                self.bad(f"{where}.ods", f"{name} has no ODS column {col.ods!r}")
            elif col.ods in seen_ods:
                self.bad(f"{where}.ods", f"ODS column {col.ods!r} is fed twice")
            elif col.type and col.type != expected[col.ods]:
                self.bad(f"{where}.type", f"ODS column {col.ods} is {expected[col.ods]}, not {col.type}")
            seen_ods.add(col.ods)
        for missing in [c for c in expected if c not in seen_ods]:
            self.bad(f"{path}.columns", f"ODS column {missing!r} is fed by no delivered column")
        key = node.get("key")
        if not isinstance(key, list) or not key or any(k not in seen_ods for k in key):
            self.bad(f"{path}.key", "must list ODS columns of the table")
            key = []
        checks_node = node.get("checks", []) or []
        if not isinstance(checks_node, list):
            self.bad(f"{path}.checks", "must be a list")
            checks_node = []
        checks = [c for i, node in enumerate(checks_node) if (c := self.check(node, f"{path}.checks[{i}]", TABLE_RULES))]
        for i, check in enumerate(checks):
            for param in ("column", "columns", "by"):
                value = check.get(param)
                names = value if isinstance(value, tuple) else (value,) if value else ()
                for col in names:
                    if col not in seen_ods:
                        self.bad(f"{path}.checks[{i}].{param}", f"{col!r} is not an ODS column of {name}")
            target = check.get("to")
            if target is not None and target not in ODS_COLUMNS:
                self.bad(f"{path}.checks[{i}].to", f"unknown ODS table {target!r}")
        return TableSpec(name=name, file=file, key=tuple(key), columns=tuple(columns), checks=tuple(checks))


def load_source_config(text: str) -> SourceConfig:
    """Parse a collection configuration; every problem is reported with the field it is about."""
    reader = _Reader()
    try:
        tree = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputRejected([Problem(message=f"not valid YAML{where}: {getattr(exc, 'problem', exc)}", field="config")])
    if not isinstance(tree, dict):
        raise InputRejected([Problem(message="must be a YAML mapping", field="config")])
    date_format = reader.text(tree, "date_format", "", "%Y-%m-%d")
    folder_format = reader.text(tree, "folder_format", "", "%Y-%m-%d")
    reader.date_format(date_format, "date_format")
    reader.date_format(folder_format, "folder_format")
    delimiter = reader.text(tree, "delimiter", "", ",")
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        reader.bad("delimiter", "must be one character other than a quote or a line break")
    encoding = reader.text(tree, "encoding", "", "utf-8")
    interface = reader.text(tree, "interface", "", "v1")
    manifest = reader.text(tree, "manifest", "", "manifest.json")
    try:
        import codecs

        codecs.lookup(encoding)
    except LookupError:
        reader.bad("encoding", f"unknown encoding {encoding!r}")
    tables_node = tree.get("tables")
    if not isinstance(tables_node, dict):
        reader.bad("tables", "must map ODS table names to their delivered files")
        tables_node = {}
    tables = [t for name, node in tables_node.items() if (t := reader.table(str(name), node, f"tables.{name}", date_format))]
    for missing in [n for n in ODS_COLUMNS if n not in tables_node]:
        reader.bad("tables", f"ODS table {missing!r} is fed by no delivered file")
    invariants_node = tree.get("invariants", []) or []
    if not isinstance(invariants_node, list):
        reader.bad("invariants", "must be a list")
        invariants_node = []
    invariants = [c for i, node in enumerate(invariants_node) if (c := reader.check(node, f"invariants[{i}]", INVARIANT_RULES))]
    files = [t.file for t in tables]
    for dup in {f for f in files if files.count(f) > 1}:
        reader.bad("tables", f"file {dup!r} feeds more than one table")
    if reader.problems:
        raise InputRejected(reader.problems)
    order = list(ODS_COLUMNS)
    return SourceConfig(
        name=str(tree.get("name", "custom")),
        interface=interface,
        folder_format=folder_format,
        date_format=date_format,
        encoding=encoding,
        delimiter=delimiter,
        manifest=manifest,
        tables=tuple(sorted(tables, key=lambda t: order.index(t.name))),
        invariants=tuple(invariants),
    )


@lru_cache(maxsize=1)
def default_source_config() -> SourceConfig:
    """The shipped configuration: interface v1 exactly as source-interface.md states it."""
    text = resources.files("brokercrm.datacenter.sources").joinpath("interface_v1.yaml").read_text(encoding="utf-8")
    return load_source_config(text)
