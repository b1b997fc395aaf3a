import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from brokercrm.core.tests.browser import login
from brokercrm.customers.tests.factories import published_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_broker_finds_a_customer_by_the_last_four_mobile_digits_and_opens_the_360_page(book, page, settings, tmp_path):
    """Typing 5678 lists only the broker's own matches (masked); the 360 page draws its charts and shows the month's figures."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    month = lambda period, start, end, avg, end_assets: (  # noqa: E731
        "1001", period, start, end, 20, Decimal(avg), Decimal(end_assets), Decimal("0.00"), Decimal("0.00"), 0, 0,
        Decimal("0.00"), Decimal("0.00"), None)
    published_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR, months=[
        month("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28), "90000.00", "95000.00"),
        month("2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "99000.00", "101000.00")],
        assets=[(dt.date(2026, 3, 31), "1001", Decimal("1000.00"), Decimal("100000.00"), Decimal("101000.00"))])
    login(page, "broker")
    page.click("[data-testid=menu] a[href='/customers/']")
    page.fill("#id_q", "5678")
    expect(page.locator("[data-testid=customer-table] tbody tr[data-customer]")).to_have_count(2)
    rows = page.locator("[data-testid=customer-table] tbody tr[data-customer]")
    assert [rows.nth(i).get_attribute("data-customer") for i in range(2)] == ["1001", "2001"]
    assert "138****5678" in page.locator("[data-testid=customer-table]").inner_text()

    page.click("text=1001")
    assert page.locator("[data-testid=customer-title]").inner_text() == "1001 张三丰"
    page.wait_for_selector("#assets-trend canvas")
    page.wait_for_selector("#assets-composition canvas")
    assert "101000.00" in page.locator("[data-period='2026-03']").inner_text()
    page.click("[data-testid=unmask-mobile]")
    page.wait_for_selector("[data-unmasked=mobile]")
    assert page.locator("[data-unmasked=mobile]").inner_text() == "13812345678"

    response = page.goto("/customers/10031/")
    assert response.status == 404


def test_admin_adds_a_choice_field_and_it_is_filterable_at_once(book, page):
    """The admin adds a choice field, fills it on one customer's 360 page, and filters the list by it."""
    login(page, "admin")
    page.goto("/platform/custom-fields/new/")
    page.select_option("#id_entity", "customer")
    page.fill("#id_key", "source_channel")
    page.fill("#id_label", "获客渠道")
    page.select_option("#id_field_type", "choice")
    page.fill("#id_choices", "展会\n转介绍")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=custom-fields] >> text=获客渠道")

    page.goto("/customers/2001/fields/")
    page.select_option("#id_cf_source_channel", "转介绍")
    page.click("button[type=submit]")
    assert "转介绍" in page.locator("[data-testid=custom-fields]").inner_text()

    page.goto("/customers/")
    page.select_option("#id_cf_source_channel", "转介绍")
    expect(page.locator("[data-testid=customer-table] tbody tr[data-customer]")).to_have_count(1)
    assert page.locator("[data-testid=customer-table] tbody tr[data-customer]").get_attribute("data-customer") == "2001"
