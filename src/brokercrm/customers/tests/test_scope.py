import datetime as dt

import pytest

from brokercrm.customers import selectors
from brokercrm.customers.tests.factories import CustomerFactory, relate

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org_world):
    """c1 developed by the broker, c2 served by the colleague, c3 in branch 0002 with the other broker, c4 whose relation ended."""
    s, (b1, b2) = org_world["staff"], org_world["branches"]
    c1, c2 = CustomerFactory(customer_no="1001", branch=b1), CustomerFactory(customer_no="1002", branch=b1)
    c3, c4 = CustomerFactory(customer_no="1003", branch=b2), CustomerFactory(customer_no="1004", branch=b1)
    relate(c1, s["broker"])
    relate(c2, s["colleague"], "service")
    relate(c3, s["other"])
    relate(c4, s["broker"], end=dt.date(2021, 1, 4))
    return org_world


@pytest.mark.parametrize("who,expected", [
    ("admin", {"1001", "1002", "1003", "1004"}), ("compliance", {"1001", "1002", "1003", "1004"}),
    ("branch_manager", {"1001", "1002", "1004"}), ("team_leader", {"1001", "1002"}),
    ("broker", {"1001"}), ("other_broker", {"1003"}), ("service_agent", set()),
])
def test_customer_scope_by_role(book, who, expected):
    """Brokers see customers they hold a relation with today; team leaders their team's; branch managers their branch."""
    user = book["users"][who]
    assert set(selectors.customer_list(user=user).values_list("customer_no", flat=True)) == expected


def test_customer_outside_scope_is_a_404(book):
    """customer_get on another broker's customer raises Http404, not PermissionDenied."""
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.customer_get(user=book["users"]["broker"], customer_no="1003")
