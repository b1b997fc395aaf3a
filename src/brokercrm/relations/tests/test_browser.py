"""Browser walk of a cross-branch transfer: apply, two approvals from the inbox, the history afterwards."""
import datetime as dt

import pytest

from brokercrm.core.tests.browser import login
from brokercrm.relations.models import Relation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page) -> None:
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/**")


def _approve_from_inbox(page, username: str, comment: str) -> None:
    login(page, username)
    assert page.locator("[data-testid=menu] [data-testid=inbox-badge]").inner_text() == "1"
    page.goto("/workflow/")
    assert page.locator("[data-testid=inbox-total]").inner_text() == "1"
    page.click("[data-testid^=open-]")
    page.fill("#id_comment", comment)
    page.click("[data-testid=approve]")
    page.wait_for_url("**/workflow/")
    assert page.locator("[data-testid=inbox-empty]").count() == 1
    _logout(page)


def test_cross_branch_transfer_walks_through_its_two_approvals(world, page):
    """The branch manager applies to move a customer to a broker of branch 0002; that branch's manager, then head office approve."""
    relation = Relation.objects.get()
    login(page, "bm")
    page.goto("/relations/")
    page.click(f"[data-testid=transfer-{relation.pk}]")
    page.fill("#id_to_staff_no", "S0005")
    page.fill("#id_effective_date", "2024-06-03")
    page.fill("#id_reason", "customer moved to Beijing")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/workflow/instances/*/")
    assert page.locator("[data-testid=instance-status]").inner_text() != ""
    detail_url = page.url
    _logout(page)

    _approve_from_inbox(page, "bm2", "accepted by 北京金融街营业部")
    _approve_from_inbox(page, "ho", "approved across branches")

    login(page, "bm")
    page.goto(detail_url)
    history = page.locator("[data-testid=history]").inner_text()
    assert "accepted by 北京金融街营业部" in history and "approved across branches" in history and "customer moved to Beijing" in history
    assert page.locator("[data-testid=open-tasks]").count() == 0
    page.goto("/relations/customer/10000001/")
    relations = page.locator("[data-testid=relation-history]").inner_text()
    assert "S0005" in relations and "2024-06-03" in relations
    assert list(Relation.objects.order_by("start_date").values_list("staff__staff_no", "end_date")) == [
        ("S0003", dt.date(2024, 6, 3)), ("S0005", None)]
