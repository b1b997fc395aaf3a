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



def test_broker_scope_is_driven_by_the_relation_index_not_a_scan_of_customers(book):
    """Given a broker, when their customer list is asked for, then the scope is one subquery over the relation table
    filtered by the broker's staff id (in force today), and SQLite's plan searches relations by the staff index and
    customers only by key: the scope never scans every customer. PostgreSQL gets the same SQL (its plan depends on size)."""
    from django.db import connection

    qs = selectors.customer_list(user=book["users"]["broker"])
    sql, params = qs.query.sql_with_params()

    assert 'WHERE "customers_customer"."id" IN (SELECT U0."id"' in sql and 'INNER JOIN "relations_relation" U1' in sql
    assert 'U1."staff_id" IN (%s)' in sql and 'U1."start_date" <= %s' in sql
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [str(row[-1]) for row in cursor.fetchall()]
        assert [step.split(" (")[0] for step in plan if step.startswith(("SEARCH", "SCAN"))] == [
            "SEARCH customers_customer USING INTEGER PRIMARY KEY", "SEARCH U1 USING INDEX relations_relation_staff_id_507606f5",
            "SEARCH U0 USING INTEGER PRIMARY KEY", "SEARCH org_branch USING INTEGER PRIMARY KEY"], plan
    assert list(qs.values_list("customer_no", flat=True)) == ["1001"]
