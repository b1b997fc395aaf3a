"""In the browser: head office opens the cockpit, builds net commission by branch (this month vs last), saves it and
exports it to Excel; every page runs under the Content-Security-Policy."""
import pytest
from playwright.sync_api import expect

from brokercrm.core.tests.browser import login
from brokercrm.datacenter.pipelines.publish import publish_marts
from brokercrm.datacenter.tests.ods_factory import build, rich_brokerage
from brokercrm.datacenter.warehouse import connect
from brokercrm.org.tests.factories import user_for
from brokercrm.reports.definitions import ship
from brokercrm.reports.models import DashboardWidget, Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cockpit(settings, tmp_path):
    """The rich brokerage published, the shipped reports stored again (a transactional test flushed them), head office."""
    con = connect(tmp_path / "warehouse.duckdb")
    staff_rows, relations = rich_brokerage(con)
    build(con, staff_rows=staff_rows, relations=relations)
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    publish_marts(con, settings.WAREHOUSE_SNAPSHOT_DIR)
    con.close()
    ship(report_model=Report, widget_model=DashboardWidget)
    user_for("head_office", username="headoffice")


def test_head_office_builds_saves_and_exports_a_report(cockpit, page):
    """The home page shows head office's widgets with a chart; the builder runs April vs March by branch with a bar
    chart (with average assets, so that branches without an April trade have their rows), saves the report under a
    name, and the Excel export downloads."""
    login(page, "headoffice")
    expect(page.locator("[data-report='营业部业绩月报']")).to_be_visible()
    page.wait_for_selector("[data-report='营业部业绩月报'] canvas")

    page.goto("/reports/builder/")
    page.select_option("[data-testid=measures]", ["net_commission", "avg_daily_assets"])
    page.select_option("[data-testid=dimensions]", ["branch_code"])
    page.fill("[data-testid=period]", "2026-04")
    page.check("[data-testid=compare-previous]")
    page.select_option("[data-testid=view]", "bar")
    page.click("[data-testid=run]")
    expect(page.locator("[data-testid=result] tbody tr")).to_have_count(3)
    assert "净佣金 环比%" in page.locator("[data-testid=result] thead").inner_text()
    page.wait_for_selector("#report-chart canvas")

    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    assert download.value.suggested_filename == "report-2026-04.xlsx"

    page.fill("[data-testid=report-name]", "营业部净佣金环比")
    page.click("[data-testid=save]")
    expect(page.locator("h1")).to_have_text("营业部净佣金环比")
    assert Report.objects.get(name="营业部净佣金环比").comparisons == ["previous"]
