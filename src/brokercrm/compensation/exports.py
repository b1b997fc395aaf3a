"""Payroll exports: the CSV contract of `brokercrm payroll export` and the Excel workbook (a sheet per branch, totals)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from brokercrm.compensation.models import PayrollRun, PayslipLine
from brokercrm.core.exports import XlsxBook, write_csv
from brokercrm.core.money import to_money

CSV_COLUMNS = ["staff_no", "item_code", "amount"]


def export_csv(run: PayrollRun, out: Path) -> int:
    """One row per non-zero earning or deduction line (memo lines are not pay), by staff_no then item order."""
    lines = (PayslipLine.objects.filter(payslip__run=run, kind__in=("earning", "deduction")).exclude(amount=0)
             .order_by("payslip__staff__staff_no", "order").values_list("payslip__staff__staff_no", "item_code", "amount"))
    return write_csv(([no, code, to_money(amount)] for no, code, amount in lines.iterator()), CSV_COLUMNS, Path(out))


def export_workbook(run: PayrollRun, payslips) -> bytes:
    """An .xlsx with a summary sheet and one sheet per branch: a row per payslip, a column per item, totals at the bottom."""
    payslips = list(payslips.prefetch_related("lines"))
    codes: list[tuple[str, str]] = []
    for slip in payslips:
        for line in slip.lines.all():
            if line.kind != "memo" and (line.item_code, line.item_name) not in codes:
                codes.append((line.item_code, line.item_name))
    book = XlsxBook()
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    bold_money = book.add_format({"bold": True, "num_format": "#,##0.00"})
    summary = book.add_sheet("汇总 Summary")
    summary.write_row(0, 0, ["营业部 branch", "人数 staff", "应发 gross", "扣款 deductions", "实发 net"], bold)
    by_branch: dict[str, list] = {}
    for slip in payslips:
        by_branch.setdefault(slip.branch.code, []).append(slip)
    header = ["staff_no", "姓名 name", "类别 category", "级别 level", *[f"{name} {code}" for code, name in codes],
              "应发 gross", "扣款 deductions", "实发 net"]
    grand = [Decimal(0)] * 3
    for row_no, (branch_code, slips) in enumerate(sorted(by_branch.items()), start=1):
        branch = slips[0].branch
        sheet = book.add_sheet(f"{branch.code} {branch.name}"[:31])
        sheet.write_row(0, 0, header, bold)
        sums = [Decimal(0)] * (len(codes) + 3)
        for r, slip in enumerate(slips, start=1):
            amounts = {ln.item_code: ln.amount for ln in slip.lines.all()}
            values = [amounts.get(code, Decimal(0)) for code, _ in codes] + [slip.gross, slip.deductions, slip.net]
            sheet.write_row(r, 0, [slip.staff.staff_no, slip.staff.name, slip.category_code, slip.level_code])
            for c, value in enumerate(values):
                sheet.write(r, 4 + c, value, money)
                sums[c] += value
        total_row = len(slips) + 1
        sheet.write(total_row, 0, "合计 Total", bold)
        for c, value in enumerate(sums):
            sheet.write(total_row, 4 + c, value, bold_money)
        summary.write_row(row_no, 0, [f"{branch.code} {branch.name}", len(slips)])
        for c, value in enumerate(sums[-3:]):
            summary.write(row_no, 2 + c, value, money)
            grand[c] += value
    last = len(by_branch) + 1
    summary.write(last, 0, "合计 Total", bold)
    summary.write(last, 1, len(payslips), bold)
    for c, value in enumerate(grand):
        summary.write(last, 2 + c, value, bold_money)
    summary.write(last + 2, 0, f"payroll {run.period} · {run.get_status_display()}")
    return book.close()
