import pytest
from playwright.sync_api import expect

from brokercrm.core.tests.browser import login
from brokercrm.products.models import Recommendation
from brokercrm.servicing.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_broker_sees_what_suits_a_c3_customer_recommends_it_and_is_refused_the_r4_fund(shelf, page):
    """On the 360 page of the C3 customer the R2 fund is suitable and the R4 fund is not, named in Chinese; recommending
    the R2 fund queues an SMS, recommending the R4 fund is refused naming the reason and sends nothing."""
    login(page, "broker")
    page.goto("/customers/1001/")
    panel = page.locator("[data-testid=suitable-products]")
    expect(panel.locator("[data-testid=suitable-table] tr[data-product='OF.000001']")).to_have_count(1)
    refused_row = panel.locator("[data-testid=unsuitable-table] tr[data-product='OF.000004']")
    expect(refused_row.locator("[data-reason=risk_above_tolerance]")).to_have_text("产品风险等级高于客户风险承受能力")

    panel.locator("tr[data-product='OF.000001'] [data-testid=recommend]").click()
    expect(page.locator(".alert-success")).to_contain_text("推荐已发送")
    page.locator("[data-testid=unsuitable-table] tr[data-product='OF.000004'] [data-testid=recommend-unsuitable]").click()
    expect(page.locator(".alert-danger")).to_contain_text("产品风险等级高于客户风险承受能力")

    assert list(Recommendation.objects.values_list("product__security_code", "channel")) == [("000001", "sms")]
    assert OutboxMessage.objects.count() == 1
