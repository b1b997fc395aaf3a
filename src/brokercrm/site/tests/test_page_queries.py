"""Query counts of the pages the load benchmark drives (customer list, search, 360° page with every app's panel): the
number of queries does not grow with the number of rows shown. Counts, not timings (timings live in benchmarks/)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokercrm.analytics.tests.factories import MembershipFactory
from brokercrm.customers.models import CustomerChange
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.products.tests.factories import ProductFactory
from brokercrm.servicing.models import CallRecord
from brokercrm.servicing.tests.factories import AlertFactory, ServiceTaskFactory

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    """The queries of a request once the per-process caches (roles, menus, layouts) are warm: a first request fills them."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def history(customer, staff, user, *, rows: int, first: int = 0) -> None:
    """`rows` more of every history the 360° page shows: changes, months, alerts, tasks, calls, ended relations, products."""
    for i in range(first, first + rows):
        CustomerChange.objects.create(customer=customer, business_date=dt.date(2026, 1, 2) + dt.timedelta(days=i), field="risk_level",
                                      old_value="C3", new_value="C4")
        MembershipFactory(customer=customer, period=f"{2020 + i // 12}-{i % 12 + 1:02d}")
        AlertFactory(customer=customer, staff=staff, biz_date=dt.date(2026, 3, 3) + dt.timedelta(days=i))
        ServiceTaskFactory(customer=customer, staff=staff)
        CallRecord.objects.create(customer=customer, user=user, direction="outbound", phone="13800000000", started_at=timezone.now(),
                                  duration_seconds=60, outcome="answered")
        relate(customer, staff, start=dt.date(2015, 1, 5) + dt.timedelta(days=10 * i), end=dt.date(2015, 1, 9) + dt.timedelta(days=10 * i))
        ProductFactory()


def test_the_360_page_runs_as_many_queries_for_many_history_rows_as_for_one(client, org_world):
    """Given a broker's customer with one row of every history, when eleven more of each are added, then the 360° page
    (profile, changes, relations, segments, service history, products, research) runs the same number of queries."""
    broker, user = org_world["staff"]["broker"], org_world["users"]["broker"]
    customer = CustomerFactory(customer_no="1001", branch=broker.branch, risk_level="C4", risk_assessed_on=dt.date(2026, 1, 5),
                               open_date=dt.date(2015, 1, 5))
    relate(customer, broker)
    history(customer, broker, user, rows=1)
    client.force_login(user)
    one = queries(client, "/customers/1001/")
    history(customer, broker, user, rows=11, first=1)
    assert queries(client, "/customers/1001/") == one


def test_a_search_runs_as_many_queries_for_fifty_matches_as_for_two(client, org_world):
    """Given two customers named 王… held by the broker, when fifty more are, then a search for 王 (a page of rows with
    branch, figures and tags) runs the same number of queries."""
    broker, user = org_world["staff"]["broker"], org_world["users"]["broker"]

    def held(n: int, first: int) -> None:
        for i in range(first, first + n):
            relate(CustomerFactory(name=f"王{i:03d}", branch=broker.branch), broker)

    held(2, 0)
    client.force_login(user)
    two = queries(client, "/customers/?q=王")
    held(50, 2)
    assert queries(client, "/customers/?q=王") == two
