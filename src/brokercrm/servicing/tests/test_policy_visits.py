"""Key-customer visits (the policy's segment once per period) and exception visits (alerts of chosen rules)."""
import datetime as dt

import pytest

from brokercrm.analytics.models import BuiltPeriod
from brokercrm.analytics.tests.factories import MembershipFactory, default_config
from brokercrm.core.errors import DomainError
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.servicing.jobs import key_customers
from brokercrm.servicing.models import ServiceTask
from brokercrm.servicing.services.tasks import policy_visits_generate, visit_policy_update
from brokercrm.servicing.tests.factories import AlertFactory

pytestmark = pytest.mark.django_db


def test_diamond_customers_get_one_key_visit_a_quarter(org_world):
    """Two diamond customers in February: a key visit each due by the quarter's last trading day; again in March adds none."""
    default_config()
    for no, tier in (("91000001", "diamond"), ("91000002", "diamond"), ("91000003", "gold")):
        customer = CustomerFactory(customer_no=no, branch=org_world["branches"][0], open_date=dt.date(2024, 1, 2))
        MembershipFactory(customer=customer, period="2026-02", tier=tier)
        if no == "91000001":
            relate(customer, org_world["staff"]["broker"], start=dt.date(2024, 1, 2))
    BuiltPeriod.objects.create(period="2026-02", customers=3)

    keys = key_customers(dt.date(2026, 3, 2))  # March not built yet: February's memberships
    first = policy_visits_generate(as_of=dt.date(2026, 3, 2), key_customers=keys)
    again = policy_visits_generate(as_of=dt.date(2026, 3, 20), key_customers=key_customers(dt.date(2026, 3, 20)))

    assert (first.key, again.key) == (2, 0)
    tasks = ServiceTask.objects.filter(kind="visit_key").order_by("customer__customer_no")
    assert [(t.customer.customer_no, t.staff.staff_no if t.staff else None, t.due_date, t.source_key) for t in tasks] == [
        ("91000001", "S0003", dt.date(2026, 3, 31), "visit_key:2026-Q1:91000001"),
        ("91000002", None, dt.date(2026, 3, 31), "visit_key:2026-Q1:91000002")]


def test_exception_visits_follow_the_chosen_alert_rules(org_world):
    """With large_withdrawal chosen, its alert gets an exception visit for the alert's staff; a large deposit does not."""
    visit_policy_update(actor=None, key_segment="", key_frequency="quarterly", exception_rules=["large_withdrawal"], exception_due_days=5)
    broker = org_world["staff"]["broker"]
    withdrawal = AlertFactory(rule="large_withdrawal", biz_date=dt.date(2026, 3, 3), staff=broker)
    AlertFactory(rule="large_deposit", biz_date=dt.date(2026, 3, 3), staff=broker)

    result = policy_visits_generate(as_of=dt.date(2026, 3, 3), dates=[dt.date(2026, 3, 3)])
    again = policy_visits_generate(as_of=dt.date(2026, 3, 3), dates=[dt.date(2026, 3, 3)])

    assert (result.exception, again.exception) == (1, 0)
    task = ServiceTask.objects.get(kind="visit_exception")
    assert (task.customer_id, task.staff_id, task.due_date, task.source_key) == (
        withdrawal.customer_id, broker.pk, dt.date(2026, 3, 10), f"visit_exception:large_withdrawal:{withdrawal.pk}")


def test_a_bad_policy_is_refused_naming_the_field(org_world):
    """An unknown rule or a malformed segment changes nothing and names the field."""
    with pytest.raises(DomainError) as refused:
        visit_policy_update(actor=None, key_segment="tier:diamond", key_frequency="quarterly", exception_rules=["nope"], exception_due_days=5)
    assert refused.value.field == "exception_rules"
    with pytest.raises(DomainError) as refused:
        visit_policy_update(actor=None, key_segment="diamond", key_frequency="quarterly", exception_rules=[], exception_due_days=5)
    assert refused.value.field == "key_segment"


def test_head_office_changes_the_policy_on_its_page_and_a_bad_segment_is_named(client, org_world):
    """The page stores key visits for gold each month and the care thresholds; a malformed segment is refused on its field."""
    from brokercrm.servicing.models import VisitPolicy

    client.force_login(org_world["users"]["head_office"])
    data = {"key_segment": "tier:gold", "key_frequency": "monthly", "exception_rules": ["assets_drop"], "exception_due_days": "3",
            "care_birthdays": "on", "care_drop_percent": "20", "care_drop_days": "10", "care_drop_min_assets": "100000.00"}
    assert client.post("/service/visits/policy/", data).status_code == 302
    policy = VisitPolicy.objects.get()
    assert (policy.key_segment, policy.key_frequency, policy.exception_rules, policy.care_anniversaries, policy.care_drop_days) == (
        "tier:gold", "monthly", ["assets_drop"], False, 10)
    refused = client.post("/service/visits/policy/", data | {"key_segment": "gold"})
    assert refused.status_code == 200 and refused.context["form"].errors["key_segment"]
