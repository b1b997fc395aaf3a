import datetime as dt

import factory

from brokercrm.customers.models import Customer
from brokercrm.org.tests.factories import BranchFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    customer_no = factory.Sequence(lambda n: f"{10000001 + n}")
    name = factory.Sequence(lambda n: f"客户{n + 1}")
    customer_type = "individual"
    id_type = "id_card"
    id_no = factory.Sequence(lambda n: f"31010119800101{n:04d}")
    id_no_last4 = factory.LazyAttribute(lambda o: o.id_no[-4:])
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    mobile_last4 = factory.LazyAttribute(lambda o: o.mobile[-4:])
    branch = factory.SubFactory(BranchFactory)
    open_date = dt.date(2020, 1, 2)
    status = "normal"


def relate(customer, staff, relation_type: str = "development", start=dt.date(2020, 1, 2), end=None):
    """Give a customer a relation with a staff member (through the service, so the rules hold)."""
    from brokercrm.relations.services import relation_add

    return relation_add(actor=None, customer=customer, staff=staff, relation_type=relation_type, start_date=start, end_date=end)
