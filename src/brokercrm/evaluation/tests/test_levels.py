"""Level management: demotion after exactly three failing months (not two), probation pass and fail, approval through
the workflow, pay at the new level from the next month, and `brokercrm export levels`."""
import csv
import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from brokercrm.compensation.payroll import compute_payroll
from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.evaluation import levels
from brokercrm.evaluation.models import EvaluationRun, LevelChange, Scheme, Score
from brokercrm.evaluation.tests.snapshot import publish
from brokercrm.org.tests.factories import StaffFactory
from brokercrm.platform.facade import pending_task_id, task_decide_by_id

pytestmark = pytest.mark.django_db


def scored(staff, totals: dict[str, str]) -> None:
    """Scores of the active monthly scheme (AM-MONTHLY) for the given months, as if the runs had been made."""
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    for month, total in totals.items():
        run, _ = EvaluationRun.objects.get_or_create(scheme=scheme, period=month)
        Score.objects.create(run=run, staff=staff, branch=staff.branch, team=staff.team, total=D(total), rank_branch=1, rank_company=1)


@pytest.fixture
def world(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    return org_world


def approve(world, change):
    """The branch manager of the staff member's branch approves in the workflow."""
    task = pending_task_id(key=levels.PROCESS, business_key=f"level:{change.staff.staff_no}:{change.reviewed_month}:{change.kind}")
    task_decide_by_id(actor=world["users"]["branch_manager"], task_id=task, approved=True, comment="同意")
    change.refresh_from_db()


def test_demotion_after_exactly_three_months_below_60_and_not_after_two(world):
    """S0003 scores 50, 55, 59 in Jan–Mar 2026: the February review proposes nothing (two months), the March review
    proposes manager → assistant from 2026-04-01; S0004 (70, 50, 40) is never proposed."""
    s3, s4 = world["staff"]["broker"], world["staff"]["colleague"]
    scored(s3, {"2026-01": "50", "2026-02": "55", "2026-03": "59"})
    scored(s4, {"2026-01": "70", "2026-02": "50", "2026-03": "40"})
    assert levels.level_review(actor=None, month="2026-02") == []
    changes = levels.level_review(actor=None, month="2026-03")
    assert [(c.staff.staff_no, c.kind, c.from_level.code, c.level.code, c.effective_from) for c in changes] == [
        ("S0003", "demotion", "manager", "assistant", dt.date(2026, 4, 1))]
    assert levels.level_review(actor=None, month="2026-03") == []  # reviewed again: nothing proposed twice


def test_paid_at_the_new_level_the_month_after_approval(world):
    """Before approval April still pays the manager's 5,000 post salary; approved, March pays 5,000 and April the
    assistant's 3,000; the level history export shows the change."""
    s3 = world["staff"]["broker"]
    scored(s3, {"2026-01": "50", "2026-02": "55", "2026-03": "59"})
    [change] = levels.level_review(actor=None, month="2026-03")

    def post_pay(period):
        slip = next(p for p in compute_payroll(period, only=["S0003"]).payslips)
        return next(line.amount for line in slip.lines if line.code == "post_pay")

    assert post_pay("2026-04") == D("5000.00")
    approve(world, change)
    assert change.status == LevelChange.Status.APPROVED and change.decided_by == world["users"]["branch_manager"]
    assert (post_pay("2026-03"), post_pay("2026-04")) == (D("5000.00"), D("3000.00"))
    assert levels.levels_in_force([s3], dt.date(2026, 4, 1))[s3.pk].code == "assistant"
    assert levels.level_review(actor=None, month="2026-04") == []  # one month at the new level: no second demotion


def test_export_levels_has_the_exact_columns_and_the_history(world, tmp_path):
    """`brokercrm export levels` lists the hire level, then the approved demotion with its reason."""
    s3 = world["staff"]["broker"]
    scored(s3, {"2026-01": "50", "2026-02": "55", "2026-03": "59"})
    approve(world, levels.level_review(actor=None, month="2026-03")[0])
    out = tmp_path / "levels.csv"
    call_command("export", "levels", "--out", str(out), stdout=StringIO())
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["staff_no", "category", "level", "effective_from", "reason"]
    mine = [r for r in rows[1:] if r[0] == "S0003"]
    assert [r[:4] for r in mine] == [["S0003", "account_manager", "manager", "2020-01-02"],
                                     ["S0003", "account_manager", "assistant", "2026-04-01"]]
    assert mine[1][4].startswith("demotion: ")


def test_probation_passes_with_25_effective_customers_and_4_million_and_fails_short(org_world, snapshot_dir):
    """Hired in November 2025, the probation ends in March 2026: 5 × (5 effective, 800,000 inflow) passes; 5 × 4
    effective customers fails; someone hired in December is not checked yet."""
    b1 = org_world["branches"][0]
    StaffFactory(staff_no="S0100", hire_date=dt.date(2025, 11, 10), branch=b1)
    StaffFactory(staff_no="S0101", hire_date=dt.date(2025, 11, 3), branch=b1)
    StaffFactory(staff_no="S0102", hire_date=dt.date(2025, 12, 1), branch=b1)
    months = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    rows = [{"key": "S0100", "period": m, "effective_new_customers": 5, "net_inflow": D("800000.00")} for m in months]
    rows += [{"key": "S0101", "period": m, "effective_new_customers": 4, "net_inflow": D("900000.00")} for m in months]
    publish(snapshot_dir, months={m: 20 for m in months}, staff=rows)
    changes = {c.staff.staff_no: c for c in levels.level_review(actor=None, month="2026-03")}
    assert {n: c.kind for n, c in changes.items()} == {"S0100": "probation_passed", "S0101": "probation_failed"}
    assert "effective_new_customers 20 / 25" in changes["S0101"].reason
    assert changes["S0100"].level.code == "manager" and changes["S0100"].effective_from == dt.date(2026, 4, 1)


def test_cli_review_proposes_and_a_bad_month_is_refused(world):
    """`brokercrm evaluation levels-review --month 2026-03` prints the proposal; 2026-Q1 is refused naming the month."""
    from brokercrm.core.errors import DomainError

    scored(world["staff"]["broker"], {"2026-01": "50", "2026-02": "55", "2026-03": "59"})
    out = StringIO()
    call_command("evaluation", "levels-review", "--month", MONTH, stdout=out)
    assert "S0003 demotion" in out.getvalue() and "2026-04-01" in out.getvalue()
    with pytest.raises(DomainError) as exc:
        levels.level_review(actor=None, month="2026-Q1")
    assert exc.value.field == "month"


def test_levels_page_lists_the_rules_and_the_changes_in_scope(world, client):
    """The branch manager of 0001 sees S0003's proposed demotion and the shipped rules; branch 0002's broker does not."""
    from django.urls import reverse

    scored(world["staff"]["broker"], {"2026-01": "50", "2026-02": "55", "2026-03": "59"})
    levels.level_review(actor=None, month="2026-03")
    client.force_login(world["users"]["branch_manager"])
    page = client.get(reverse("evaluation:levels")).content.decode()
    assert "score &lt; 60" in page and "张三" in page and "2026-04-01" in page
    client.force_login(world["users"]["other_broker"])
    assert "张三" not in client.get(reverse("evaluation:levels")).content.decode()
