import pytest

from brokercrm.customers.models import Prospect
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.site.demo import _demo_prospect_review

pytestmark = pytest.mark.django_db


def test_the_demo_queues_one_prospect_for_review_once(org_world):
    """Given the demo's broker and broker2 of another branch with an unheld customer, when the demo runs twice, then one
    prospect of the broker's branch waits for review with that customer's mobile, and the broker was told nothing else."""
    b1, b2 = org_world["branches"]
    broker2 = org_world["users"]["other_broker"]
    broker2.username = "broker2"
    broker2.save(update_fields=["username"])
    broker = org_world["users"]["broker"]
    CustomerFactory(customer_no="20001", name="孙七", mobile="13911112222", mobile_last4="2222", branch=b2)

    first = _demo_prospect_review(broker)
    again = _demo_prospect_review(broker)

    p = Prospect.objects.get()
    assert first == f"prospect P{p.pk} waits for review: same mobile as 20001 of branch 0002" and again == ""
    assert (p.name, p.branch, p.staff, p.mobile, p.review_pending) == ("孙七", b1, org_world["staff"]["broker"], "13911112222", True)
