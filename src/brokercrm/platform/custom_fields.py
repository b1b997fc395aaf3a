"""Custom field values: parse, validate, display and filter, driven by the definitions (pure apart from reading them).

Stored form in an object's `custom_fields` JSON: text and choice as strings, number as an integer,
decimal as a string (never a binary float), date as `YYYY-MM-DD`, multi-choice as a list of strings;
an empty value is an absent key.
"""
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import DecimalField, Q, lookups
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.widgets import DateInput
from brokercrm.platform.contracts import CustomField
from brokercrm.platform.models import CustomFieldDefinition

FieldType = CustomFieldDefinition.FieldType
MULTI_SEPARATOR = ";"


def definitions(entity: str, *, include_archived: bool = False) -> list[CustomField]:
    qs = CustomFieldDefinition.objects.filter(entity=entity)
    if not include_archived:
        qs = qs.filter(active=True)
    return [CustomField(d.key, d.label, d.field_type, tuple(d.choices), d.required, d.default, d.help_text, d.active)
            for d in qs.order_by("order", "id")]


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def parse_value(definition: CustomField | CustomFieldDefinition, raw: Any) -> Any:
    """The stored form of one raw value (text from a form or CSV, or a JSON value from the API); DomainError when invalid."""
    key, kind = definition.key, definition.field_type
    if _is_empty(raw):
        return None
    if isinstance(raw, float):
        raise DomainError(_("give the number as text or an integer, not a binary float"), field=key)
    text = raw.strip() if isinstance(raw, str) else raw
    if kind == FieldType.TEXT:
        return str(text)
    if kind == FieldType.NUMBER:
        try:
            if isinstance(text, bool):
                raise ValueError
            return int(text) if isinstance(text, int) else int(str(text), 10)
        except ValueError:
            raise DomainError(_("'%(v)s' is not a whole number") % {"v": raw}, field=key) from None
    if kind == FieldType.DECIMAL:
        try:
            value = Decimal(str(text))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise DomainError(_("'%(v)s' is not a decimal number") % {"v": raw}, field=key) from None
        return str(value)
    if kind == FieldType.DATE:
        if isinstance(text, dt.date):
            return text.isoformat()
        try:
            if len(str(text)) != 10:
                raise ValueError
            return dt.date.fromisoformat(str(text)).isoformat()
        except ValueError:
            raise DomainError(_("'%(v)s' is not a date (YYYY-MM-DD)") % {"v": raw}, field=key) from None
    if kind == FieldType.CHOICE:
        if str(text) not in definition.choices:
            raise DomainError(_("'%(v)s' is not one of: %(o)s") % {"v": raw, "o": ", ".join(definition.choices)}, field=key)
        return str(text)
    if kind == FieldType.MULTI_CHOICE:
        items = text if isinstance(text, list) else [p.strip() for p in str(text).split(MULTI_SEPARATOR)]
        items = [str(i) for i in items if str(i).strip()]
        unknown = [i for i in items if i not in definition.choices]
        if unknown:
            raise DomainError(_("'%(v)s' is not one of: %(o)s") % {"v": ", ".join(unknown), "o": ", ".join(definition.choices)}, field=key)
        ordered = [c for c in definition.choices if c in items]
        return ordered or None
    raise DomainError(_("unknown field type %(t)s") % {"t": kind}, field=key)


def clean_values(entity: str, raw: dict[str, Any], *, stored: dict[str, Any] | None = None, partial: bool = False,
                 creating: bool = False) -> dict[str, Any]:
    """The new `custom_fields` dict after applying `raw` to `stored`; InputRejected lists every bad field.

    A value the user left as it was is kept without re-validation (a retired option stays stored); keys of
    archived or unknown definitions in `stored` are kept; defaults apply when creating.
    """
    stored = dict(stored or {})
    defs = {d.key: d for d in definitions(entity)}
    problems = [Problem(_("no such custom field"), field=k) for k in raw if k not in defs]
    result = dict(stored)
    for key, definition in defs.items():
        if key not in raw:
            if creating and definition.default is not None and key not in result:
                result[key] = definition.default
            if partial or key in result:
                continue
            if definition.required:
                problems.append(Problem(_("is required"), field=key))
            continue
        value = raw[key]
        if stored.get(key) is not None and value == stored.get(key):
            continue
        try:
            parsed = parse_value(definition, value)
        except DomainError as exc:
            problems.append(Problem(exc.message, field=key))
            continue
        if parsed is None:
            if definition.required:
                problems.append(Problem(_("is required"), field=key))
            result.pop(key, None)
        else:
            result[key] = parsed
    if problems:
        raise InputRejected(problems)
    return result


def display_value(definition: CustomField | CustomFieldDefinition, value: Any) -> str:
    if value is None:
        return ""
    if definition.field_type == FieldType.MULTI_CHOICE and isinstance(value, list):
        return MULTI_SEPARATOR.join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class DisplayRow:
    key: str
    label: str
    value: str
    help_text: str
    retired: bool


