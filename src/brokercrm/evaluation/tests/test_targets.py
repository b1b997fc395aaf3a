"""Target cascade: splits that sum to the parent, approval by the level above, personal targets in scoring, CSV in/out."""
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.evaluation import services, targets
from brokercrm.evaluation.models import Scheme, Target
from brokercrm.evaluation.tests.snapshot import publish
from brokercrm.platform.facade import pending_task_id, task_decide_by_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    return org_world


def decide(user, parent, approved=True):
    task = pending_task_id(key=targets.PROCESS, business_key=f"target:{parent.pk}")
    task_decide_by_id(actor=user, task_id=task, approved=approved, comment="" if approved else "重新分解")


def test_shares_always_sum_to_the_parent():
    """100.00 in three even parts is 33.34 + 33.33 + 33.33; 10.00 by weights 1:1:1:0 leaves the zero-weight part 0."""
    assert targets.shares(D("100.00"), {"a": D(0), "b": D(0), "c": D(0)}) == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    parts = targets.shares(D("10.00"), {"a": D(1), "b": D(1), "c": D(1), "d": D(0)})
    assert sum(parts.values()) == D("10.00") and parts["d"] == D("0.00")


def test_company_to_branches_to_staff_cascade_approved_by_the_level_above(month):
    """Head office sets 2026-03 net commission 100,000.01 and splits it evenly to the two branches (approved above head
    office's own applicant: escalated to admin); the manager of 0001 splits their 50,000.01 by hand to its staff, head
    office approves; every level sums to its parent and the manager cannot split branch 0002."""
    users = month["users"]
    company = targets.target_set_company(actor=users["head_office"], period=MONTH, indicator="net_commission", target=D("100000.01"))
    branches = targets.target_split(actor=users["head_office"], parent=company, to_scope="branch", method="even")
    assert sum(t.target for t in branches) == company.target and {t.status for t in branches} == {"pending"}
    decide(users["admin"], company)
    b1, b2 = (Target.objects.get(scope="branch", key=code) for code in ("0001", "0002"))
    assert (b1.status, b1.target, b2.target) == ("approved", D("50000.01"), D("50000.00"))
    with pytest.raises(PermissionDenied):
        targets.target_split(actor=users["branch_manager"], parent=b2, to_scope="staff", method="even")
    with pytest.raises(DomainError) as exc:
        targets.target_split(actor=users["branch_manager"], parent=b1, to_scope="staff", method="manual",
                             manual={"S0001": D("1"), "S0002": D("1"), "S0003": D("50000"), "S0004": D("0"), "S0006": D("0")})
    assert exc.value.field == "manual"
    staff = targets.target_split(actor=users["branch_manager"], parent=b1, to_scope="staff", method="manual",
                                 manual={"S0001": D("0"), "S0002": D("0.01"), "S0003": D("30000"), "S0004": D("20000"), "S0006": D("0")})
    assert sum(t.target for t in staff) == b1.target
    decide(users["head_office"], b1)
    assert targets.staff_targets(staff_nos=["S0003"], period=MONTH) == {"S0003": {"net_commission": D("30000.00")}}


def test_last_year_proportions_and_a_rejected_split_is_not_in_force(org_world, snapshot_dir):
    """Branches made 30,000 and 10,000 in 2025-03: 100,000 splits 75,000 / 25,000; rejected, neither is in force."""
    publish(snapshot_dir, months={"2025-03": 21, MONTH: 22}, branches=[
        {"key": "0001", "period": "2025-03", "net_commission": D("30000")}, {"key": "0002", "period": "2025-03", "net_commission": D("10000")}])
    ho = org_world["users"]["head_office"]
    company = targets.target_set_company(actor=ho, period=MONTH, indicator="net_commission", target=D("100000"))
    parts = {t.key: t.target for t in targets.target_split(actor=ho, parent=company, to_scope="branch", method="last_year")}
    assert parts == {"0001": D("75000.00"), "0002": D("25000.00")}
    decide(org_world["users"]["admin"], company, approved=False)
    assert set(Target.objects.filter(scope="branch").values_list("status", flat=True)) == {"rejected"}


