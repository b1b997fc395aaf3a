import pytest

from brokercrm.compensation.tests.world import MONTH, install_shipped_templates, publish_month
from brokercrm.core.tests.browser import login
from brokercrm.customers.tests.factories import CustomerFactory, relate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_office_runs_a_scheme_and_a_broker_drills_from_score_to_customers(org_world, snapshot_dir, page):
    """HO runs AM-MONTHLY for March on the page and sees the ranking with its chart; the broker sees own score and its customers."""
    install_shipped_templates()
    publish_month(snapshot_dir)
    relate(CustomerFactory(customer_no="10000001", name="甲客户", branch=org_world["branches"][0]), org_world["staff"]["broker"])

    login(page, "ho")
    page.goto("/evaluation/")
    assert "net_commission" in page.inner_text("[data-testid=indicators]")
    page.select_option("[data-testid=run-form] select[name=scheme]", "AM-MONTHLY")
    page.fill("[data-testid=run-form] input[name=period]", MONTH)
    page.click("[data-testid=run-form] button")
    page.wait_for_selector("[data-testid=scores]")
    rows = page.locator("[data-testid=scores] tbody tr").all_inner_texts()
    assert [r.split()[0] for r in rows] == ["S0003", "S0005", "S0004"]
    assert page.locator("#score-chart canvas").count() == 1
    run_url = page.url
    page.context.clear_cookies()

    login(page, "broker")
    page.goto(run_url)
    assert page.locator("[data-testid=scores] tbody tr").count() == 1
    page.click("[data-testid=scores] a")
    page.wait_for_selector("[data-testid=score-lines]")
    assert "88.00" in page.inner_text("[data-testid=score-total]")
    page.click("[data-testid=score-lines] >> text=net_commission")
    page.wait_for_selector("[data-testid=drill-customers]")
    assert "10000001" in page.inner_text("[data-testid=drill-customers]")
