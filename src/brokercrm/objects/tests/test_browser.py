import pytest
from playwright.sync_api import expect

from brokercrm.core.tests.browser import login
from brokercrm.objects.demo import SHIPPED
from brokercrm.objects.models import ObjectRecord, ObjectType
from brokercrm.objects.services import types_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _admin_adds_reply_deadline(page) -> None:
    """As the admin, on the type page: the date field 答复期限 (reply_deadline) added to 投诉."""
    if not ObjectType.objects.filter(code="complaint").exists():  # a transactional test starts from an emptied database
        types_import(actor=None, data=SHIPPED.read_bytes(), file=SHIPPED.name)
    login(page, "admin")
    page.goto("/objects/types/complaint/")
    form = page.locator("[data-testid=field-form]")
    form.locator("[name=key]").fill("reply_deadline")
    form.locator("[name=name_zh]").fill("答复期限")
    form.locator("[name=name_en]").fill("Reply deadline")
    form.locator("[name=kind]").select_option("date")
    form.locator("[data-testid=field-save]").click()
    expect(page.locator("[data-testid=field-table] tr[data-key=reply_deadline]")).to_contain_text("答复期限")


def _broker_records_a_complaint(page) -> None:
    """As the broker: complaint TS000001 for customer 1001, with a reply deadline."""
    login(page, "broker")
    page.goto("/objects/complaint/new/")
    page.fill("[name=f_customer]", "1001")
    page.locator("[name=f_channel]").select_option(label="电话")
    page.fill("[name=f_summary]", "客户反映行情刷新延迟")
    page.fill("[name=f_reply_deadline]", "2026-06-10")
    page.locator("[data-testid=record-save]").click()
    expect(page.locator("[data-testid=record-number]")).to_have_text("TS000001")


def test_an_admin_adds_reply_deadline_to_complaint_and_a_broker_records_one_with_it(world, page):
    """The admin adds the date field 答复期限 to 投诉 on the type page; without a restart the broker's complaint form has
    it, the saved complaint shows it and the customer's 360 page lists the complaint."""
    _admin_adds_reply_deadline(page)
    page.locator("form[action$='/logout/'] button").click()

    _broker_records_a_complaint(page)
    expect(page.locator("[data-testid=record-values] [data-key=reply_deadline]")).to_have_text("2026-06-10")
    page.goto("/customers/1001/")
    expect(page.locator("[data-testid=object-records]")).to_contain_text("TS000001")
    assert ObjectRecord.objects.get().values["reply_deadline"] == "2026-06-10"


def test_an_admin_defines_a_field_a_menu_item_and_a_layout_on_the_pages(world, page):
    """Issue 17's browser test: through the pages only, the admin adds 答复期限 to 投诉, a menu item 投诉处理 for branch
    managers and a branch-manager layout of the complaint page (the section holding the new field first, 投诉内容
    collapsed); after a broker records a complaint, the branch manager opens it from the new menu item laid out so."""
    _admin_adds_reply_deadline(page)

    page.goto("/org/admin/menus/?role=branch_manager")
    add = page.locator("[data-testid=menu-add]")
    add.locator("[name=section]").fill("客户服务")
    add.locator("[name=kind]").select_option("object_list")
    add.locator("[name=target]").fill("/objects/complaint/")
    add.locator("[name=label]").fill("投诉处理")
    add.locator("button[type=submit]").click()
    expect(page.locator("tr[data-item='/objects/complaint/']")).to_contain_text("投诉处理")

    page.goto("/objects/types/complaint/")
    page.locator("[data-testid=role-layouts]").click()
    page.locator("select[name=role]").select_option("branch_manager")
    page.get_by_role("button", name="显示").click()
    layout = page.locator("[data-testid=role-layout-form]")
    layout.locator("[name=order_other]").fill("1")
    layout.locator("[name=order_s1]").fill("2")
    layout.locator("[name=order_s2]").fill("3")
    layout.locator("[name=collapsed_s2]").check()
    layout.locator("[data-testid=role-layout-save]").click()
    expect(page.locator("[data-testid=role-layout-form] [name=collapsed_s2]")).to_be_checked()
    page.locator("form[action$='/logout/'] button").click()

    _broker_records_a_complaint(page)
    page.locator("form[action$='/logout/'] button").click()

    login(page, "bm")  # the branch manager's username
    page.get_by_role("link", name="投诉处理").first.click()
    page.locator("[data-testid=record-table] a", has_text="TS000001").click()
    sections = page.locator("[data-testid=record-values] details")
    expect(sections.first).to_have_attribute("data-section", "other")
    expect(sections.first.locator("[data-key=reply_deadline]")).to_have_text("2026-06-10")
    expect(page.locator("details[data-section=s2]")).not_to_have_attribute("open", "")
    expect(page.locator("details[data-section=s1]")).to_have_attribute("open", "")
