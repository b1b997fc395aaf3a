"""Reads of the business objects, every one through the data scope: a record outside it answers 404."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.customers.facade import customer_scope_q
from brokercrm.objects import definition as d
from brokercrm.objects import values as v
from brokercrm.objects.models import ObjectRecord, ObjectType, ObjectTypeVersion
from brokercrm.objects.services import RECORD, may
from brokercrm.org.facade import Staff, scope_for



def type_list(*, user) -> list[ObjectType]:
    """The types whose records the user may read."""
    return [t for t in ObjectType.objects.order_by("code") if may(user, t, "read")]


def type_get(*, code: str) -> ObjectType:
    return get_object_or_404(ObjectType, code=code)


def type_get_readable(*, user, code: str) -> ObjectType:
    """A type the user may read; 404 otherwise (a type one may not read does not exist for them)."""
    object_type = type_get(code=code)
    if not may(user, object_type, "read"):
        raise Http404(code)
    return object_type


def type_readable_by_role(role: str, path: str) -> bool:
    """Whether a role may open an object page at `path` (/objects/<type>/…): paths not naming a type are left to the page
    check; a type that does not exist yet or that the role may not read hides the menu item pointing at it."""
    code = path.removeprefix("/objects/").split("/", 1)[0]
    if not code or code == "types":
        return True
    object_type = ObjectType.objects.filter(code=code).first()
    return object_type is not None and d.allowed(object_type.definition, role, "read")


def type_versions(*, object_type: ObjectType) -> QuerySet[ObjectTypeVersion]:
    return object_type.versions.select_related("saved_by").order_by("-version")


def scope_q(user, object_type: ObjectType) -> Q:
    """The records of a type the user sees, by its owner rule: through the customer, the owner staff, or the branch."""
    if user is None:
        return Q()
    scope = scope_for(user)
    if scope.everything:
        return Q()
    rule = object_type.definition.get("owner", {}).get("rule", "staff")
    if rule == "customer":
        return Q(customer__isnull=False) & customer_scope_q(user, prefix="customer__")
    if rule == "staff":
        return scope.staff_q("owner_staff__") & Q(owner_staff__isnull=False)
    branch_ids = set(scope.branch_ids) or _staff_branches(scope.staff_ids)
    return Q(branch_id__in=branch_ids)


def _staff_branches(staff_ids) -> set[int]:
    return set(Staff.objects.filter(id__in=staff_ids).values_list("branch_id", flat=True))


def record_list(*, user, object_type: ObjectType, filters: dict[str, str] | None = None) -> QuerySet[ObjectRecord]:
    """Records in scope, filtered by the type's list filters (choice equals, text contains, number/date ranges) and state."""
    qs = ObjectRecord.objects.filter(object_type=object_type).filter(scope_q(user, object_type)).select_related("owner_staff", "branch")
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("q"):
        qs = qs.filter(number__icontains=filters["q"].strip())
    for key in object_type.definition.get("list", {}).get("filters", []):
        field = d.field(object_type.definition, key)
        if field is None:
            continue
        raw = (filters.get(key) or "").strip()
        if raw and field["kind"] in ("choice", "customer", "staff", "branch", "product", "object") and not field.get("many"):
            qs = qs.filter(**{f"values__{key}": raw})
        elif raw:
            qs = qs.filter(**{f"values__{key}__icontains": raw})
        for suffix, op in (("_min", "gte"), ("_max", "lte")):
            bound = (filters.get(key + suffix) or "").strip()
            if bound and field["kind"] == "date":
                v.parse(field, bound)
                qs = qs.filter(**{f"values__{key}__{op}": bound})
            elif bound and field["kind"] in ("number", "decimal"):
                try:
                    number = Decimal(bound)
                except ArithmeticError:
                    raise DomainError(f"'{bound}' is not a number", field=key + suffix) from None
                # Decimals are stored as text: compared as numbers, never as strings ("9" > "10").
                qs = qs.alias(**{f"_{key}_n": Cast(KT(f"values__{key}"), DecimalField(max_digits=30, decimal_places=10))}).filter(
                    **{f"_{key}_n__{op}": number})
    return qs


