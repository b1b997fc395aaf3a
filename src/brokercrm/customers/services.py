"""Writes of the customer base: the data center's sync after each load, figures, tags, groups, custom fields, unmask."""
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokercrm.core.audit import audit_record
from brokercrm.core.bulk import BATCH, batches, delete_where_in, insert_rows, rows_where_in, update_rows
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.customers.insight import latest_month_figures
from brokercrm.customers.models import (
    Customer, CustomerChange, CustomerFigures, CustomerNameGram, CustomerTag, SavedFilter, Tag, name_grams,
)
from brokercrm.customers.prospect_services import prospects_convert
from brokercrm.org.facade import CUSTOMER_EDITORS, Branch, user_may_unmask
from brokercrm.platform.facade import custom_values_set

SYNCED_FIELDS = ["name", "customer_type", "id_type", "id_no", "gender", "birth_date", "mobile", "email", "address",
                 "open_date", "close_date", "status", "risk_level", "risk_assessed_on"]
HISTORY_FIELDS = {"branch": "branch_code", "status": "status", "risk_level": "risk_level"}


@dataclass(frozen=True)
class CustomerSyncResult:
    created: int
    updated: int
    prospects_converted: int = 0


def _normalise_phone(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def _values(row: dict, branch_ids: dict[str, int]) -> dict:
    values = {f: row.get(f) for f in SYNCED_FIELDS}
    for f in ("gender", "mobile", "email", "address", "risk_level", "id_no"):
        values[f] = values[f] or ""
    values["mobile"] = _normalise_phone(values["mobile"])
    values["id_no"] = values["id_no"].upper()
    values["mobile_last4"] = values["mobile"][-4:]
    values["id_no_last4"] = values["id_no"][-4:]
    values["branch_id"] = branch_ids[row["branch_code"]]
    return values


@transaction.atomic
def customer_sync(*, rows: list[dict], business_date: dt.date | None = None) -> CustomerSyncResult:
    """Upsert the customers delivered over one or many days (each row dated by its business_date, else by the argument)
    and keep the history of branch, status, risk level between consecutive versions, as if the days were synced one by
    one: the final version is written once, as plain rows rather than model instances (a first day brings a whole
    customer base)."""
    branch_ids = dict(Branch.objects.values_list("code", "id"))
    branch_codes = {v: k for k, v in branch_ids.items()}
    versions = sorted(rows, key=lambda r: (r.get("business_date") or business_date, r["customer_no"]))
    fields = SYNCED_FIELDS + ["mobile_last4", "id_no_last4", "branch_id"]
    current = {c[1]: dict(zip(["id", "customer_no", *fields], c))
               for c in rows_where_in(Customer, ["id", "customer_no", *fields], "customer_no", sorted({r["customer_no"] for r in versions}))}
    created: dict[str, dict] = {}  # customer_no → the account as first delivered, in the order delivered (prospects match it)
    changed, renamed, history, updated = set(), set(), [], 0
    for row in versions:
        day, no = row.get("business_date") or business_date, row["customer_no"]
        values = _values(row, branch_ids)
        state = current.get(no)
        if state is None:
            current[no], created[no] = {"customer_no": no, **values}, {"customer_no": no, "business_date": day, **values}
            continue
        if all(state[f] == values[f] for f in fields):
            continue
        if state["name"] != values["name"]:
            renamed.add(no)
        before = {"branch_code": branch_codes.get(state["branch_id"]), "status": state["status"], "risk_level": state["risk_level"]}
        after = {"branch_code": row["branch_code"], "status": values["status"], "risk_level": values["risk_level"]}
        history += [(no, day, name, before[key] or "", after[key] or "") for name, key in HISTORY_FIELDS.items() if before[key] != after[key]]
        state.update(values)
        updated += 1
        if no not in created:
            changed.add(no)
    now = timezone.now()
    insert_rows(Customer, ["customer_no", *fields], [(no, *(current[no][f] for f in fields)) for no in created],
                same={"custom_fields": {}, "created_at": now, "updated_at": now})
    update_rows(Customer, fields, [(*(current[no][f] for f in fields), current[no]["id"]) for no in sorted(changed)], same={"updated_at": now})
    for no, pk in rows_where_in(Customer, ["customer_no", "id"], "customer_no", list(created)):
        current[no]["id"] = created[no]["id"] = pk
    _name_grams_write({current[no]["id"]: current[no]["name"] for no in [*created, *sorted(renamed - set(created))]})
    insert_rows(CustomerChange, ["customer", "business_date", "field", "old_value", "new_value"],
                [(current[no]["id"], *change) for no, *change in history])
    opened: dict[dt.date, list[dict]] = {}
    for account in created.values():
        opened.setdefault(account["business_date"], []).append(account)
    converted = sum(prospects_convert(accounts=accounts, business_date=day) for day, accounts in sorted(opened.items()))
    return CustomerSyncResult(len(created), updated, converted)


def customer_lock(*, customer_id: int) -> None:
    """Serialise writers of one customer's dependent rows (e.g. its relations) until the transaction ends."""
    Customer.objects.select_for_update().filter(pk=customer_id).first()


def name_grams_refresh(*, customer_ids: list[int]) -> int:
    """Rebuild the name pieces of these customers; returns how many pieces were written."""
    return _name_grams_write(dict(rows_where_in(Customer, ["id", "name"], "id", customer_ids)))


def _name_grams_write(names: dict[int, str]) -> int:
    """Replace the name pieces of these customers (id → current name); returns how many pieces were written."""
    delete_where_in(CustomerNameGram, "customer", list(names))
    grams = [(pk, g) for pk, name in names.items() for g in sorted(name_grams(name))]
    insert_rows(CustomerNameGram, ["customer", "gram"], grams)
    return len(grams)


UNMASKABLE = ("id_no", "mobile", "email", "address")


def customer_unmask(*, actor, customer: Customer, field: str) -> str:
    """Show one personal-data field in clear; every unmask is audited."""
    if field not in UNMASKABLE:
        raise DomainError(_("this field cannot be unmasked"), field="field")
    if not user_may_unmask(actor, field):  # the role's unmask permissions (roles as data, org.policy)
        raise PermissionDenied
    audit_record(actor=actor, action="unmask", instance=customer, changes={}, note=field)
    return getattr(customer, field) or ""


@transaction.atomic
def customer_figures_refresh(dates: list[dt.date] | None = None) -> dict:
    """Copy the latest month's indicators of every customer from the published marts (runs after each publish)."""
    latest = latest_month_figures()
    if latest is None:
        return {"customers.figures": 0}
    period, rows = latest
    ids = dict(Customer.objects.values_list("customer_no", "id"))
    existing = {cid: (p, e, a, n) for cid, p, e, a, n in
                CustomerFigures.objects.values_list("customer_id", "period", "end_assets", "avg_daily_assets", "net_commission")}
    wanted = {}
    for customer_no, end_assets, avg_assets, net_commission in rows:
        cid = ids.get(customer_no)
        if cid is not None:
            wanted[cid] = (period, end_assets, avg_assets, net_commission)
    stale = [cid for cid, values in existing.items() if wanted.get(cid) != values]
    for batch in batches(stale):
        CustomerFigures.objects.filter(customer_id__in=batch).delete()
    fresh = [CustomerFigures(customer_id=cid, period=p, end_assets=e, avg_daily_assets=a, net_commission=n)
             for cid, (p, e, a, n) in wanted.items() if existing.get(cid) != (p, e, a, n)]
    CustomerFigures.objects.bulk_create(fresh, batch_size=BATCH)
    return {"customers.figures": len(fresh)}


def _tag_for(name: str) -> Tag:
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise DomainError(_("a tag needs 1 to 50 characters"), field="tag")
    tag, _created = Tag.objects.get_or_create(name=name)
    return tag


@role_required(CUSTOMER_EDITORS)
@transaction.atomic
def customer_tag_add(*, actor, customers: list[Customer], tag_name: str) -> int:
    """Put a manual tag on customers (bulk tag); customers already tagged are left as they are. Returns how many were tagged."""
    tag = _tag_for(tag_name)
    have = set(CustomerTag.objects.filter(tag=tag, customer__in=customers).values_list("customer_id", flat=True))
    todo = [c for c in customers if c.pk not in have]
    CustomerTag.objects.bulk_create([CustomerTag(customer=c, tag=tag, added_by=actor if getattr(actor, "pk", None) else None)
                                     for c in todo])
    for c in todo:
        audit_record(actor=actor, action="update", instance=c, changes={"tags": [None, tag.name]})
    return len(todo)


@role_required(CUSTOMER_EDITORS)
@transaction.atomic
def customer_tag_remove(*, actor, customer: Customer, tag_name: str) -> None:
    deleted, _n = CustomerTag.objects.filter(customer=customer, tag__name=tag_name).delete()
    if deleted:
        audit_record(actor=actor, action="update", instance=customer, changes={"tags": [tag_name, None]})


@role_required(CUSTOMER_EDITORS)
def customer_custom_fields_set(*, actor, customer: Customer, values: dict[str, Any], partial: bool = True) -> Customer:
    """Validate and store a customer's custom field values (audited old → new)."""
    return custom_values_set(actor=actor, instance=customer, entity="customer", values=values, partial=partial)


@transaction.atomic
def saved_filter_save(*, actor, name: str, query: str) -> SavedFilter:
    """Keep a search and filter set under a name (客户分组); the same name replaces the earlier one."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("is required"), field="name")
    if len(query) > 2000:
        raise DomainError(_("this filter is too long to keep"), field="query")
    saved, created = SavedFilter.objects.update_or_create(owner=actor, name=name, defaults={"query": query})
    audit_record(actor=actor, action="create" if created else "update", instance=saved, changes={"query": [None, query]})
    return saved


@transaction.atomic
def saved_filter_delete(*, actor, saved: SavedFilter) -> None:
    audit_record(actor=actor, action="delete", instance=saved, changes={"query": [saved.query, None]})
    saved.delete()


def list_export_record(*, actor, object_type: str, rows: int, file_format: str, query: str) -> None:
    """Every export of a list is audited: who, which list, which filters, how many rows."""
    audit_record(actor=actor, action="export", object_type=object_type, object_id="list",
                 note=f"{file_format} · {rows} rows · {query}")
