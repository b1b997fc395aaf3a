"""factory_boy factories of the servicing app."""
import datetime as dt

import factory

from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.servicing.models import Alert, ServiceTask


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    customer = factory.SubFactory(CustomerFactory)
    rule = "large_withdrawal"
    biz_date = dt.date(2026, 3, 3)
    details = factory.LazyFunction(lambda: {"amount": "600000.00"})


class ServiceTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTask

    customer = factory.SubFactory(CustomerFactory)
    kind = ServiceTask.Kind.VISIT_EXISTING
    title = "Annual existing-customer visit"
    due_date = dt.date(2026, 3, 31)
    source_key = factory.Sequence(lambda n: f"test:{n}")
