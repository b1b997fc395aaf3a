"""Effect of service: served customers against the segment's unserved ones, by the next month's indicators; the page."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brokercrm.analytics.models import BuiltPeriod
from brokercrm.analytics.tests.factories import MembershipFactory, default_config
from brokercrm.analytics.tests.snapshot_factory import SnapshotFactory
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.servicing.effect import strategy_effect
from brokercrm.servicing.models import OutboxMessage
from brokercrm.servicing.services.strategies import strategy_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(org_world, settings, tmp_path):
    """Gold in March: E1 and E2 get the strategy's SMS in March (sent), E3 is not served; April inflows 10,000 / 30,000 / 5,000."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    default_config()
    strategy = strategy_create(actor=None, name="黄金客户关怀短信", segment="tier:gold", content="customer_care", channel="sms",
                               frequency="monthly", owner="service_staff", body="{name}您好")
    snap = SnapshotFactory()
    for no, inflow, trades in (("E1", 10_000, 2), ("E2", 30_000, 4), ("E3", 5_000, 1)):
        customer = CustomerFactory(customer_no=no, branch=org_world["branches"][0], open_date=dt.date(2024, 1, 2))
        MembershipFactory(customer=customer, period="2026-03", tier="gold")
        snap.month(no, "2026-04", avg_daily_assets=1_000_000, end_assets=1_000_000, net_inflow=inflow, trade_count=trades,
                   trade_amount=trades * 10_000, active_days=trades)
        if no != "E3":
            OutboxMessage.objects.create(customer=customer, channel="sms", recipient="13800000000", body_text="x",
                                         dedupe_key=f"strategy:{strategy.pk}:2026-03:{no}", status="sent",
                                         sent_at=timezone.make_aware(dt.datetime(2026, 3, 20, 10)))
    BuiltPeriod.objects.create(period="2026-03", customers=3)
    snap.publish(settings.WAREHOUSE_SNAPSHOT_DIR)
    return org_world | {"strategy": strategy}


def test_served_against_unserved_by_the_next_months_indicators(served):
    """March: served E1, E2 average 20,000.00 inflow and 3 trades in April; unserved E3 5,000.00 and 1."""
    [march] = strategy_effect(served["strategy"])
    assert (march.month, march.following) == ("2026-03", "2026-04")
    assert (march.served.customers, str(march.served.net_inflow), str(march.served.trades)) == (2, "20000.00", "3.00")
    assert (march.unserved.customers, str(march.unserved.net_inflow), str(march.unserved.trades)) == (1, "5000.00", "1.00")


def test_head_office_sees_the_effect_on_the_strategy_page_and_a_broker_does_not(client, served):
    """The strategy page shows the effect table to head office; a broker is refused."""
    client.force_login(served["users"]["head_office"])
    page = client.get(reverse("servicing:strategy_detail", args=[served["strategy"].pk]))
    assert page.status_code == 200 and "20000.00" in page.content.decode()
    client.force_login(served["users"]["broker"])
    assert client.get(reverse("servicing:strategy_detail", args=[served["strategy"].pk])).status_code == 403
