import pytest
from playwright.sync_api import expect

from brokercrm.core.tests.browser import login
from brokercrm.objects.demo import SHIPPED
from brokercrm.objects.models import ObjectRecord, ObjectType
from brokercrm.objects.services import types_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_reply_deadline_to_complaint_and_a_broker_records_one_with_it(world, page):
    """The admin adds the date field 答复期限 to 投诉 on the type page; without a restart the broker's complaint form has
    it, the saved complaint shows it and the customer's 360 page lists the complaint."""
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
    page.locator("form[action$='/logout/'] button").click()

    login(page, "broker")
    page.goto("/objects/complaint/new/")
    page.fill("[name=f_customer]", "1001")
    page.locator("[name=f_channel]").select_option(label="电话")
    page.fill("[name=f_summary]", "客户反映行情刷新延迟")
    page.fill("[name=f_reply_deadline]", "2026-06-10")
    page.locator("[data-testid=record-save]").click()
    expect(page.locator("[data-testid=record-number]")).to_have_text("TS000001")
    expect(page.locator("[data-testid=record-values] [data-key=reply_deadline]")).to_have_text("2026-06-10")
    page.goto("/customers/1001/")
    expect(page.locator("[data-testid=object-records]")).to_contain_text("TS000001")
    assert ObjectRecord.objects.get().values["reply_deadline"] == "2026-06-10"
