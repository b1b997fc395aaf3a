"""Writes of the customer base: the data center's sync after each load, and the audited unmask."""
import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from brokercrm.core.audit import audit_record
from brokercrm.customers.models import Customer, CustomerChange
from brokercrm.org.models import Branch

SYNCED_FIELDS = ["name", "customer_type", "id_type", "id_no", "gender", "birth_date", "mobile", "email", "address",
                 "open_date", "close_date", "status", "risk_level", "risk_assessed_on"]
HISTORY_FIELDS = {"branch": "branch_code", "status": "status", "risk_level": "risk_level"}


@dataclass(frozen=True)
class CustomerSyncResult:
    created: int
    updated: int


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
def customer_sync(*, rows: list[dict], business_date: dt.date) -> CustomerSyncResult:
    """Upsert the customers a delivery day carries (current version) and keep the history of branch, status, risk level."""
    branch_ids = dict(Branch.objects.values_list("code", "id"))
    branch_codes = {v: k for k, v in branch_ids.items()}
    existing = {c.customer_no: c for c in Customer.objects.filter(customer_no__in=[r["customer_no"] for r in rows])}
    new, changed, history = [], [], []
    fields = SYNCED_FIELDS + ["mobile_last4", "id_no_last4", "branch_id"]
    for row in rows:
        values = _values(row, branch_ids)
        customer = existing.get(row["customer_no"])
        if customer is None:
            new.append(Customer(customer_no=row["customer_no"], **values))
            continue
        before = {"branch_code": branch_codes.get(customer.branch_id), "status": customer.status, "risk_level": customer.risk_level}
        if any(getattr(customer, f) != values[f] for f in fields):
            for f in fields:
                setattr(customer, f, values[f])
            changed.append(customer)
            after = {"branch_code": row["branch_code"], "status": customer.status, "risk_level": customer.risk_level}
            history += [CustomerChange(customer=customer, business_date=business_date, field=name, old_value=before[key] or "",
                                       new_value=after[key] or "") for name, key in HISTORY_FIELDS.items() if before[key] != after[key]]
    Customer.objects.bulk_create(new, batch_size=5000)
    Customer.objects.bulk_update(changed, fields, batch_size=5000)
    CustomerChange.objects.bulk_create(history, batch_size=5000)
    return CustomerSyncResult(len(new), len(changed))


def customer_unmask(*, actor, customer: Customer, field: str) -> str:
    """Show one personal-data field in clear; every unmask is audited."""
    if not getattr(actor, "can_unmask", False):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    audit_record(actor=actor, action="unmask", instance=customer, changes={}, note=field)
    return getattr(customer, field) or ""
