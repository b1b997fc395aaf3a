"""The business objects' measures for the report layer: per type, how many records and the sum of each number field,
by month, owner staff and branch, in the viewer's scope (the reports app groups them further: quarter, year).

A record's day is its type's first date field (complaint: 受理日期, campaign: 开始日期), the day it was created when it
has none or leaves it empty. Counted and summed in SQL, one query per type asked for.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Sum, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Substr, TruncDate

from brokercrm.core.errors import DomainError
from brokercrm.objects import definition as d
from brokercrm.objects.models import ObjectType
from brokercrm.objects.selectors import record_list, type_get, type_get_readable

NUMBER_KINDS = ("number", "decimal")


@dataclass(frozen=True)
class MeasureField:
    key: str
    name_zh: str
    name_en: str
    kind: str


@dataclass(frozen=True)
class MeasureType:
    """A type as the report catalogue names its measures: its names, its date field and its number fields."""

    code: str
    name_zh: str
    name_en: str
    date_field: str
    date_name_zh: str
    number_fields: tuple[MeasureField, ...]


@dataclass(frozen=True)
class ObjectMeasureRow:
    """One (month, branch, owner staff) group of a type's records: the count and the sum of each number field asked."""

    month: str
    branch_code: str | None
    staff_no: str | None
    count: int
    sums: tuple[Decimal, ...]


def _date_field(definition: dict) -> dict | None:
    return next((f for f in d.fields(definition) if f["kind"] == "date"), None)


def object_measure_types() -> list[MeasureType]:
    """Every type with the fields its measures come from (live number and decimal fields)."""
    out = []
    for t in ObjectType.objects.order_by("code"):
        date = _date_field(t.definition)
        out.append(MeasureType(t.code, t.name_zh, t.name_en, date["key"] if date else "", date["name_zh"] if date else "",
                               tuple(MeasureField(f["key"], f["name_zh"], f["name_en"], f["kind"])
                                     for f in d.fields(t.definition) if f["kind"] in NUMBER_KINDS)))
    return out


def object_measure_rows(*, user, type_code: str, sum_fields: list[str], date_from: dt.date, date_to: dt.date) -> list[ObjectMeasureRow]:
    """The records of [date_from, date_to] in the user's scope (user None: all), grouped by month, branch and owner staff.

    A type the user may not read answers 404, a field that is not a number field of the type a DomainError."""
    object_type = type_get(code=type_code) if user is None else type_get_readable(user=user, code=type_code)
    for key in sum_fields:
        field = d.field(object_type.definition, key)
        if field is None or field.get("removed") or field["kind"] not in NUMBER_KINDS:
            raise DomainError(f"'{key}' is not a number field of {type_code}", field=key)
    created = Cast(TruncDate("created_at"), TextField())
    date = _date_field(object_type.definition)
    day = Coalesce(KT(f"values__{date['key']}"), created) if date else created
    sums = {f"sum_{i}": Sum(Cast(KT(f"values__{key}"), DecimalField(max_digits=30, decimal_places=10)))
            for i, key in enumerate(sum_fields)}
    grouped = (record_list(user=user, object_type=object_type).order_by()
               .annotate(day=day).filter(day__gte=date_from.isoformat(), day__lte=date_to.isoformat())
               .annotate(month=Substr("day", 1, 7)).values("month", "branch__code", "owner_staff__staff_no")
               .annotate(n=Count("id"), **sums))
    return [ObjectMeasureRow(g["month"], g["branch__code"], g["owner_staff__staff_no"], g["n"],
                             tuple(g[f"sum_{i}"] or Decimal(0) for i in range(len(sum_fields)))) for g in grouped]
