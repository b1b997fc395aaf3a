"""Responsible staff for a customer on a day: the service relation's staff, else the development relation's, else nobody."""
import datetime as dt

import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.relations.facade import responsible_staff, responsible_staff_on

pytestmark = pytest.mark.django_db
D = dt.date


def test_service_relation_wins_then_development_then_nobody(org_world):
    """Given a development relation from 2024-01-02 and a service relation [2024-03-01, 2024-06-01), the responsible staff
    member is the developer before and after the service relation, the server during it, and nobody before the first."""
    s = org_world["staff"]
    customer = CustomerFactory(customer_no="1001", branch=org_world["branches"][0], open_date=D(2024, 1, 2))
    relate(customer, s["broker"], start=D(2024, 1, 2))
    relate(customer, s["colleague"], "service", start=D(2024, 3, 1), end=D(2024, 6, 1))

    routing = responsible_staff([customer.pk])

    assert [routing.staff_on(customer.pk, day) for day in (D(2024, 1, 1), D(2024, 1, 2), D(2024, 3, 1), D(2024, 5, 31), D(2024, 6, 1))] == [
        None, s["broker"].pk, s["colleague"].pk, s["colleague"].pk, s["broker"].pk]
    assert responsible_staff_on(customer_id=customer.pk, day=D(2024, 4, 1)) == s["colleague"].pk


def test_of_two_overlapping_service_relations_the_later_start_wins(org_world):
    s = org_world["staff"]
    customer = CustomerFactory(customer_no="1001", branch=org_world["branches"][0], open_date=D(2024, 1, 2))
    relate(customer, s["broker"], "service", start=D(2024, 1, 2))
    relate(customer, s["colleague"], "service", start=D(2024, 2, 1))

    assert responsible_staff_on(customer_id=customer.pk, day=D(2024, 2, 1)) == s["colleague"].pk
    assert responsible_staff_on(customer_id=customer.pk, day=D(2024, 1, 31)) == s["broker"].pk
