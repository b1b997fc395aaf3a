"""The objects' world: the small organisation with one customer of the broker (branch 0001) and one of another branch."""
import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate


@pytest.fixture
def world(org_world):
    b1, b2 = org_world["branches"]
    own = CustomerFactory(customer_no="1001", name="张客户", branch=b1)
    foreign = CustomerFactory(customer_no="2001", name="李客户", branch=b2)
    relate(own, org_world["staff"]["broker"])
    relate(foreign, org_world["staff"]["other"])
    return dict(org_world, customers={"own": own, "foreign": foreign})
