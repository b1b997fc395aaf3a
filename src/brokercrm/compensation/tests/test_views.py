"""Compensation pages through the test client: scope, actions, the Excel workbook, formula errors on the form."""
import io
from decimal import Decimal as D

import openpyxl
import pytest

from brokercrm.compensation import services
from brokercrm.compensation.models import PayrollRun, PayRule
from brokercrm.core.errors import DomainError
from brokercrm.compensation.tests.world import MONTH, approve_all, publish_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    return org_world


def test_head_office_runs_the_month_from_the_page_and_sees_every_payslip(month, client):
    """Posting the month computes the draft; the run page lists all six payslips and the branch totals."""
    client.force_login(month["users"]["head_office"])
    response = client.post("/compensation/runs/calculate/", {"period": MONTH})
    assert response.status_code == 302 and response["Location"] == f"/compensation/runs/{MONTH}/"
    page = client.get(f"/compensation/runs/{MONTH}/").content.decode()
    assert page.count("/compensation/runs/2026-03/S00") == 6


def test_excel_has_a_sheet_per_branch_with_totals(month, client):
    """The workbook: a summary and one sheet per branch; branch 0002's total row holds S0005's net pay."""
    run = services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    client.force_login(month["users"]["head_office"])
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/compensation/runs/{MONTH}/payroll.xlsx").content))
    assert book.sheetnames == ["汇总 Summary", "0001 上海浦东新区营业部", "0002 北京金融街营业部"]
    sheet = book["0002 北京金融街营业部"]
    net = run.payslips.get(staff__staff_no="S0005").net
    assert sheet.cell(row=3, column=1).value == "合计 Total"
    assert D(str(sheet.cell(row=3, column=sheet.max_column).value)).quantize(D("0.01")) == net
    summary = book["汇总 Summary"]
    assert summary.cell(row=4, column=2).value == 6


def test_a_planted_staff_name_is_text_in_the_workbook_and_pay_stays_numbers(month, client):
    """Given S0005 named `=HYPERLINK(…)`, the branch sheet holds the name as a string cell after a `'`, no formula
    anywhere, and the net pay as a number cell."""
    staff = month["staff"]["other"]
    staff.name = '=HYPERLINK("http://x","y")'
    staff.save(update_fields=["name"])
    run = services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    client.force_login(month["users"]["head_office"])

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/compensation/runs/{MONTH}/payroll.xlsx").content))

    sheet = book["0002 北京金融街营业部"]
    name, net = sheet.cell(row=2, column=2), sheet.cell(row=2, column=sheet.max_column)
    assert (sheet.cell(row=2, column=1).value, name.value, name.data_type) == ("S0005", """'=HYPERLINK("http://x","y")""", "s")
    assert net.data_type == "n" and D(str(net.value)).quantize(D("0.01")) == run.payslips.get(staff__staff_no="S0005").net
    assert not [c for ws in book.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]


def test_a_broker_cannot_open_another_payslip_nor_run_a_month(month, client):
    """Another staff member's payslip answers 404 to a broker; running a month answers 403."""
    ho = month["users"]["head_office"]
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    services.payroll_run_submit(actor=ho, run=run)
    approve_all(month, run)
    client.force_login(month["users"]["broker"])
    assert client.get(f"/compensation/runs/{MONTH}/S0003/").status_code == 200
    assert client.get(f"/compensation/runs/{MONTH}/S0004/").status_code == 404
    assert client.post("/compensation/runs/calculate/", {"period": MONTH}).status_code == 403


def test_the_rule_form_shows_the_formula_error_with_its_column(month, client):
    """Saving `net_commission *` shows a syntax error naming the column and keeps the old formula."""
    rule = PayRule.objects.get(structure__code="AM-STD", item__code="perf_commission")
    client.force_login(month["users"]["head_office"])
    page = client.post(f"/compensation/structures/AM-STD/rules/{rule.pk}/", {"formula": "net_commission *"}).content.decode()
    assert "column 17: syntax error" in page
    rule.refresh_from_db()
    assert rule.formula.startswith("round(")


@pytest.mark.parametrize("formula,error", [
    ("net_commission / 0", "perf_commission: column 18: division by zero: the divisor is 0"),
    ("round(net_commission, 100)", "perf_commission: column 23: round() keeps at most 10 places, not 100"),
    ("(" * 5000 + "net_commission" + ")" * 5000, "perf_commission: column 2001: the formula is too long (10014 characters, at most 2000)"),
    ("-(" * 150 + "net_commission" + ")" * 150, "perf_commission: column 201: the formula is nested more than 100 levels deep"),
    ("-" * 1500 + "net_commission", "perf_commission: column 101: the formula is nested more than 100 levels deep"),
])
def test_the_rule_form_refuses_formulas_past_the_bounds(month, client, formula, error):
    """Issue 19: `x/0`, `round(x,100)` and deep nesting could be saved; the form now shows the error and keeps the old formula."""
    rule = PayRule.objects.get(structure__code="AM-STD", item__code="perf_commission")
    client.force_login(month["users"]["head_office"])

    response = client.post(f"/compensation/structures/AM-STD/rules/{rule.pk}/", {"formula": formula})

    assert response.status_code == 200 and error in response.content.decode()
    rule.refresh_from_db()
    assert rule.formula.startswith("round(")


