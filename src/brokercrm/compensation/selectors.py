"""Reads of compensation, scoped by the user: payslips of staff in scope; a payee sees own payslips once approved."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404

from brokercrm.compensation.models import PayConstant, PayGrade, PayItem, PayrollRun, Payslip, PayStructure, TierTable
from brokercrm.org.facade import COMPANY_WIDE, Role, scope_for

VISIBLE_TO_PAYEES = (PayrollRun.Status.APPROVED, PayrollRun.Status.LOCKED)


def run_list(*, user) -> QuerySet[PayrollRun]:
    qs = PayrollRun.objects.all()
    if user.role not in COMPANY_WIDE and user.role != Role.BRANCH_MANAGER:
        qs = qs.filter(status__in=VISIBLE_TO_PAYEES)
    return qs


def run_get(*, user, period: str) -> PayrollRun:
    return get_object_or_404(run_list(user=user), period=period)


def payslip_list(*, user, run: PayrollRun) -> QuerySet[Payslip]:
    return (Payslip.objects.filter(run=run).filter(scope_for(user).staff_q("staff__"))
            .select_related("staff", "branch").order_by("branch__code", "staff__staff_no"))


def payslip_get(*, user, run: PayrollRun, staff_no: str) -> Payslip:
    return get_object_or_404(payslip_list(user=user, run=run).prefetch_related("lines"), staff__staff_no=staff_no)


def branch_totals(*, user, run: PayrollRun) -> list[dict]:
    return list(payslip_list(user=user, run=run).order_by().values("branch__code", "branch__name")
                .annotate(gross=Sum("gross"), deductions=Sum("deductions"), net=Sum("net")).order_by("branch__code"))


def structure_list() -> QuerySet[PayStructure]:
    return PayStructure.objects.select_related("category", "level").prefetch_related("rules__item")


def structure_get(*, code: str) -> PayStructure:
    return get_object_or_404(structure_list(), code=code)


def rules_overview() -> dict:
    return {"grades": PayGrade.objects.select_related("category", "level"), "items": PayItem.objects.all(),
            "tiers": TierTable.objects.all(), "constants": PayConstant.objects.all(), "structures": structure_list()}


def my_payslips(*, user) -> QuerySet[Payslip]:
    """The user's own payslips in runs a payee may see (approved or locked), newest first."""
    return (Payslip.objects.filter(staff_id=user.staff_id, run__status__in=VISIBLE_TO_PAYEES)
            .select_related("run").order_by("-run__period"))


def latest_payroll_period() -> str | None:
    return PayrollRun.objects.order_by("-period").values_list("period", flat=True).first()


@dataclass(frozen=True)
class PayAmounts:
    """One payslip's totals: the staff member, the branch it was paid in, the payroll month."""

    staff_no: str
    branch_code: str
    period: str
    gross: Decimal
    deductions: Decimal
    net: Decimal


def pay_amounts(*, user, months: list[str]) -> list[PayAmounts]:
    """The payslips of the months' payroll runs the user may see, of the staff in their scope (user None: the system,
    every payslip): the reports' payroll measures."""
    runs = PayrollRun.objects.all() if user is None else run_list(user=user)
    slips = Payslip.objects.filter(run__in=runs.filter(period__in=months))
    if user is not None:
        slips = slips.filter(scope_for(user).staff_q("staff__"))
    return [PayAmounts(*row) for row in slips.order_by().values_list("staff__staff_no", "branch__code", "run__period",
                                                                     "gross", "deductions", "net")]
