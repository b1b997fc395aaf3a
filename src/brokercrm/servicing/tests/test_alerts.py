"""Alerts raised by the downstream step: routed, deduplicated, resolved, exported."""
import datetime as dt

import pytest
from django.core.management import call_command

from brokercrm.core.models import AuditEntry
from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.datacenter.services import closures_import
from brokercrm.servicing.jobs import alerts_step
from brokercrm.servicing.models import Alert, ServiceTask
from brokercrm.servicing.rules import Candidate
from brokercrm.servicing.services.alerts import alert_resolve, alert_rule_update, alerts_raise
from brokercrm.servicing.tests.warehouse_data import DAYS, build, customer, dates, new_warehouse

pytestmark = pytest.mark.django_db


def _world(org_world):
    """Three customers withdraw 600,000 on day 2: A has a service and a development relation, B development only, C none."""
    b1 = org_world["branches"][0]
    a, b, c = (CustomerFactory(customer_no=no, branch=b1) for no in ("10000001", "10000002", "10000003"))
    relate(a, org_world["staff"]["broker"], "development")
    relate(a, org_world["staff"]["colleague"], "service")
    relate(b, org_world["staff"]["broker"], "development")
    con, f = new_warehouse()
    for no in ("10000001", "10000002", "10000003"):
        customer(f, no)
        f.assets(DAYS[0], no, 1_000_000)
        f.cash_flow(DAYS[1], no, flow_type="bank_out", amount=-600_000)
        f.assets(DAYS[1], no, 400_000)
    build(con, f)
    return con


def test_alerts_are_routed_to_service_staff_else_development_staff_else_nobody(org_world):
    """The step raises three alerts with follow-up tasks, each routed by the relation in force that day."""
    con = _world(org_world)

    counts = alerts_step(dates(*DAYS), con=con)

    assert counts == {"servicing.alerts": 3, "servicing.tasks": 3, "duplicates": 0, "visit_exception": 3}
    routed = {a.customer.customer_no: (a.staff.staff_no if a.staff else None) for a in Alert.objects.all()}
    assert routed == {"10000001": "S0004", "10000002": "S0003", "10000003": None}
    task = ServiceTask.objects.get(customer__customer_no="10000001", kind="alert")
    assert (task.kind, task.staff.staff_no, task.due_date) == ("alert", "S0004", dt.date(2026, 3, 6))


def test_running_the_step_again_raises_nothing_twice(org_world):
    """A rerun of the load finds the same candidates and stores no duplicate alert or task."""
    con = _world(org_world)
    alerts_step(dates(*DAYS), con=con)

    counts = alerts_step(dates(*DAYS), con=con)

    assert counts == {"servicing.alerts": 0, "servicing.tasks": 0, "duplicates": 3, "visit_exception": 0}
    assert Alert.objects.count() == 3 and ServiceTask.objects.count() == 6  # a follow-up and an exception visit each


def test_export_alerts_writes_the_documented_columns(org_world, tmp_path):
    """`brokercrm export alerts` lists the alerts of the range with staff and status, resolved ones included."""
    con = _world(org_world)
    alerts_step(dates(*DAYS), con=con)
    alert_resolve(actor=org_world["users"]["broker"], alert=Alert.objects.get(customer__customer_no="10000002"), outcome="contacted")
    out = tmp_path / "alerts.csv"

    call_command("export", "alerts", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out))

    assert out.read_text(encoding="utf-8") == ("customer_no,rule,biz_date,staff_no,status\n"
                                               "10000001,large_withdrawal,2026-03-03,S0004,open\n"
                                               "10000002,large_withdrawal,2026-03-03,S0003,resolved\n"
                                               "10000003,large_withdrawal,2026-03-03,,open\n")
    call_command("export", "alerts", "--from", "2026-03-04", "--to", "2026-03-31", "--out", str(out))
    assert out.read_text(encoding="utf-8") == "customer_no,rule,biz_date,staff_no,status\n"


def test_resolving_an_alert_records_the_outcome_closes_its_task_and_is_audited(org_world):
    """The broker resolves with 'contacted'; the task is done too; resolving twice is refused."""
    con = _world(org_world)
    alerts_step(dates(*DAYS), con=con)
    alert = Alert.objects.get(customer__customer_no="10000002")

    alert_resolve(actor=org_world["users"]["broker"], alert=alert, outcome="contacted", note="客户购房，资金正常")

    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.outcome_note) == ("resolved", "contacted", "客户购房，资金正常")
    assert alert.task.status == "done"
    assert AuditEntry.objects.filter(object_type="servicing.alert", action="update").get().changes["status"] == ["open", "resolved"]
    with pytest.raises(DomainError, match="already resolved"):
        alert_resolve(actor=org_world["users"]["broker"], alert=alert, outcome="contacted")


def test_a_disabled_rule_does_not_run_and_bad_parameters_change_nothing(org_world):
    """Disabling large_withdrawal leaves the day without alerts; a bad threshold is refused with its field named."""
    con = _world(org_world)
    alert_rule_update(actor=org_world["users"]["admin"], code="large_withdrawal", enabled=False, parameters={})

    assert alerts_step(dates(*DAYS), con=con)["servicing.alerts"] == 0
    with pytest.raises(InputRejected) as refused:
        alert_rule_update(actor=org_world["users"]["admin"], code="large_withdrawal", enabled=True, parameters={"amount": "-1"})
    assert str(refused.value) == "amount: must be an amount ≥ 0"
    assert Alert.objects.count() == 0


def test_relations_imported_after_the_load_route_the_alerts_and_their_tasks(org_world):
    """Alerts raised before any relation existed get their staff when the CRM-change run comes (no dates)."""
    con = _world(org_world)
    from brokercrm.relations.models import Relation

    Relation.objects.all().delete()
    alerts_step(dates(*DAYS), con=con)
    assert set(Alert.objects.values_list("staff", flat=True)) == {None}
    relate(Alert.objects.get(customer__customer_no="10000003").customer, org_world["staff"]["other"])

    counts = alerts_step([], con=con)

    assert counts == {"servicing.alerts": 0, "rerouted": 1}
    alert = Alert.objects.get(customer__customer_no="10000003")
    assert (alert.staff.staff_no, alert.task.staff.staff_no) == ("S0005", "S0005")


def test_an_alert_task_is_due_three_trading_days_later_across_the_year_end(org_world):
    """An alert of 2026-12-30 with 1 and 4 January 2027 closed: due 2027-01-06 (12-31, 01-05, 01-06)."""
    closures_import(actor=None, data="date,reason\n2027-01-01,元旦\n2027-01-04,测试休市\n".encode(), file_name="2027.csv")
    CustomerFactory(customer_no="10000009", branch=org_world["branches"][0])

    alerts_raise(candidates=[Candidate("10000009", "large_deposit", dt.date(2026, 12, 30), {"amount": "900000.00"})])

    assert ServiceTask.objects.get(customer__customer_no="10000009").due_date == dt.date(2027, 1, 6)
