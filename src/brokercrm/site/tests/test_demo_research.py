import datetime as dt
from decimal import Decimal

import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.datacenter.tests.snapshot import write_snapshot
from brokercrm.research.models import ResearchDelivery, ResearchReport
from brokercrm.site.demo import _demo_research

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 30)


def test_the_demo_stores_its_research_once_and_the_broker_pushes_the_industry_report_to_holders(org_world, settings, tmp_path):
    """Given the broker's customer holding a 汽车 stock and another branch's holder, when the demo runs twice, then the three
    generated Chinese PDFs are stored once with their text, and only the broker's holder got the clients' industry report, once."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    b1, b2 = org_world["branches"]
    mine = CustomerFactory(customer_no="1001", branch=b1, email="zhang@example.com")
    theirs = CustomerFactory(customer_no="2001", branch=b2, email="qian@example.com")
    relate(mine, org_world["staff"]["broker"])
    relate(theirs, org_world["staff"]["other"])
    write_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR, {
        "dw.securities": [{"market": "SZ", "security_code": "002001", "security_name": "长城汽车", "security_type": "stock",
                           "industry": "汽车", "risk_level": "R3", "delivered_on": DAY}],
        "dw.fact_positions": [{"biz_date": DAY, "customer_no": no, "market": "SZ", "security_code": "002001", "quantity": 100,
                               "cost_amount": Decimal("1000.00"), "close_price": Decimal("10.000"), "market_value": Decimal("1000.00")}
                              for no in ("1001", "2001")],
    })

    first = _demo_research(org_world["users"]["broker"])
    again = _demo_research(org_world["users"]["broker"])

    assert ResearchReport.objects.count() == 3 and len(first) == 5 and len(again) == 2
    assert (first[3], again[0]) == ("research push by email: 1 queued for 1 holders of 汽车", "research push by email: 0 queued for 1 holders of 汽车")
    assert list(ResearchDelivery.objects.values_list("customer__customer_no", "matched_on")) == [("1001", "SZ002001")]
    assert "渗透率" in ResearchReport.objects.get(report_type="industry").body_text