def display_rows(*, entity: str, values: dict[str, Any] | None) -> list[DisplayRow]:
    """Label and shown value of every active field (and of archived ones that hold a value), for detail pages."""
    values = values or {}
    rows = []
    for d in definitions(entity, include_archived=True):
        if not d.active and d.key not in values:
            continue
        value = values.get(d.key)
        retired = bool(value is not None and d.field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE)
                       and any(v not in d.choices for v in (value if isinstance(value, list) else [value])))
        rows.append(DisplayRow(d.key, d.label, display_value(d, value), d.help_text, retired or not d.active))
    return rows


def form_field(definition: CustomField | CustomFieldDefinition) -> forms.Field:
    """A Django form field for one definition (values are validated again by clean_values)."""
    common = {"label": definition.label, "required": definition.required, "help_text": definition.help_text}
    kind = definition.field_type
    if kind == FieldType.DATE:
        return forms.CharField(widget=DateInput(), **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in definition.choices], **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=[(c, c) for c in definition.choices], widget=forms.CheckboxSelectMultiple, **common)
    if kind in (FieldType.NUMBER, FieldType.DECIMAL):
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    return forms.CharField(**common)


def add_form_fields(form: forms.Form, entity: str, *, values: dict[str, Any] | None = None, prefix: str = "cf_") -> None:
    """Add one field per active definition to a form, initialised from stored values (or defaults)."""
    for d in definitions(entity):
        field = form_field(d)
        value = (values or {}).get(d.key, d.default if values is None else None)
        field.initial = value
        form.fields[prefix + d.key] = field


def form_values(cleaned_data: dict[str, Any], entity: str, *, prefix: str = "cf_") -> dict[str, Any]:
    return {name[len(prefix):]: value for name, value in cleaned_data.items()
            if name.startswith(prefix) and name[len(prefix):] in {d.key for d in definitions(entity)}}


def attach_problems(form: forms.Form, exc: InputRejected, *, prefix: str = "cf_") -> None:
    for p in exc.problems:
        name = prefix + p.field
        form.add_error(name if name in form.fields else None, p.message)


# Filters on list pages: GET parameters cf_<key> (text contains, choice equals, multi-choice contains)
# and cf_<key>_min / cf_<key>_max (number, decimal, date).
def filter_params(entity: str) -> list[tuple[CustomField, list[str]]]:
    out = []
    for d in definitions(entity):
        if d.field_type in (FieldType.NUMBER, FieldType.DECIMAL, FieldType.DATE):
            out.append((d, [f"cf_{d.key}_min", f"cf_{d.key}_max"]))
        else:
            out.append((d, [f"cf_{d.key}"]))
    return out


def filter_q(entity: str, params: dict[str, str], *, prefix: str = "") -> Q:
    """A filter for the custom-field parameters present in `params`; invalid bounds raise DomainError naming the field."""
    q = Q()
    column = f"{prefix}custom_fields"
    for d, names in filter_params(entity):
        path = f"{column}__{d.key}"
        if d.field_type in (FieldType.NUMBER, FieldType.DECIMAL, FieldType.DATE):
            for name, op in zip(names, ("gte", "lte")):
                raw = (params.get(name) or "").strip()
                if not raw:
                    continue
                bound = parse_value(d, raw)
                if d.field_type == FieldType.DATE:
                    q &= Q(_text_lookup(path, op, bound))
                else:
                    q &= Q(_text_lookup(path, op, Decimal(str(bound)), numeric=True))
            continue
        raw = (params.get(names[0]) or "").strip()
        if not raw:
            continue
        if d.field_type == FieldType.TEXT:
            q &= Q(_text_lookup(path, "icontains", raw))
        elif d.field_type == FieldType.CHOICE:
            q &= Q(**{path: raw})
        else:
            # The list's JSON text holds the option quoted; SQLite keeps \u escapes, PostgreSQL prints the characters.
            q &= Q(_text_lookup(path, "contains", json.dumps(raw))) | Q(_text_lookup(path, "contains", json.dumps(raw, ensure_ascii=False)))
    return q


def _text_lookup(path: str, op: str, value: Any, *, numeric: bool = False):
    """A lookup on the text of one JSON key (cast to a decimal for number comparisons)."""
    lookup_class = {"icontains": lookups.IContains, "contains": lookups.Contains, "gte": lookups.GreaterThanOrEqual,
                    "lte": lookups.LessThanOrEqual}[op]
    target = Cast(KT(path), DecimalField(max_digits=30, decimal_places=10)) if numeric else KT(path)
    return lookup_class(target, value)


def export_cells(defs: list[CustomField], values: dict[str, Any] | None) -> list[str | int | Decimal | None]:
    """The cells of an export row: numbers and decimals as numbers, the rest as shown."""
    values = values or {}
    cells = []
    for d in defs:
        value = values.get(d.key)
        if value is not None and d.field_type == FieldType.NUMBER:
            cells.append(int(value))
        elif value is not None and d.field_type == FieldType.DECIMAL:
            cells.append(Decimal(value))
        else:
            cells.append(display_value(d, value))
    return cells
