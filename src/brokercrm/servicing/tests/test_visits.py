"""Regulatory visits (回访): new accounts within a month, ≥10 % of last year-end customers, departed staff; outcome and spot-check."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.datacenter.services import closures_import
from brokercrm.servicing.models import ServiceTask
from brokercrm.servicing.services.tasks import add_month, task_complete, task_spot_check, visits_generate
from brokercrm.servicing.tests.factories import ServiceTaskFactory

pytestmark = pytest.mark.django_db


def _kinds() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind, no in ServiceTask.objects.order_by("customer__customer_no").values_list("kind", "customer__customer_no"):
        found.setdefault(kind, []).append(no)
    return found


def test_new_accounts_get_a_visit_due_within_a_month_of_opening(org_world):
    """Accounts opened 2026-01-30 and 2026-02-02 are due 2026-02-27 (28 February is a Saturday) and 2026-03-02."""
    b1 = org_world["branches"][0]
    late_jan = CustomerFactory(customer_no="20000001", branch=b1, open_date=dt.date(2026, 1, 30))
    relate(late_jan, org_world["staff"]["broker"], start=dt.date(2026, 1, 30))
    CustomerFactory(customer_no="20000002", branch=b1, open_date=dt.date(2026, 2, 2))
    CustomerFactory(customer_no="20000003", branch=b1, open_date=dt.date(2025, 6, 2))

    result = visits_generate(as_of=dt.date(2026, 2, 2), opened_from=dt.date(2026, 1, 5))

    assert result.new_accounts == 2
    visits = ServiceTask.objects.filter(kind="visit_new").order_by("customer__customer_no")
    assert [(v.customer.customer_no, v.due_date, v.staff.staff_no if v.staff else None) for v in visits] == [
        ("20000001", dt.date(2026, 2, 27), "S0003"), ("20000002", dt.date(2026, 3, 2), None)]
    assert add_month(dt.date(2024, 1, 31)) == dt.date(2024, 2, 29) and add_month(dt.date(2025, 12, 15)) == dt.date(2026, 1, 15)


def test_ten_percent_of_last_year_end_customers_frozen_and_dormant_excluded(org_world):
    """21 customers open on 2025-12-31, one frozen and one dormant: 19 eligible → ceil(1.9) = 2 visits; generating again adds none."""
    b1 = org_world["branches"][0]
    for i in range(21):
        CustomerFactory(customer_no=f"3000{i:04d}", branch=b1, status="frozen" if i == 0 else "normal")
    CustomerFactory(customer_no="30009999", branch=b1, open_date=dt.date(2026, 1, 5))  # opened after the year-end
    CustomerFactory(customer_no="30008888", branch=b1, close_date=dt.date(2025, 6, 30), status="closed")

    first = visits_generate(as_of=dt.date(2026, 3, 2), dormant={"30000001"})
    again = visits_generate(as_of=dt.date(2026, 3, 3), dormant={"30000001"})

    chosen = _kinds()["visit_existing"]
    assert first.existing == 2 and again.existing == 0 and len(chosen) == 2
    assert not {"30000000", "30000001", "30009999", "30008888"} & set(chosen)
    assert set(ServiceTask.objects.values_list("due_date", flat=True)) == {dt.date(2026, 12, 31)}


def test_customers_of_departed_staff_get_an_unassigned_visit(org_world):
    """The broker left on 2026-03-01: their open customer gets one visit, left unassigned for the branch manager."""
    broker = org_world["staff"]["broker"]
    broker.leave_date = dt.date(2026, 3, 1)
    broker.save()
    customer = CustomerFactory(customer_no="40000001", branch=org_world["branches"][0])
    relate(customer, broker)

    visits_generate(as_of=dt.date(2026, 3, 2))
    visits_generate(as_of=dt.date(2026, 3, 3))

    visit = ServiceTask.objects.get(kind="visit_departed")
    assert (visit.customer.customer_no, visit.staff, visit.due_date) == ("40000001", None, dt.date(2026, 4, 1))


def test_a_visit_is_recorded_then_spot_checked_by_a_second_person(org_world):
    """The broker records the visit with a note and may not check it (not a checker); the branch manager may not check
    a visit they did themselves, and passes the broker's."""
    broker, bm = org_world["users"]["broker"], org_world["users"]["branch_manager"]
    task = ServiceTaskFactory(staff=org_world["staff"]["broker"])

    with pytest.raises(DomainError, match="needs a note"):
        task_complete(actor=broker, task=task, outcome="satisfied")
    task_complete(actor=broker, task=task, outcome="satisfied", note="客户对服务满意")
    with pytest.raises(PermissionDenied):  # a broker is no spot-checker at all
        task_spot_check(actor=broker, task=task, passed=True)
    own = ServiceTaskFactory(staff=org_world["staff"]["broker"])
    task_complete(actor=bm, task=own, outcome="satisfied", note="经理亲自回访")
    with pytest.raises(DomainError, match="second person"):
        task_spot_check(actor=bm, task=own, passed=True)
    task_spot_check(actor=bm, task=task, passed=True, note="录音核对一致")

    task.refresh_from_db()
    assert (task.status, task.outcome, task.check_status, task.checked_by) == ("done", "satisfied", "passed", bm)


def test_a_visit_due_on_a_closed_day_falls_due_on_the_trading_day_before(org_world):
    """Opened 2026-12-04, due by 2027-01-04: before 2027's closures are imported its weekdays count (due 2027-01-04,
    the visit still generated); with 1 and 4 January closed it is due 2026-12-31."""
    CustomerFactory(customer_no="50000001", branch=org_world["branches"][0], open_date=dt.date(2026, 12, 4))
    visits_generate(as_of=dt.date(2026, 12, 4), opened_from=dt.date(2026, 12, 4))
    assert ServiceTask.objects.get(kind="visit_new").due_date == dt.date(2027, 1, 4)

    ServiceTask.objects.all().delete()
    closures_import(actor=None, data="date,reason\n2027-01-01,元旦\n2027-01-04,测试休市\n".encode(), file_name="2027.csv")
    visits_generate(as_of=dt.date(2026, 12, 4), opened_from=dt.date(2026, 12, 4))
    assert ServiceTask.objects.get(kind="visit_new").due_date == dt.date(2026, 12, 31)


def test_generated_visits_are_audited_without_a_query_per_task(org_world, django_assert_max_num_queries):
    """Given 30 new accounts, when their visits are generated, then each task has a create entry labelled as str(task)
    says, in fewer queries than tasks (the labels read the customers with the tasks, not one by one)."""
    for i in range(30):
        CustomerFactory(customer_no=f"2100{i:04d}", branch=org_world["branches"][0], open_date=dt.date(2026, 2, 2))

    with django_assert_max_num_queries(29):
        assert visits_generate(as_of=dt.date(2026, 2, 2), opened_from=dt.date(2026, 2, 2)).new_accounts == 30

    labels = dict(AuditEntry.objects.filter(object_type="servicing.servicetask").values_list("object_id", "object_repr"))
    assert labels == {str(t.pk): str(t) for t in ServiceTask.objects.select_related("customer")} and len(labels) == 30
