import datetime as dt
from decimal import Decimal as D

import pytest

from brokercrm.compensation import services
from brokercrm.compensation.models import PayrollRun
from brokercrm.compensation.tests.world import MONTH, install_shipped_templates, publish_month
from brokercrm.core.tests.browser import login
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.evaluation.models import Scheme
from brokercrm.evaluation.services import evaluation_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def month(org_world, snapshot_dir):
    install_shipped_templates()
    trade = {"customer_no": "10000001", "market": "SH", "security_code": "600519", "side": "B", "quantity": 100,
             "price": D("1500"), "amount": D("150000"), "channel": "app", "staff_no": "S0003"}
    publish_month(snapshot_dir, extra={"dw.fact_trades": [
        {**trade, "trade_date": dt.date(2026, 3, 2), "serial_no": "T1", "commission": D("20000.00"), "handling_fee": D("1.00"),
         "regulatory_fee": D("0.50")},
        {**trade, "trade_date": dt.date(2026, 3, 20), "serial_no": "T2", "commission": D("10001.50"), "handling_fee": D("1.00"),
         "regulatory_fee": D("0.00")}]})
    relate(CustomerFactory(customer_no="10000001", name="甲客户", branch=org_world["branches"][0]), org_world["staff"]["broker"])
    evaluation_run(actor=org_world["users"]["head_office"], scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    return org_world


def test_head_office_runs_the_month_admin_approves_and_the_broker_follows_a_line_to_its_trades(month, page):
    """HO runs and submits March; the branch manager, paid in 0001, may not approve it: admin approves 0001 on the page;
    once locked, the broker's commission line leads to the trades."""
    login(page, "ho")
    page.goto("/compensation/")
    page.fill("[data-testid=run-month] input[name=period]", MONTH)
    page.click("[data-testid=run-month] button")
    page.wait_for_url(f"**/compensation/runs/{MONTH}/")
    assert page.get_attribute("[data-testid=run-status]", "data-status") == "draft"
    assert page.locator("[data-testid=branch-chart] canvas").count() == 1
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=run-status][data-status=review]")
    page.context.clear_cookies()

    login(page, "bm")
    page.goto(f"/compensation/runs/{MONTH}/")
    assert "S0005" not in page.locator("[data-testid=payslips]").inner_text()
    assert page.locator("[data-testid=approve-0002]").count() == 0
    assert page.locator("[data-testid=approve-0001]").count() == 0
    page.context.clear_cookies()

    login(page, "admin")
    page.goto(f"/compensation/runs/{MONTH}/")
    page.click("[data-testid=approve-0001]")
    page.wait_for_selector("[data-testid=approvals] >> text=admin")
    page.context.clear_cookies()

    run = PayrollRun.objects.get(period=MONTH)
    services.payroll_branch_approve(actor=month["users"]["admin"], run=run, branch=month["branches"][1])
    services.payroll_run_lock(actor=month["users"]["head_office"], run=run)

    login(page, "broker")
    page.goto(f"/compensation/runs/{MONTH}/S0003/")
    # 5,000 post + 5,250 commission + 400 opening + 250 growth + 300 points, coefficients 1.0 × 1
    assert page.inner_text("[data-testid=net]") == "11200.00"
    line = page.locator("[data-testid=line-perf_commission]").inner_text()
    assert "5250.00" in line and 'tier(net_commission, "net_commission_rate")' in line and "35000.00" in line
    page.click("[data-testid=drill-perf_commission-net_commission]")
    page.wait_for_selector("[data-testid=drill-customers]")
    assert "10000001" in page.inner_text("[data-testid=drill-customers]")
    page.click("[data-testid=drill-customers] a")
    page.wait_for_selector("[data-testid=trades]")
    assert page.inner_text("[data-testid=trades-commission]") == "30001.50"
    assert page.inner_text("[data-testid=trades-net]") == "29999.00"
