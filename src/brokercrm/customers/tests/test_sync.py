"""customer_sync over many days at once: the same end state as syncing the days one by one."""
import datetime as dt

import pytest
from django.db import transaction

from brokercrm.core.models import AuditEntry
from brokercrm.customers.models import Customer, CustomerChange, CustomerNameGram, Prospect
from brokercrm.customers.services import customer_sync
from brokercrm.customers.tests.factories import CustomerFactory, ProspectFactory
from brokercrm.org.tests.factories import BranchFactory

pytestmark = pytest.mark.django_db
D1, D2, D3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)


def delivered(no: str, day: dt.date, **overrides) -> dict:
    """A customer row as the data center reads it from a delivery day (interface columns and business_date)."""
    row = {"customer_no": no, "name": f"客户{no}", "customer_type": "individual", "id_type": "id_card", "id_no": f"3101011990010{no}",
           "gender": "M", "birth_date": dt.date(1990, 1, 1), "mobile": f"138{no:0>8}", "email": None, "address": None,
           "branch_code": "0001", "open_date": dt.date(2026, 3, 2), "close_date": None, "status": "normal", "risk_level": "C3",
           "risk_assessed_on": None, "business_date": day}
    return row | overrides


def app_state() -> dict:
    """Every row customer_sync writes or touches, by business keys (ids and timestamps differ between runs; PostgreSQL's
    sequences do not roll back)."""
    numbers = dict(Customer.objects.values_list("id", "customer_no"))
    customers = {c.customer_no: (c.name, c.id_no, c.mobile, c.mobile_last4, c.id_no_last4, c.branch.code, c.status, c.risk_level,
                                 c.birth_date, c.open_date, c.close_date, c.custom_fields)
                 for c in Customer.objects.select_related("branch")}
    return {
        "customers": customers,
        "changes": list(CustomerChange.objects.order_by("id").values_list("customer__customer_no", "business_date", "field",
                                                                           "old_value", "new_value")),
        "grams": sorted(CustomerNameGram.objects.values_list("customer__customer_no", "gram")),
        "prospects": list(Prospect.objects.order_by("id").values_list("id", "status", "converted_customer__customer_no", "converted_on")),
        "audit": [(action, object_type, object_id, {k: [numbers.get(v, v) if k == "converted_customer_id" else v for v in pair]
                                                    for k, pair in changes.items()}, note)
                  for action, object_type, object_id, changes, note in
                  AuditEntry.objects.order_by("id").values_list("action", "object_type", "object_id", "changes", "note")],
    }


def test_many_days_at_once_leave_what_the_days_one_by_one_leave():
    """Given a customer loaded before, two open prospects and three days bringing new, unchanged, changed, renamed and
    branch-moved customers (a prospect's mobile reappearing on a later new account), when the days go through
    customer_sync one call per day and, from the same start, in one call, then customers, their history (dated by each
    version's day, in the same order), name pieces, prospect conversions and audit entries are the same, and so are the
    counts."""
    BranchFactory(code="0001"), BranchFactory(code="0002")
    CustomerFactory(customer_no="9001", name="老客户甲", branch=BranchFactory(code="0001"), risk_level="C3")
    by_id = ProspectFactory(id_no="3101011990010102", mobile="")
    by_mobile = ProspectFactory(id_no="", mobile="13800000103", mobile_last4="0103")
    days = {
        D1: [delivered("9001", D1, name="老客户甲", id_no="31010119800101" + "0000", mobile="13800000000"),
             delivered("101", D1), delivered("102", D1)],
        D2: [delivered("9001", D2, name="老客户甲", id_no="31010119800101" + "0000", mobile="13800000000", branch_code="0002",
                       risk_level="C4"),
             delivered("101", D2, name="王晓明"), delivered("103", D2, open_date=D2)],
        D3: [delivered("101", D3, name="王小明", branch_code="0002", status="frozen"), delivered("102", D3),
             delivered("9001", D3, name="老客户乙", id_no="31010119800101" + "0000", mobile="13800000000", branch_code="0002",
                       risk_level="C4"),
             delivered("104", D3, open_date=D3, mobile="13800000103")],
    }
    start = transaction.savepoint()
    results = [customer_sync(rows=rows, business_date=day) for day, rows in days.items()]
    one_by_one = app_state()
    transaction.savepoint_rollback(start)

    at_once = customer_sync(rows=[row for rows in reversed(days.values()) for row in rows])

    assert app_state() == one_by_one
    assert (at_once.created, at_once.updated, at_once.prospects_converted) == (4, 5, 2) == (
        sum(r.created for r in results), sum(r.updated for r in results), sum(r.prospects_converted for r in results))
    assert one_by_one["changes"] == [("9001", D2, "branch", "0001", "0002"), ("9001", D2, "risk_level", "C3", "C4"),
                                     ("101", D3, "branch", "0001", "0002"), ("101", D3, "status", "normal", "frozen")]
    assert [(p[1], p[2], p[3]) for p in one_by_one["prospects"]] == [("converted", "102", D1), ("converted", "103", D2)]
    assert [p[0] for p in one_by_one["prospects"]] == [by_id.pk, by_mobile.pk]
    assert {g for no, g in one_by_one["grams"] if no in ("101", "9001")} == {"王小明", "老客户", "客户乙"}
