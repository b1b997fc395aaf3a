import datetime as dt
from decimal import Decimal

import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.products.tests.factories import ProductFactory


@pytest.fixture
def shelf(org_world):
    """A C3 customer (fresh questionnaire, 100,000 of assets) held by the broker, one held by branch 0002, and products R2/R4."""
    from brokercrm.customers.models import CustomerFigures

    s, (b1, b2) = org_world["staff"], org_world["branches"]
    c3 = CustomerFactory(customer_no="1001", name="张三丰", branch=b1, risk_level="C3", risk_assessed_on=dt.date(2025, 6, 30),
                         email="zsf@example.com")
    other = CustomerFactory(customer_no="2001", name="李四", branch=b2, risk_level="C5", risk_assessed_on=dt.date(2025, 6, 30))
    CustomerFigures.objects.create(customer=c3, period="2026-03", end_assets=Decimal("100000.00"), avg_daily_assets=Decimal("0"),
                                   net_commission=Decimal("0"))
    relate(c3, s["broker"])
    relate(other, s["other"])
    org_world["customers"] = {"c3": c3, "other": other}
    org_world["products"] = {"r2": ProductFactory(security_code="000001", name="稳健债券基金", risk_level="R2"),
                             "r4": ProductFactory(security_code="000004", name="科技成长混合", risk_level="R4")}
    return org_world
