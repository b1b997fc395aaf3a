"""The segment overview in a real browser, as head office and as a branch manager."""
import pytest

from brokercrm.analytics.tests.test_views import segmented  # noqa: F401  (the fixture)
from brokercrm.core.tests.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_office_sees_the_company_mix_chart_and_drills_into_a_tier(segmented, page):  # noqa: F811
    """Head office: 3 customers, the tier chart drawn, and 白银 lists C3 linked to its 360° page."""
    login(page, "ho")
    page.goto("/analytics/?period=2026-04")
    assert page.locator("[data-testid=total-customers]").inner_text() == "3"
    page.wait_for_selector("#tier-chart canvas")
    assert page.locator("[data-testid=tier-table] tr[data-segment=gold] [data-col=customers]").inner_text() == "1"
    page.click("[data-testid=tier-table] tr[data-segment=silver] a")
    page.wait_for_url("**/analytics/customers/**")
    assert page.locator("[data-testid=segment-customers] tbody tr").count() == 1
    assert page.locator("[data-testid=segment-customers] a").first.get_attribute("href") == "/customers/C3/"


def test_a_branch_manager_sees_only_their_branch_on_the_overview_and_the_migration(segmented, page):  # noqa: F811
    """The manager of 0001: 2 customers, no silver, and the migration matrix shows C1's diamond → gold only."""
    login(page, "bm")
    page.goto("/analytics/?period=2026-04")
    assert page.locator("[data-testid=total-customers]").inner_text() == "2"
    assert page.locator("[data-testid=tier-table] tr[data-segment=silver] [data-col=customers]").inner_text() == "0"
    page.goto("/analytics/migration/?period=2026-04")
    page.wait_for_selector("#migration-chart canvas")
    diamond_row = page.locator("[data-testid=migration-matrix] tr[data-from=diamond] td").all_inner_texts()
    assert diamond_row == ["0", "1", "0", "0", "1"]
    assert page.goto("/analytics/?period=2026-04&branch=0002").status == 404
