"""The salesperson's own page: their daily, weekly and monthly standing, targets, next level, probation and payslips."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from brokercrm.compensation.tests.world import LAST_YEAR, MONTH, STAFF_2026_03
from brokercrm.evaluation import facade as evaluation
from brokercrm.evaluation.models import Scheme
from brokercrm.evaluation.services import evaluation_run
from brokercrm.evaluation.tests.test_daily import DAYS
from brokercrm.evaluation.tests.snapshot import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(org_world, snapshot_dir, monkeypatch):
    """March 2026 and two days of W10 published and evaluated (every staff member did 1 visit and 3 tasks)."""
    from brokercrm.servicing import facade as servicing

    monkeypatch.setattr(servicing, "work_indicators",
                        lambda staff_nos, date_from, date_to: {n: {"visits_done": 1, "service_tasks_done": 3} for n in staff_nos})
    publish(snapshot_dir, months={"2025-03": 21, MONTH: 22}, staff=STAFF_2026_03 + LAST_YEAR, staff_days=DAYS)
    for code, period in (("AM-MONTHLY", MONTH), ("AM-DAILY", "2026-03-02"), ("AM-WEEKLY", "2026-W10")):
        evaluation_run(actor=None, scheme=Scheme.objects.get(code=code), period=period)
    return org_world


def test_my_standing_has_day_week_and_month_ranks_and_the_gap_to_the_next_level(ranked):
    """S0003 is first in team, branch and company on the day, the week and the month; the next level (senior) is shown
    with net commission 35,000 against its 20,000 target (nothing missing)."""
    mine = evaluation.my_standing(ranked["staff"]["broker"], today=dt.date(2026, 3, 31))
    assert [(s.kind, s.period, s.rank_team, s.rank_branch, s.rank_company) for s in mine.standings] == [
        ("day", "2026-03-02", 1, 1, 1), ("week", "2026-W10", 1, 1, 1), ("month", MONTH, 1, 1, 1)]
    assert mine.level == "manager" and mine.next_level
    gap = next(g for g in mine.next_level_gaps if g.indicator == "net_commission")
    assert (gap.actual, gap.target, gap.missing) == (D("35000.000000"), D("20000.00"), D("0"))
    assert next(g for g in mine.month_lines if g.indicator == "visits").missing == D("19")


def test_my_page_is_reachable_from_the_menu_and_shows_my_ranks(ranked, client):
    """The broker's menu links to 我的考核与薪酬; the page lists the three standings and no payslip before approval."""
    client.force_login(ranked["users"]["broker"])
    home = client.get("/").content.decode()
    assert reverse("compensation:me") in home
    page = client.get(reverse("compensation:me")).content.decode()
    assert "2026-W10" in page and "2026-03-02" in page and 'data-testid="my-payslips"' in page


def test_my_page_lists_my_cascaded_targets(ranked, client):
    """An approved personal target of April (the cascade) is listed on the broker's page with thousands separators."""
    from brokercrm.evaluation.models import Target

    Target.objects.create(period="2026-04", indicator="net_commission", scope="staff", key="S0003", staff=ranked["staff"]["broker"],
                          branch=ranked["branches"][0], target=D("30000"), status="approved")
    client.force_login(ranked["users"]["broker"])
    page = client.get(reverse("compensation:me")).content.decode()
    assert 'data-testid="my-own-targets"' in page and "30,000.00" in page and "净佣金" in page
