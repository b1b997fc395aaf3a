"""The demo's differentiated service: strategies previewed and run, the agent's taken call task, a key visit done."""
import datetime as dt

import pytest

from brokercrm.analytics.models import BuiltPeriod
from brokercrm.analytics.tests.factories import MembershipFactory, default_config
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.servicing.models import ServiceTask, Strategy
from brokercrm.site.demo import _demo_service

pytestmark = pytest.mark.django_db


def test_demo_service_sets_up_the_desk_and_a_counted_key_visit(org_world, monkeypatch):
    """Branch 0001 has a diamond held by the demo broker and two gold customers: the company-wide diamond strategy waits
    inactive, the branch ones run, the agent holds one call task, the broker's key visit is done; a second run adds nothing."""
    from brokercrm.servicing.services import tasks as task_services

    monkeypatch.setattr(task_services, "latest_loaded_date", lambda: dt.date(2026, 3, 31))
    default_config()
    b1 = org_world["branches"][0]
    for no, tier in (("92000001", "diamond"), ("92000002", "gold"), ("92000003", "gold")):
        customer = CustomerFactory(customer_no=no, branch=b1, mobile=f"135{no}", open_date=dt.date(2024, 1, 2))
        MembershipFactory(customer=customer, period="2026-03", tier=tier)
        relate(customer, org_world["staff"]["broker"], start=dt.date(2024, 1, 2))
    BuiltPeriod.objects.create(period="2026-03", customers=3)

    lines = _demo_service(org_world["users"]["broker"])
    _demo_service(org_world["users"]["broker"])

    assert list(Strategy.objects.order_by("name").values_list("segment", "active")) == [
        ("tier:diamond", False), ("tier:diamond@0001", True), ("tier:gold@0001", True)]
    calls = ServiceTask.objects.filter(kind="strategy", call_centre=True)
    assert calls.count() == 2 and calls.filter(staff=org_world["users"]["service_agent"].staff).count() == 1
    visit = ServiceTask.objects.get(kind="visit_key")
    assert (visit.customer.customer_no, visit.status, visit.done_on) == ("92000001", "done", dt.date(2026, 3, 31))
    assert any("waits in preview" in line for line in lines)
