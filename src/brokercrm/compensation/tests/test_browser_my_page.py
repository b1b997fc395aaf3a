import pytest

from brokercrm.compensation.tests.world import LAST_YEAR, MONTH, STAFF_2026_03, install_shipped_templates
from brokercrm.core.tests.browser import login
from brokercrm.evaluation.tests.snapshot import publish
from brokercrm.evaluation.tests.test_daily import DAYS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_branch_manager_runs_the_daily_board_and_the_broker_finds_their_rank_on_their_own_page(org_world, snapshot_dir, page):
    """The branch manager runs AM-DAILY for 2 March on the page: the board ranks their team (张三 first, 赵四 second) and
    not branch 0002; the broker opens 我的考核与薪酬 from the menu and sees their daily score 48 + 7.5 + 10 = 65.50 (no visit or task recorded), first in the team."""
    install_shipped_templates()
    publish(snapshot_dir, months={"2025-03": 21, MONTH: 22}, staff=STAFF_2026_03 + LAST_YEAR, staff_days=DAYS)

    login(page, "bm")
    page.goto("/evaluation/")
    page.select_option("[data-testid=run-form] select[name=scheme]", "AM-DAILY")
    page.fill("[data-testid=run-form] input[name=period]", "2026-03-02")
    page.click("[data-testid=run-form] button")
    page.wait_for_selector("[data-testid=scores]")
    page.goto("/evaluation/board/")
    board = page.inner_text("[data-testid=board-group]")
    assert board.index("张三") < board.index("赵四") and "钱五" not in page.content()
    page.context.clear_cookies()

    login(page, "broker")
    page.goto("/")
    page.click("a[href='/compensation/me/']")
    page.wait_for_selector("[data-testid=my-standings]")
    row = page.locator("[data-testid=my-standings] tbody tr").first.inner_text()
    assert "2026-03-02" in row and "65.50" in row and row.split()[-3:] == ["1", "1", "1"]
