"""In the browser, under the strict CSP: the admin adds a menu item for branch managers and changes the 360° layout for
brokers; each target role then sees the change at once, other roles do not."""
import pytest

from brokercrm.core.tests.browser import login
from brokercrm.customers.tests.factories import CustomerFactory, relate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_menu_item_and_changes_a_layout_seen_by_the_target_roles(org_world, page):
    """Menu: 上交所公告 (an external link) added to the branch managers' menu shows for them, not for brokers.
    Layout: products hidden and the relation history collapsed for brokers: the broker's 360° page follows."""
    customer = CustomerFactory(customer_no="10000001", branch=org_world["branches"][0])
    relate(customer, org_world["staff"]["broker"])

    login(page, "admin")
    page.goto("/org/admin/menus/?role=branch_manager")
    page.fill("#a-section", "外部链接")
    page.select_option("#a-kind", "link")
    page.fill("#a-target", "https://www.sse.com.cn/disclosure/")
    page.fill("#a-label", "上交所公告")
    page.click("[data-testid=menu-add] button[type=submit]")
    page.wait_for_selector("text=的菜单已保存")
    assert "上交所公告" in page.locator("[data-section=外部链接]").inner_text()

    page.goto("/customers/layouts/?role=broker&page=customer_360")
    page.check("[data-entry=products] input[name=hidden-products]")
    page.check("[data-entry=relations] input[name=collapsed-relations]")
    page.fill("[data-entry=relations] input[name=order-relations]", "0")
    page.click("[data-testid=layout-form] button[type=submit]:not([name])")
    page.wait_for_selector("text=布局已保存")
    page.click("text=退出")

    login(page, "bm")
    assert "上交所公告" in page.locator("[data-testid=menu]").inner_text()
    page.click("text=退出")

    login(page, "broker")
    assert "上交所公告" not in page.locator("[data-testid=menu]").inner_text()
    page.goto("/customers/10000001/")
    assert page.locator("[data-panel=products]").count() == 0
    relations = page.locator("details[data-panel=relations]")
    assert relations.get_attribute("open") is None
    first_panel = page.locator("details[data-panel]").first
    assert first_panel.get_attribute("data-panel") == "relations"
    relations.locator("summary").click()
    assert relations.get_attribute("open") == ""
