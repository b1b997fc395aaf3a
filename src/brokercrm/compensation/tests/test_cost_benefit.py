"""Cost–benefit: income equals the staff indicators plus product-sales income, cost the payroll's gross plus customer
cost; levels add up."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from brokercrm.compensation import costbenefit, services
from brokercrm.compensation.models import Payslip
from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.evaluation import facade as evaluation
from brokercrm.products.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _buy(serial, staff_no, amount, *, market="OF", code="000001", side="B", day=dt.date(2026, 3, 10), branch="0001"):
    return {"trade_date": day, "serial_no": serial, "customer_no": "10000001", "market": market, "security_code": code,
            "side": side, "amount": D(amount), "branch_code": branch, "staff_no": staff_no}


# The delivered trades of March: S0003 subscribes 100,000.00 and 50,015.00 of two OF funds, S0004 20,000.00; a sell, a
# buy of March 2025, a buy of a security that is no product and a buy of a listed R3 stock (a trade on the shelf, not a
# sale) bring in nothing.
TRADES = [_buy("1", "S0003", "100000.00"), _buy("2", "S0003", "50015.00", code="000002"),
          _buy("3", "S0004", "20000.00"), _buy("4", "S0003", "9999.00", side="S"),
          _buy("5", "S0003", "7777.00", day=dt.date(2025, 3, 10)), _buy("6", "S0003", "8888.00", code="999999"),
          _buy("7", "S0003", "6666.00", market="SH", code="600519")]


@pytest.fixture
def paid(org_world, snapshot_dir):
    ProductFactory(market="OF", security_code="000001", risk_level="R2")
    ProductFactory(market="OF", security_code="000002", risk_level="R3")
    ProductFactory(market="SH", security_code="600519", product_type="stock", risk_level="R3")
    publish_month(snapshot_dir, extra={"dw.fact_trades": TRADES})
    ho = org_world["users"]["head_office"]
    services.pay_input_set(actor=ho, period=MONTH, staff=org_world["staff"]["broker"], name="customer_cost", value=D("1200"))
    services.payroll_run_calculate(actor=ho, period=MONTH)
    return org_world


def test_cost_benefit_equals_the_payroll_and_the_indicators(paid):
    """Each staff row's pay is their payslip's gross, income their net commission in the staff marts, S0003's cost adds
    the 1,200 customer cost; the branch rows are the sums of the staff rows; the year equals the month here."""
    ho = paid["users"]["head_office"]
    rows = {r.key: r for r in costbenefit.cost_benefit(user=ho, period=MONTH, level="staff")}
    indicators = evaluation.staff_indicators(evaluation.parse_period(MONTH)).values
    for slip in Payslip.objects.filter(run__period=MONTH).select_related("staff"):
        row = rows[slip.staff.staff_no]
        assert row.pay == slip.gross
        assert row.net_commission == (indicators.get(slip.staff.staff_no, {}).get("net_commission") or D("0.00"))
        assert row.income == row.net_commission + row.product_income
    s3 = rows["S0003"]
    assert s3.customer_cost == D("1200.00") and s3.cost == s3.pay + D("1200.00") and s3.contribution == s3.income - s3.cost
    assert s3.roi == (s3.contribution / s3.cost).quantize(D("0.0001"))
    branches = {r.key: r for r in costbenefit.cost_benefit(user=ho, period=MONTH, level="branch")}
    assert branches["0001"].cost == sum((r.cost for r in rows.values() if r.key in ("S0001", "S0002", "S0003", "S0004", "S0006")), D(0))
    assert [(r.key, r.income, r.cost) for r in costbenefit.cost_benefit(user=ho, period=MONTH[:4], level="branch")] == \
           [(r.key, r.income, r.cost) for r in branches.values()]


def test_the_page_is_scoped_and_draws_the_trend(paid, client):
    """The manager of 0001 sees their branch's staff only, with the chart's data; a broker is refused."""
    client.force_login(paid["users"]["branch_manager"])
    page = client.get(reverse("compensation:cost_benefit"), {"period": MONTH}).content.decode()
    assert "S0003" in page and "S0005" not in page and 'data-chart="cost_benefit"' in page and "cost-benefit-data" in page
    client.force_login(paid["users"]["broker"])
    assert client.get(reverse("compensation:cost_benefit"), {"period": MONTH}).status_code == 403


def test_product_sales_bring_in_their_income_at_the_product_income_rate(paid):
    """Product-sales income = the staff member's product sales × product_income_rate (0.003 shipped), half-up per staff
    member: S0003 150,015.00 × 0.003 = 450.045 → 450.05, income 35,000.00 + 450.05 = 35,450.05; S0004 20,000.00 × 0.003
    = 60.00; branch 0001's product income is their sum, 510.05."""
    ho = paid["users"]["head_office"]
    rows = {r.key: r for r in costbenefit.cost_benefit(user=ho, period=MONTH, level="staff")}
    branches = {r.key: r for r in costbenefit.cost_benefit(user=ho, period=MONTH, level="branch")}

    assert costbenefit.product_income_rate() == D("0.003")
    assert (rows["S0003"].product_income, rows["S0003"].income) == (D("450.05"), D("35450.05"))
    assert (rows["S0004"].product_income, rows["S0004"].income) == (D("60.00"), D("10060.00"))
    assert rows["S0005"].product_income == D("0.00")
    assert branches["0001"].product_income == D("510.05") and branches["0002"].product_income == D("0.00")
    assert rows["S0003"].shown["income"] == "35,450.05"