def record_get(*, user, object_type: ObjectType, number: str) -> ObjectRecord:
    return get_object_or_404(record_list(user=user, object_type=object_type), number=number)


def record_history(*, record: ObjectRecord) -> QuerySet[AuditEntry]:
    """Every audited change of the record, newest first."""
    return AuditEntry.objects.filter(object_type=RECORD, object_id=str(record.pk)).order_by("-at", "-id")


@dataclass(frozen=True)
class ShownValue:
    key: str
    label: str
    value: str
    removed: bool


def record_values(*, record: ObjectRecord) -> list[ShownValue]:
    """Every field's shown value, then the values of removed fields (已删除字段) and of keys no definition knows."""
    definition = record.object_type.definition
    rows = [ShownValue(f["key"], d.label(f), v.display(f, record.values.get(f["key"])), False) for f in d.fields(definition)]
    known = {f["key"] for f in d.fields(definition)}
    for key, value in record.values.items():
        if key not in known:
            field = d.field(definition, key)
            rows.append(ShownValue(key, d.label(field) if field else key, v.display(field, value), True))
    return rows


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: str
    columns: int
    collapsed: bool
    values: tuple[ShownValue, ...]


def record_sections(*, record: ObjectRecord, role: str) -> list[ShownSection]:
    """The detail page's sections as the role's layout arranges them; removed fields' values come last, always shown."""
    shown = {row.key: row for row in record_values(record=record)}
    out = [ShownSection(s["key"], s["title"], s["columns"], s["collapsed"], tuple(shown[f["key"]] for f in s["fields"]))
           for s in d.detail_sections(record.object_type.definition, role)]
    removed = tuple(row for row in shown.values() if row.removed)
    return out + [ShownSection("removed", "", 1, False, removed)] if removed else out


@dataclass(frozen=True)
class CustomerRecord:
    type_code: str
    type_name: str
    number: str
    state: str
    summary: str
    due_on: dt.date | None
    escalated: bool


def customer_records(*, user, customer_id: int, limit: int = 20) -> list[CustomerRecord]:
    """The records in scope that reference a customer, for the 360° page's panel."""
    out = []
    for object_type in type_list(user=user):
        owner = object_type.definition.get("owner", {})
        if owner.get("rule") != "customer":
            continue
        columns = object_type.definition.get("list", {}).get("columns", [])
        for r in record_list(user=user, object_type=object_type).filter(customer_id=customer_id)[:limit]:
            summary = " · ".join(v.display(d.field(object_type.definition, k), r.values.get(k)) for k in columns
                                 if k != owner.get("field") and r.values.get(k) not in (None, ""))
            out.append(CustomerRecord(object_type.code, d.label(object_type.definition), r.number,
                                      d.state_label(object_type.definition, r.state), summary[:200], r.due_on, r.escalated))
    return out


@dataclass(frozen=True)
class RecordSnapshot:
    """A record as plain values, for the apps above (the reports' campaign effect reads a campaign's period and participants)."""

    type_code: str
    number: str
    state: str
    values: dict


def record_snapshot(*, user, type_code: str, number: str) -> RecordSnapshot:
    """One record in the user's scope of a type they may read (404 otherwise)."""
    record = record_get(user=user, object_type=type_get_readable(user=user, code=type_code), number=number)
    return RecordSnapshot(type_code, record.number, record.state, dict(record.values))


def record_snapshots(*, user, type_code: str, limit: int = 200) -> list[RecordSnapshot]:
    """The newest records of a type in the user's scope (none when they may not read it)."""
    object_type = ObjectType.objects.filter(code=type_code).first()
    if object_type is None or not may(user, object_type, "read"):
        return []
    return [RecordSnapshot(type_code, r.number, r.state, dict(r.values)) for r in record_list(user=user, object_type=object_type)[:limit]]
