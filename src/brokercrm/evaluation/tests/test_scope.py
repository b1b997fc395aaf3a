"""Who runs evaluations of whom, the board within team and branch, and `brokercrm export evaluation`."""
import csv
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.evaluation import services
from brokercrm.evaluation.models import Scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    return org_world


def test_a_branch_manager_runs_their_branch_and_is_refused_on_another(month):
    """The manager of 0001 scores S0003 and S0004 only; asking for branch 0002 is refused and changes nothing."""
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    run = services.evaluation_run(actor=month["users"]["branch_manager"], scheme=scheme, period=MONTH)
    assert sorted(run.scores.values_list("staff__staff_no", flat=True)) == ["S0003", "S0004"]
    with pytest.raises(PermissionDenied):
        services.evaluation_run(actor=month["users"]["branch_manager"], scheme=scheme, period=MONTH, branch_code="0002")
    assert run.scores.count() == 2


def test_a_team_leader_runs_their_team_and_a_broker_nobody(month):
    """The team leader of T01 scores their team; a plain broker (only themselves in scope) is refused."""
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    run = services.evaluation_run(actor=month["users"]["team_leader"], scheme=scheme, period=MONTH)
    assert sorted(run.scores.values_list("staff__staff_no", flat=True)) == ["S0003", "S0004"]
    with pytest.raises(PermissionDenied):
        services.evaluation_run(actor=month["users"]["other_broker"], scheme=scheme, period=MONTH)
    with pytest.raises(PermissionDenied):
        services.evaluation_run(actor=month["users"]["team_leader"], scheme=scheme, period=MONTH, branch_code="0002")


def test_a_branch_rerun_keeps_the_other_branches_and_ranks_the_company_again(month):
    """Head office scores everyone (S0003 88, S0005 58, S0004 28); the branch manager's re-run of 0001 leaves S0005's score
    and the company ranks stay computed over all three."""
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    services.evaluation_run(actor=month["users"]["head_office"], scheme=scheme, period=MONTH)
    run = services.evaluation_run(actor=month["users"]["branch_manager"], scheme=scheme, period=MONTH)
    assert {s.staff.staff_no: (s.total, s.rank_company) for s in run.scores.all()} == {
        "S0003": (D("88.00"), 1), "S0005": (D("58.00"), 2), "S0004": (D("28.00"), 3)}


def test_export_evaluation_writes_the_exact_columns(month, tmp_path):
    """`brokercrm export evaluation --scheme all --period 2026-03` writes one row per score with the contract's columns."""
    services.evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    out = tmp_path / "evaluation.csv"
    call_command("export", "evaluation", "--scheme", "all", "--period", MONTH, "--out", str(out), stdout=StringIO())
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["staff_no", "scheme", "period", "score", "rank_team", "rank_branch", "rank_company"]
    assert rows[1:] == [["S0003", "AM-MONTHLY", MONTH, "88.00", "1", "1", "1"], ["S0005", "AM-MONTHLY", MONTH, "58.00", "", "1", "2"],
                        ["S0004", "AM-MONTHLY", MONTH, "28.00", "2", "2", "3"]]


def test_board_shows_the_users_scope_grouped_by_team_and_branch(month, client):
    """The broker of team T01 sees their team's ranking on the board, not branch 0002's broker."""
    services.evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    client.force_login(month["users"]["team_leader"])
    page = client.get(reverse("evaluation:board"), {"kind": "month"}).content.decode()
    assert "张三" in page and "赵四" in page and "钱五" not in page
    client.force_login(month["users"]["head_office"])
    assert "钱五" in client.get(reverse("evaluation:board"), {"kind": "month", "period": MONTH}).content.decode()


def test_an_appeal_goes_through_the_branch_manager_and_the_adjustment_is_audited(month, client):
    """S0004 (28.00, third) appeals for 90.00 from the score page; the branch manager approves in the workflow: the score
    becomes 90.00, the run is ranked again (S0004 first) and the audit log keeps the reason. A broker of another
    branch cannot appeal it."""
    from brokercrm.core.models import AuditEntry
    from brokercrm.evaluation import appeals
    from brokercrm.evaluation.models import ScoreAppeal
    from brokercrm.platform.facade import pending_task_id, task_decide_by_id

    run = services.evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    score = run.scores.get(staff__staff_no="S0004")
    with pytest.raises(PermissionDenied):
        appeals.score_appeal_file(actor=month["users"]["other_broker"], score=score, requested_total="90", reason="x")
    client.force_login(month["users"]["team_leader"])
    client.post(reverse("evaluation:appeal", args=[run.pk, "S0004"]), {"requested_total": "90", "reason": "拜访记录漏录"})
    appeal = ScoreAppeal.objects.get()
    task = pending_task_id(key=appeals.PROCESS, business_key=f"appeal:{appeal.pk}")
    task_decide_by_id(actor=month["users"]["branch_manager"], task_id=task, approved=True, comment="核实无误")
    score.refresh_from_db()
    appeal.refresh_from_db()
    assert (score.total, score.rank_company, appeal.status) == (D("90.00"), 1, "adjusted")
    log = AuditEntry.objects.filter(object_type="evaluation.score").latest("id")
    assert "拜访记录漏录" in log.note and "核实无误" in log.note
