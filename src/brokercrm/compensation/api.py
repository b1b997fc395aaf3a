"""API for payroll: runs, payslips with their lines (formula, inputs, lineage), scoped like the pages."""
import datetime as dt

from ninja import Router, Schema

from brokercrm.compensation import selectors
from brokercrm.core.api_errors import errors

router = Router(tags=["compensation"])


class PayrollRunOut(Schema):
    period: str
    status: str
    calculated_at: dt.datetime | None
    snapshot: str
    note: str


class PayslipOut(Schema):
    staff_no: str
    branch_code: str
    structure: str
    gross: str
    deductions: str
    net: str


class PayslipLineOut(Schema):
    item_code: str
    item_name: str
    kind: str
    amount: str
    formula: str
    inputs: dict
    lineage: dict
    empty: bool


class PayslipDetailOut(PayslipOut):
    lines: list[PayslipLineOut]


def _slip(p) -> dict:
    return {"staff_no": p.staff.staff_no, "branch_code": p.branch.code, "structure": p.structure_code,
            "gross": f"{p.gross:.2f}", "deductions": f"{p.deductions:.2f}", "net": f"{p.net:.2f}"}


@router.get("/payroll/runs", response={200: list[PayrollRunOut], **errors()})
def list_runs(request):
    return list(selectors.run_list(user=request.auth))


@router.get("/payroll/runs/{period}/payslips", response={200: list[PayslipOut], **errors(404)})
def list_payslips(request, period: str):
    run = selectors.run_get(user=request.auth, period=period)
    return [_slip(p) for p in selectors.payslip_list(user=request.auth, run=run)]


@router.get("/payroll/runs/{period}/payslips/{staff_no}", response={200: PayslipDetailOut, **errors(404)})
def get_payslip(request, period: str, staff_no: str):
    run = selectors.run_get(user=request.auth, period=period)
    p = selectors.payslip_get(user=request.auth, run=run, staff_no=staff_no)
    lines = [{"item_code": ln.item_code, "item_name": ln.item_name, "kind": ln.kind,
              "amount": f"{ln.amount:.2f}" if ln.kind != "memo" else format(ln.amount.normalize(), "f"),
              "formula": ln.formula, "inputs": ln.inputs, "lineage": ln.lineage, "empty": ln.empty} for ln in p.lines.all()]
    return _slip(p) | {"lines": lines}
