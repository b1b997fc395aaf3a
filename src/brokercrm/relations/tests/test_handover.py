"""The hand-over list: departed staff of the branch with the open relations still in their name."""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.org.services import staff_leave
from brokercrm.relations import selectors

pytestmark = pytest.mark.django_db


def _departed(world):
    """Broker S0003 (customer 10000001 since 2024-01-02, plus 10000002 whose relation ended) leaves today."""
    ended = CustomerFactory(customer_no="10000002", name="客户乙", branch=world["branches"][0], open_date=dt.date(2024, 1, 2))
    relate(ended, world["staff"]["broker"], start=dt.date(2024, 1, 2), end=dt.date(2024, 6, 3))
    staff_leave(actor=world["users"]["admin"], staff=world["staff"]["broker"], leave_date=timezone.localdate())


def test_the_branch_manager_sees_the_departed_brokers_open_relations(world):
    """Given broker S0003 left today holding customer 10000001 (open) and 10000002 (ended), when his branch manager
    asks, then the list has S0003 with 10000001 only, and the page links to the bulk transfer of S0003."""
    _departed(world)
    client = Client()
    client.force_login(world["users"]["branch_manager"])

    handovers = selectors.handover_list(user=world["users"]["branch_manager"], on=timezone.localdate())
    page = client.get("/relations/handover/").content.decode()

    assert [(h.staff.staff_no, [r.customer.customer_no for r in h.relations]) for h in handovers] == [("S0003", ["10000001"])]
    assert 'data-testid="handover-S0003"' in page and "10000001" in page and "10000002" not in page
    assert 'href="/relations/bulk-transfer/?staff_no=S0003"' in page


def test_another_branchs_manager_does_not_see_them(world):
    """Given the same departure, when branch 0002's manager asks, then the list is empty."""
    _departed(world)
    client = Client()
    client.force_login(world["users"]["branch_manager_2"])

    assert selectors.handover_list(user=world["users"]["branch_manager_2"], on=timezone.localdate()) == []
    assert 'data-testid="handover-empty"' in client.get("/relations/handover/").content.decode()


def test_staff_leaving_in_the_future_are_not_listed_yet(world):
    """Given broker S0003 leaves tomorrow, when his branch manager asks today, then the list is empty."""
    staff_leave(actor=world["users"]["admin"], staff=world["staff"]["broker"], leave_date=timezone.localdate() + dt.timedelta(days=1))

    assert selectors.handover_list(user=world["users"]["branch_manager"], on=timezone.localdate()) == []


def test_brokers_may_not_open_the_hand_over_list(world):
    """The list is for those who apply for bulk transfers: a broker gets 403."""
    client = Client()
    client.force_login(world["users"]["team_leader"])

    assert client.get("/relations/handover/").status_code == 403
