"""Fixtures of the relation processes: org_world plus a branch manager for branch 0002 and customers of branch 0001."""
import datetime as dt

import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate


@pytest.fixture
def world(org_world):
    """org_world, a branch manager user for branch 0002 (S0007), and customer 10000001 developed by broker S0003 since 2024-01-02."""
    from brokercrm.org.roles import Role
    from brokercrm.org.tests.factories import StaffFactory, category, user_for

    b1, b2 = org_world["branches"]
    manager2 = StaffFactory(staff_no="S0007", name="孙经理", category=category("branch_manager"), branch=b2)
    org_world["users"]["branch_manager_2"] = user_for(Role.BRANCH_MANAGER, staff=manager2, username="bm2")
    org_world["staff"]["manager_2"] = manager2
    customer = CustomerFactory(customer_no="10000001", name="客户甲", branch=b1, open_date=dt.date(2024, 1, 2))
    relate(customer, org_world["staff"]["broker"], start=dt.date(2024, 1, 2))
    org_world["customer"] = customer
    return org_world