@pytest.mark.parametrize("formula,error", [
    ("net_commission / 0", "column 18: division by zero: the divisor is 0"),
    ("round(net_commission, 100)", "column 23: round() keeps at most 10 places, not 100"),
    ("-" * 1500 + "net_commission", "column 101: the formula is nested more than 100 levels deep"),
])
def test_running_a_month_with_a_bad_formula_stored_earlier_names_it(month, client, formula, error):
    """A formula stored before these checks makes the run answer a clear error naming structure and item (no 500), storing nothing."""
    PayRule.objects.filter(structure__code="AM-STD", item__code="perf_commission").update(formula=formula)
    client.force_login(month["users"]["head_office"])

    response = client.post("/compensation/runs/calculate/", {"period": MONTH}, follow=True)

    assert response.status_code == 200
    assert f"pay structure AM-STD, item perf_commission: {error}" in response.content.decode()
    with pytest.raises(DomainError) as exc:
        services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)
    assert exc.value.message == f"pay structure AM-STD, item perf_commission: {error}"
    assert not PayrollRun.objects.filter(period=MONTH).exists()


def test_a_pay_line_too_large_for_a_payslip_names_structure_item_and_staff(month):
    """A checked formula whose value cannot be a payslip amount stops the run with the structure, item and staff named."""
    PayRule.objects.filter(structure__code="AM-STD", item__code="perf_commission").update(formula="post_salary * 100000000")

    with pytest.raises(DomainError) as exc:
        services.payroll_run_calculate(actor=month["users"]["head_office"], period=MONTH)

    assert exc.value.message.startswith("pay structure AM-STD, item perf_commission, staff S00")
    assert "is too large for a payslip (below 10,000,000,000 expected)" in exc.value.message


def test_the_preview_evaluates_the_structure_for_one_staff_member(month, client):
    """The structure page's preview shows S0003's lines and net pay without storing anything."""
    client.force_login(month["users"]["head_office"])
    page = client.get("/compensation/structures/AM-STD/", {"staff_no": "S0003", "period": MONTH}).content.decode()
    assert "5250.00" in page and "net_commission" in page
    from brokercrm.compensation.models import PayrollRun

    assert not PayrollRun.objects.exists()


def test_copying_a_shipped_structure_makes_the_copy_active_for_a_level(month, client):
    """Head office copies AM-STD for senior account managers; the copy is active, AM-STD stays active for the others."""
    client.force_login(month["users"]["head_office"])
    response = client.post("/compensation/structures/AM-STD/copy/", {"code": "AM-SENIOR", "name": "高级客户经理",
                                                                      "category": "account_manager", "level": "account_manager:senior"})
    assert response["Location"] == "/compensation/structures/AM-SENIOR/"
    from brokercrm.compensation.models import PayStructure

    assert list(PayStructure.objects.filter(category__code="account_manager", active=True).values_list("code", flat=True)) == ["AM-SENIOR", "AM-STD"]


def test_pay_rules_yaml_round_trips_and_a_bad_file_changes_nothing(month):
    """Export → import is the identity; an unknown item in a structure is refused with its line."""
    from brokercrm.core.errors import InputRejected

    ho = month["users"]["head_office"]
    text = services.pay_rules_export()
    services.pay_rules_import(actor=ho, data=text.encode(), file_name="pay.yaml")
    assert services.pay_rules_export() == text
    bad = text.replace("- item: opening_bonus", "- item: opening_bonus_x", 1)
    with pytest.raises(InputRejected) as exc:
        services.pay_rules_import(actor=ho, data=bad.encode(), file_name="pay.yaml")
    problem = exc.value.problems[0]
    assert problem.column == "item" and "unknown pay item 'opening_bonus_x'" in problem.message and problem.line > 1
    assert services.pay_rules_export() == text


def test_api_gives_a_payee_their_payslip_lines_and_404_for_others(month, client):
    """GET /api/payroll/runs/2026-03/payslips/S0003 returns each line with formula, inputs and lineage; S0004 is 404."""
    ho = month["users"]["head_office"]
    run = services.payroll_run_calculate(actor=ho, period=MONTH)
    services.payroll_run_submit(actor=ho, run=run)
    approve_all(month, run)
    client.force_login(month["users"]["broker"])
    body = client.get(f"/api/payroll/runs/{MONTH}/payslips/S0003").json()
    line = next(ln for ln in body["lines"] if ln["item_code"] == "perf_commission")
    assert (body["net"], line["amount"], line["inputs"]) == ("11200.00", "5250.00", {"net_commission": "35000.00"})
    assert line["lineage"]["net_commission"]["source"] == "datacenter.month_indicators(staff)"
    assert [p["staff_no"] for p in client.get(f"/api/payroll/runs/{MONTH}/payslips").json()] == ["S0003"]
    assert client.get(f"/api/payroll/runs/{MONTH}/payslips/S0004").status_code == 404


def test_head_office_changes_a_constant_and_a_post_salary_on_the_rules_page(month, client):
    """Setting guaranteed_minimum to 6000 and the manager post salary to 5500 is stored (and audited); a broker gets 403."""
    from brokercrm.compensation.models import PayConstant, PayGrade
    from brokercrm.core.models import AuditEntry

    grade = PayGrade.objects.get(category__code="account_manager", level__code="manager")
    client.force_login(month["users"]["head_office"])
    assert client.get("/compensation/rules/").status_code == 200
    client.post("/compensation/rules/constants/guaranteed_minimum/", {"value": "6000"})
    client.post(f"/compensation/rules/grades/{grade.pk}/", {"post_salary": "5500.00"})
    assert PayConstant.objects.get(name="guaranteed_minimum").value == D(6000)
    grade.refresh_from_db()
    assert grade.post_salary == D("5500.00")
    assert AuditEntry.objects.filter(object_type="compensation.paygrade", action="update").count() == 1
    client.force_login(month["users"]["broker"])
    assert client.post("/compensation/rules/constants/guaranteed_minimum/", {"value": "1"}).status_code == 403
