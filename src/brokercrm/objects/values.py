"""A record's values against its type's definition: parse what a form, a file or the API gave, check required,
defaults and validation formulas, and show stored values (pure; references are resolved by the services)."""
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.objects import definition as d
from brokercrm.platform.facade import CustomField, FormulaError, compile_formula, custom_field_parse

MULTI_SEPARATOR = ";"


def _custom_field(field: dict) -> CustomField:
    return CustomField(field["key"], field["name_zh"], field["kind"], tuple(c["value"] for c in field.get("choices", [])),
                       field["required"], field.get("default"), field.get("help", ""), True)


def parse(field: dict, raw: Any) -> Any:
    """The stored form of one value (references as their code); DomainError naming the field when invalid."""
    if field["kind"] in d.VALUE_KINDS:
        return custom_field_parse(_custom_field(field), raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None
    if field.get("many"):
        items = raw if isinstance(raw, list) else str(raw).split(MULTI_SEPARATOR)
        codes = [str(i).strip() for i in items if str(i).strip()]
        return list(dict.fromkeys(codes)) or None
    if not isinstance(raw, (str, int)) or isinstance(raw, bool):
        raise DomainError(_("give the code as text"), field=field["key"])
    return str(raw).strip()


def default(field: dict, today: dt.date) -> Any:
    value = field.get("default")
    if value == "today" and field["kind"] == "date":
        return today.isoformat()
    return value


def clean(definition: dict, raw: dict[str, Any], *, stored: dict | None = None, partial: bool = False, creating: bool = False,
          today: dt.date, resolve: Callable[[dict, str], str | None] = lambda f, v: None, readonly: set[str] = frozenset()) -> dict:
    """The new values after applying raw to stored; InputRejected listing every bad field (unknown, required, invalid).

    Values of removed fields, and of keys the definition no longer knows, stay stored untouched.
    """
    stored = dict(stored or {})
    live = {f["key"]: f for f in d.fields(definition)}
    problems = [Problem(_("no such field"), field=k) for k in raw if k not in live]
    problems += [Problem(_("cannot be changed in this state"), field=k) for k in raw
                 if k in readonly and k in live and raw[k] != stored.get(k)]
    result = dict(stored)
    for key, field in live.items():
        if key not in raw or key in readonly:
            if not partial and not creating and key not in readonly:
                result.pop(key, None)  # a full replacement (PUT, the form) drops what it leaves out
            if creating and key not in result and field.get("default") is not None:
                result[key] = default(field, today)
            if key not in result and not partial and field["required"]:
                problems.append(Problem(_("is required"), field=key))
            continue
        try:
            value = parse(field, raw[key])
        except DomainError as exc:
            problems.append(Problem(exc.message, field=key))
            continue
        if value is None:
            result.pop(key, None)
            if field["required"]:
                problems.append(Problem(_("is required"), field=key))
            continue
        if field["kind"] in d.REFERENCE_KINDS and value != stored.get(key):
            message = resolve(field, value)
            if message:
                problems.append(Problem(message, field=key))
                continue
        result[key] = value
    if not problems:
        problems += _validations(definition, result)
    if problems:
        raise InputRejected(problems)
    return result


def _validations(definition: dict, values: dict) -> list[Problem]:
    """Each filled field's validation formula over the record's values: a false answer refuses the record."""
    names = {f["key"]: d.FORMULA_TYPES.get(f["kind"], "text") for f in d.fields(definition)}
    inputs = {k: (Decimal(str(values[k])) if t == "number" and values.get(k) is not None else values.get(k)) for k, t in names.items()}
    problems = []
    for field in d.fields(definition):
        if not field.get("validate") or values.get(field["key"]) is None:  # an empty value is checked by `required` alone
            continue
        try:
            ok = compile_formula(field["validate"], names).evaluate(inputs)
        except FormulaError as exc:
            problems.append(Problem(str(exc), field=field["key"]))
            continue
        if ok is False:
            problems.append(Problem(field.get("message") or _("does not pass its check: %(f)s") % {"f": field["validate"]}, field=field["key"]))
    return problems


def display(field: dict | None, value: Any) -> str:
    """A stored value as the pages show it: choices by their label, money-like decimals with thousands separators."""
    if value is None or value == "":
        return ""
    if field is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if field["kind"] in ("choice", "multi_choice"):
        labels = {c.value: c.label for c in d.choices(field)}
        items = value if isinstance(value, list) else [value]
        return MULTI_SEPARATOR.join(labels.get(v, v) for v in items)
    if field["kind"] == "decimal":
        return f"{Decimal(value):,.2f}"
    if field["kind"] == "number":
        return f"{int(value):,}"
    return str(value)


def export_cell(field: dict, value: Any):
    """An export cell: numbers as numbers, the rest as shown (choices by their code, so the file imports again)."""
    if value is None:
        return None
    if field["kind"] == "number":
        return int(value)
    if field["kind"] == "decimal":
        return Decimal(value)
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(value)
    return str(value)
