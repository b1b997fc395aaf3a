"""Payroll measures (薪酬): gross pay, deductions and net pay from the payslips of each month's payroll run.

A payslip belongs to a staff member, the branch they were paid in and the payroll month, so the measures group only by
those (and by quarter and year of the month); the payslips are those of the viewer's scope in runs they may see.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from brokercrm.compensation.facade import pay_amounts
from brokercrm.datacenter.facade import SemanticError
from brokercrm.reports.periods import months_in

PAY_MEASURES = {"gross_pay": "gross", "pay_deductions": "deductions", "net_pay": "net"}
PAY_DIMENSIONS = ("staff_no", "branch_code", "month", "quarter", "year")


def pay_check(measures: list[str], by: list[str], where: str) -> None:
    if not any(m in PAY_MEASURES for m in measures):
        return
    for name in by:
        if name not in PAY_DIMENSIONS:
            raise SemanticError(f"payroll measures cannot be grouped by {name!r}", field="by", value=name)
    if where.strip():
        raise SemanticError("payroll measures take no filter", field="where", value=where)


def pay_rows(measures: list[str], by: list[str], date_from: dt.date, date_to: dt.date, *, user) -> dict[tuple, dict[str, object]]:
    """{dimension values: {measure: sum}} over the payslips of the months the period touches, in the user's scope."""
    wanted = [m for m in measures if m in PAY_MEASURES]
    sums: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: {m: Decimal("0.00") for m in wanted})
    for slip in pay_amounts(user=user, months=months_in(date_from, date_to)):
        year, month = slip.period.split("-")
        values = {"staff_no": slip.staff_no, "branch_code": slip.branch_code, "month": slip.period, "year": year,
                  "quarter": f"{year}-Q{(int(month) - 1) // 3 + 1}"}
        row = sums[tuple(values[d] for d in by)]
        for measure in wanted:
            row[measure] += getattr(slip, PAY_MEASURES[measure])
    return dict(sums)
