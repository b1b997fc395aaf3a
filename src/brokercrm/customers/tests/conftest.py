import datetime as dt

import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate


@pytest.fixture
def book(org_world):
    """Four customers with chosen keys: the broker holds 1001 and 2001, the colleague serves 1002, branch 0002's broker holds 10031."""
    s, (b1, b2) = org_world["staff"], org_world["branches"]
    c1 = CustomerFactory(customer_no="1001", name="张三丰", mobile="13812345678", mobile_last4="5678",
                         id_no="310101199001011234", id_no_last4="1234", branch=b1, risk_level="C4",
                         risk_assessed_on=dt.date(2025, 6, 30), email="zsf@example.com", address="上海市浦东新区世纪大道100号")
    c2 = CustomerFactory(customer_no="1002", name="张三", mobile="13900005678", mobile_last4="5678",
                         id_no="31010119850505123X", id_no_last4="123X", branch=b1, risk_level="C2", open_date=dt.date(2023, 5, 6))
    c3 = CustomerFactory(customer_no="10031", name="李四", mobile="13700005678", mobile_last4="5678",
                         id_no="110101198505051111", id_no_last4="1111", branch=b2, status="frozen")
    c4 = CustomerFactory(customer_no="2001", name="王张三丰", mobile="13600001111", mobile_last4="1111",
                         id_no="E12345678", id_no_last4="5678", id_type="passport", branch=b1, risk_level="C4")
    relate(c1, s["broker"])
    relate(c2, s["colleague"], "service", start=dt.date(2023, 5, 6))
    relate(c3, s["other"])
    relate(c4, s["broker"])
    org_world["customers"] = {"c1": c1, "c2": c2, "c3": c3, "c4": c4}
    return org_world
