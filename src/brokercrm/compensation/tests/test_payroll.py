"""Payroll runs with the database: the shipped structures hand-computed, the approval path, the lock, the CLI export."""
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from brokercrm.compensation import selectors, services
from brokercrm.compensation.models import PayrollRun, PayRule
from brokercrm.compensation.tests.world import MONTH, approve_all, publish_month
from brokercrm.core.errors import DomainError
from brokercrm.evaluation.models import Scheme
from brokercrm.evaluation.services import evaluation_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    ho = org_world["users"]["head_office"]
    evaluation_run(actor=ho, scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    services.pay_input_set(actor=ho, period=MONTH, staff=org_world["staff"]["broker"], name="product_sales", value=D("100000"))
    services.pay_input_set(actor=ho, period=MONTH, staff=org_world["staff"]["broker"], name="compliance_coefficient", value=D("0.9"))
    return org_world


def lines_of(run, staff_no):
    slip = run.payslips.get(staff__staff_no=staff_no)
    return slip, {ln.item_code: ln for ln in slip.lines.all()}


def test_the_shipped_account_manager_structure_pays_the_hand_computed_amounts(month):
    """S0003: 5,000 post + 5,250 tiered commission + 400 opening + 500 product + 250 growth + 300 points = 11,700 × 1.0 × 0.9 = 10,530.00."""
    run = services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    slip, lines = lines_of(run, "S0003")
    amounts = {code: ln.amount for code, ln in lines.items() if ln.kind != "memo"}
    assert amounts == {"post_pay": D("5000.00"), "perf_commission": D("5250.00"), "opening_bonus": D("400.00"),
                       "product_bonus": D("500.00"), "yoy_bonus": D("250.00"), "points_bonus": D("300.00"),
                       "coefficient_adjustment": D("-1170.00"), "guarantee_topup": D("0.00"), "deduction": D("0.00")}
    assert lines["eval_coefficient"].amount == D("1")  # score 88.00 reaches the 80 tier
    assert (slip.gross, slip.deductions, slip.net) == (D("10530.00"), D("0.00"), D("10530.00"))
    assert run.note == "2 staff member(s) have no published indicators for 2026-03"  # work indicators come from servicing


def test_every_line_keeps_its_formula_inputs_and_lineage(month):
    """The commission line names its formula, the input's value and the mart row it came from (with a drill-down)."""
    run = services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    _, lines = lines_of(run, "S0003")
    line = lines["perf_commission"]
    assert line.formula == 'round(net_commission * tier(net_commission, "net_commission_rate"), 2)'
    assert line.inputs == {"net_commission": "35000.00"}
    assert line.lineage["net_commission"] == {"source": "datacenter.month_indicators(staff)", "snapshot": "snapshot-1.json", "key": "S0003",
                                              "period": MONTH, "column": "net_commission", "drill": ["S0003", MONTH, "net_commission"]}
    assert lines["yoy_bonus"].lineage["last_year.net_commission"]["period"] == "2025-03"
    assert lines["product_bonus"].lineage["product_sales"] == {"source": "pay input", "entered": True, "default": "0"}


def test_last_year_without_history_leaves_the_growth_bonus_empty(month):
    """S0004 has no 2025-03 row: the growth line is empty and pays 0.00."""
    run = services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    _, lines = lines_of(run, "S0004")
    assert lines["yoy_bonus"].empty and lines["yoy_bonus"].amount == D("0.00")
    assert lines["perf_commission"].amount == D("1000.00")  # 10,000 × 10%


def test_team_leader_and_branch_manager_management_commission(month):
    """Team T01 net commission 35,000 + 10,000 + 5,000 = 50,000 × 2% = 1,000.00; branch 0001 50,000 × 1% = 500.00."""
    run = services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    assert lines_of(run, "S0002")[1]["mgmt_commission"].amount == D("1000.00")
    assert lines_of(run, "S0001")[1]["mgmt_commission"].amount == D("500.00")


def test_approval_path_branch_by_branch_then_lock(month):
    """Submit → each branch approved (the submitter may not) → approved → locked; each step has actor and comment."""
    users = month["users"]
    ho, bm, admin = users["head_office"], users["branch_manager"], users["admin"]
    b1, b2 = month["branches"]
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    services.payroll_run_submit(actor=ho, run=run, comment="March payroll")
    with pytest.raises(DomainError, match="self-approval"):
        services.payroll_branch_approve(actor=ho, run=run, branch=b1)
    with pytest.raises(DomainError, match="may not approve"):
        services.payroll_branch_approve(actor=bm, run=run, branch=b2)
    with pytest.raises(DomainError, match="may not approve"):
        services.payroll_branch_approve(actor=users["broker"], run=run, branch=b1)
    services.payroll_branch_approve(actor=admin, run=run, branch=b1, comment="checked")
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.REVIEW
    services.payroll_branch_approve(actor=admin, run=run, branch=b2)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.APPROVED
    services.payroll_run_lock(actor=ho, run=run)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.LOCKED
    assert [(s.action, s.actor_label, s.comment) for s in run.steps.all()] == [
        ("calculate", "ho", "6 payslips"), ("submit", "ho", "March payroll"), ("approve_branch", "admin", "checked"),
        ("approve_branch", "admin", ""), ("approve", "admin", "all branches approved"), ("lock", "ho", "")]


def test_recalculation_and_inputs_only_in_draft_and_nothing_changes_after_the_lock(month):
    """Once submitted the run cannot be recalculated nor its inputs changed; after the lock neither; a rejection reopens the draft."""
    ho, admin = month["users"]["head_office"], month["users"]["admin"]
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    services.payroll_run_submit(actor=ho, run=run)
    with pytest.raises(DomainError, match="only in draft"):
        services.payroll_run_calculate(actor=ho, period=MONTH)
    with pytest.raises(DomainError, match="cannot change"):
        services.pay_input_set(actor=ho, period=MONTH, staff=month["staff"]["broker"], name="other_deduction", value=D(1))
    with pytest.raises(DomainError, match="say why"):
        services.payroll_run_reject(actor=admin, run=run, comment=" ")
    services.payroll_run_reject(actor=admin, run=run, comment="S0004 commission looks low")
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.DRAFT and not run.approvals.exists()
    services.pay_input_set(actor=ho, period=MONTH, staff=month["staff"]["broker"], name="other_deduction", value=D("123.45"))
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    slip = run.payslips.get(staff__staff_no="S0003")
    assert (slip.deductions, slip.net) == (D("123.45"), D("10406.55"))
    services.payroll_run_submit(actor=ho, run=run)
    approve_all(month, run)
    services.payroll_run_lock(actor=ho, run=run)
    with pytest.raises(DomainError, match="only in draft"):
        services.payroll_run_calculate(actor=ho, period=MONTH)
    with pytest.raises(DomainError, match="only an approved"):
        services.payroll_run_lock(actor=ho, run=run)


def test_a_broker_sees_only_their_own_payslip_and_only_once_approved(month):
    """In draft a broker sees no run; after approval only their own payslip; another's answers 404."""
    from django.http import Http404

    ho, broker = month["users"]["head_office"], month["users"]["broker"]
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    assert not selectors.run_list(user=broker).exists()
    services.payroll_run_submit(actor=ho, run=run)
    approve_all(month, run)
    run = selectors.run_get(user=broker, period=MONTH)
    assert [p.staff.staff_no for p in selectors.payslip_list(user=broker, run=run)] == ["S0003"]
    with pytest.raises(Http404):
        selectors.payslip_get(user=broker, run=run, staff_no="S0004")


def test_a_formula_edit_is_refused_with_its_position_and_nothing_changes(month):
    """Editing a rule to use a later item is refused naming the column; the stored formula stays."""
    rule = PayRule.objects.get(structure__code="AM-STD", item__code="perf_commission")
    with pytest.raises(DomainError) as exc:
        services.pay_rule_update(actor=month["users"]["head_office"], rule=rule, formula="subtotal * 0.1")
    assert "column 1: unknown name 'subtotal'" in exc.value.message and exc.value.field == "formula"
    rule.refresh_from_db()
    assert rule.formula.startswith("round(net_commission")


def test_cli_run_and_export_write_one_row_per_non_zero_line(month, tmp_path):
    """`payroll run` then `payroll export`: staff_no,item_code,amount with 2 decimals, zero and memo lines left out."""
    call_command("payroll", "run", "--period", MONTH)
    out = tmp_path / "payroll.csv"
    call_command("payroll", "export", "--period", MONTH, "--out", str(out))
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "staff_no,item_code,amount"
    s0003 = [r for r in rows if r.startswith("S0003,")]
    assert s0003 == ["S0003,post_pay,5000.00", "S0003,perf_commission,5250.00", "S0003,opening_bonus,400.00",
                     "S0003,product_bonus,500.00", "S0003,yoy_bonus,250.00", "S0003,points_bonus,300.00",
                     "S0003,coefficient_adjustment,-1170.00"]
    assert "S0006,post_pay,4500.00" in rows


def test_the_level_template_pays_a_manager_by_level_once_copied_and_active(month):
    """AM-TIERED copied for managers (level 1): (35,000 − 3,000 − 0) × 60% = 19,200.00 for S0003."""
    from brokercrm.compensation.models import PayStructure
    from brokercrm.org.tests.factories import category

    category("account_manager")  # the seeded categories and levels are there
    ho = month["users"]["head_office"]
    services.pay_structure_copy(actor=ho, source=PayStructure.objects.get(code="AM-TIERED"), code="AM-MGR", name="客户经理分成",
                                category="account_manager", level="manager")
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    slip, lines = lines_of(run, "S0003")
    assert slip.structure_code == "AM-MGR" and lines["perf_commission"].amount == D("19200.00")
    assert lines["perf_commission"].lineage["level_order"] == {"source": "staff level", "category": "account_manager", "level": "manager"}


def test_pay_inputs_import_is_all_or_nothing_with_line_and_field(month, tmp_path):
    """A file with an unknown staff member and a bad coefficient is refused by line and field; a good one is applied."""
    from brokercrm.compensation.models import PayInput
    from brokercrm.core.errors import InputRejected

    ho = month["users"]["head_office"]
    bad = b"period,staff_no,name,value,note\n2026-03,S0004,product_sales,5000,\n2026-03,S9999,product_sales,1,\n2026-03,S0004,compliance_coefficient,3,\n"
    with pytest.raises(InputRejected) as exc:
        services.pay_inputs_import(actor=ho, data=bad, file_name="inputs.csv")
    assert [str(p) for p in exc.value.problems] == ["inputs.csv:3:staff_no: unknown staff_no 'S9999'",
                                                    "inputs.csv:4:value: a compliance coefficient lies between 0 and 2"]
    assert not PayInput.objects.filter(staff__staff_no="S0004").exists()
    good = b"period,staff_no,name,value,note\n2026-03,S0004,product_sales,5000,\n2026-03,S0004,customer_cost,12.5,rebate\n"
    assert services.pay_inputs_import(actor=ho, data=good, file_name="inputs.csv") == 2
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    assert lines_of(run, "S0004")[1]["product_bonus"].amount == D("25.00")


def test_without_published_indicators_the_run_is_refused_and_nothing_is_stored(org_world, snapshot_dir):
    """Before any load, `payroll run` says no indicators are published and creates no run."""
    with pytest.raises(DomainError, match="no indicators are published yet"):
        services.payroll_run_calculate(actor=org_world["users"]["head_office"], period=MONTH)
    assert not PayrollRun.objects.exists()


def test_staff_without_an_active_structure_get_no_payslip_and_the_run_says_so(month):
    """Deactivating SA-STD leaves the service agent without a payslip, named in the run's note."""
    from brokercrm.compensation.models import PayStructure

    PayStructure.objects.filter(code="SA-STD").update(active=False)
    run = services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    assert not run.payslips.filter(staff__staff_no="S0006").exists()
    assert "1 staff member(s) have no active pay structure for their category and level (e.g. S0006)" in run.note


def test_approvals_run_through_the_workflow_engine_inbox_and_a_rejection_withdraws_the_rest(month):
    """Submitting starts one payroll_branch process per branch; the approver finds the task in the inbox;
    sending back closes that process as rejected and withdraws the other branch's."""
    from brokercrm.platform.workflow.models import ProcessInstance
    from brokercrm.platform.workflow.selectors import inbox_tasks

    ho, admin = month["users"]["head_office"], month["users"]["admin"]
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    services.payroll_run_submit(actor=ho, run=run)
    processes = ProcessInstance.objects.filter(key="payroll_branch").order_by("business_key")
    assert [(p.business_key, p.status, p.started_by_id) for p in processes] == [
        ("payroll:2026-03:0001", "running", ho.pk), ("payroll:2026-03:0002", "running", ho.pk)]
    assert [t.instance.business_key for t in inbox_tasks(user=admin)] == ["payroll:2026-03:0001", "payroll:2026-03:0002"]
    services.payroll_run_reject(actor=admin, run=run, comment="S0004 commission looks low", branch=month["branches"][0])
    assert [p.status for p in processes.all()] == ["rejected", "withdrawn"]
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.DRAFT
    assert run.steps.last().comment == "0001: S0004 commission looks low"


def test_a_branch_manager_never_approves_a_payroll_holding_their_own_payslip_it_escalates(month):
    """Given branch 0001's payroll holds its manager's payslip (S0001), when head office submits, then the task is
    escalated to head office (another head-office user than the submitter), the manager has nothing in the inbox and is
    refused as self-approval, and the other head-office user approves."""
    from brokercrm.org.roles import Role
    from brokercrm.org.tests.factories import user_for
    from brokercrm.platform.workflow.selectors import inbox_tasks

    ho, bm, ho2 = month["users"]["head_office"], month["users"]["branch_manager"], user_for(Role.HEAD_OFFICE, username="ho2")
    b1 = month["branches"][0]
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    assert run.payslips.filter(branch=b1, staff__staff_no="S0001").exists()
    services.payroll_run_submit(actor=ho, run=run)

    assert list(inbox_tasks(user=bm)) == []
    assert [(t.instance.business_key, t.candidate_role, t.escalated) for t in inbox_tasks(user=ho2)] == [
        ("payroll:2026-03:0001", "head_office", True), ("payroll:2026-03:0002", "head_office", True)]
    assert services.may_decide(user=bm, run=run, branch=b1) is False
    with pytest.raises(DomainError, match="self-approval"):
        services.payroll_branch_approve(actor=bm, run=run, branch=b1)
    services.payroll_branch_approve(actor=ho2, run=run, branch=b1)
    assert [(a.branch.code, a.approved_by) for a in run.approvals.order_by("branch__code")] == [("0001", ho2), ("0002", None)]