def test_the_persons_own_target_replaces_the_schemes_and_feeds_target_names(month):
    """S0003's approved own net-commission target 50,000: 40 × 35,000 ÷ 50,000 = 28.00 instead of 48.00 (total 68.00)."""
    company = targets.target_set_company(actor=None, period=MONTH, indicator="net_commission", target=D("50000"))
    Target.objects.create(period=MONTH, indicator="net_commission", scope="staff", key="S0003", staff=month["staff"]["broker"],
                          branch=month["branches"][0], parent=company, target=D("50000"), status="approved")
    run = services.evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    score = run.scores.get(staff__staff_no="S0003")
    line = score.lines.get(indicator="net_commission")
    assert (line.target, line.ratio, line.points, score.total) == (D("50000.00"), D("0.700000"), D("28.00"), D("68.00"))
    from brokercrm.evaluation.scoring import compile_item_formula
    assert compile_item_formula("actual / target.net_commission").evaluate({"actual": D(35000), "target.net_commission": D(50000)}) == D("0.7")


def test_csv_import_is_all_or_nothing_with_file_line_column_and_exports_the_same_rows(month):
    """A bad scope, an unknown branch and parts not summing to their parent are each reported; nothing is stored. The
    good file imports and exports row for row."""
    good = ("period,scope,key,indicator,target\n"
            "2026-03,company,company,net_commission,100000\n"
            "2026-03,branch,0001,net_commission,60000\n"
            "2026-03,branch,0002,net_commission,40000\n"
            "2026-03,team,0001/T01,net_commission,60000\n"
            "2026-03,staff,S0003,net_commission,35000.50\n"
            "2026-03,staff,S0004,net_commission,24999.50\n")
    bad = good.replace("2026-03,branch,0002", "2026-03,branch,0009").replace("branch,0001,net_commission,60000", "branch,0001,net_commission,70000") \
        + "2026-03,region,X,net_commission,1\n"
    with pytest.raises(InputRejected) as exc:
        targets.targets_import(actor=month["users"]["head_office"], data=bad.encode(), file_name="targets.csv")
    messages = [str(p) for p in exc.value.problems]
    assert any(m.startswith("targets.csv:4:key:") for m in messages)
    assert any(m.startswith("targets.csv:8:scope:") for m in messages)
    assert any(m.startswith("targets.csv:3:target:") or m.startswith("targets.csv:2:target:") for m in messages)
    assert not Target.objects.exists()
    assert targets.targets_import(actor=month["users"]["head_office"], data=good.encode(), file_name="targets.csv") == 6
    exported = [[p, s, k, i, f"{t:.2f}"] for p, s, k, i, t in targets.target_rows(period=MONTH)]
    expected = [line.split(",") for line in good.strip().splitlines()[1:]]
    assert sorted(exported) == sorted([[p, s, k, i, f"{D(t):.2f}"] for p, s, k, i, t in expected])
    assert Target.objects.get(key="S0003").parent.key == "0001/T01"


def test_targets_page_split_form_and_exports(month, client, tmp_path):
    """Head office sets a company target on the page and splits it evenly; the page lists both branches pending; after
    approval the CSV and Excel exports and the CLI export carry the approved rows."""
    from io import StringIO

    from django.core.management import call_command
    from django.urls import reverse

    client.force_login(month["users"]["head_office"])
    client.post(reverse("evaluation:target_create"), {"period": "2026-04", "indicator": "net_commission", "target": "200,000"})
    company = Target.objects.get(scope="company")
    client.post(reverse("evaluation:target_split", args=[company.pk]), {"to_scope": "branch", "method": "even", "manual": ""})
    page = client.get(reverse("evaluation:targets"), {"period": "2026-04"}).content.decode()
    assert page.count("data-testid=\"split-form\"") == 1 and "100,000.00" in page
    decide(month["users"]["admin"], company)
    csv_text = b"".join(client.get(reverse("evaluation:targets_export"), {"period": "2026-04"}).streaming_content).decode()
    assert csv_text.splitlines()[0] == "period,scope,key,indicator,target" and "2026-04,branch,0002,net_commission,100000.00" in csv_text
    xlsx = client.get(reverse("evaluation:targets_export"), {"period": "2026-04", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    out = tmp_path / "targets.csv"
    call_command("evaluation", "targets-export", "--out", str(out), stdout=StringIO())
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
