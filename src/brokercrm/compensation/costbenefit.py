"""Cost–benefit (成本收益分析): what staff bring in against what they cost, per staff member, team or branch, per month or year.

Income = the attributed net commission of the staff marts + the product-sales income: the staff member's product sales
(products.product_sales, attributed by the development relation) × the pay constant `product_income_rate` (the sales
income the brokerage books per yuan sold, beside the trade's commission), rounded half-up to 0.01 per staff member.
A team's and a branch's are the sums of their staff's, so the levels add up. Cost is the gross pay of the month's
payroll (any status: the latest calculation) plus the customer cost entered for the staff member (pay input
`customer_cost`). Contribution = income − cost; ROI = contribution ÷ cost (empty without cost).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from brokercrm.compensation.models import PayConstant, PayInput, Payslip
from brokercrm.core.errors import DomainError
from brokercrm.core.money import quantize, to_money
from brokercrm.evaluation import facade as evaluation
from brokercrm.org.facade import Staff, scope_for
from brokercrm.products import facade as products

LEVELS = ("staff", "team", "branch")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CostBenefit:
    key: str
    name: str
    net_commission: Decimal
    product_income: Decimal
    income: Decimal
    pay: Decimal
    customer_cost: Decimal
    cost: Decimal
    contribution: Decimal
    roi: Decimal | None

    @property
    def shown(self) -> dict[str, str]:
        """The amounts with thousands separators, for pages."""
        return {n: f"{getattr(self, n):,.2f}" for n in ("net_commission", "product_income", "income", "pay", "customer_cost", "cost",
                                                         "contribution")}


def _row(key: str, name: str, net_commission: Decimal, product_income: Decimal, pay: Decimal, customer_cost: Decimal) -> CostBenefit:
    income = to_money(net_commission + product_income)
    cost = to_money(pay + customer_cost)
    contribution = to_money(income - cost)
    return CostBenefit(key, name, to_money(net_commission), to_money(product_income), income, to_money(pay),
                       to_money(customer_cost), cost, contribution, quantize(contribution / cost, 4) if cost else None)


def product_income_rate() -> Decimal:
    """The pay constant `product_income_rate` (0 when head office has not set it: product sales then bring in nothing)."""
    value = PayConstant.objects.filter(name="product_income_rate").values_list("value", flat=True).first()
    return Decimal(value) if value is not None else Decimal(0)


def cost_benefit(*, user, period: str, level: str = "staff") -> list[CostBenefit]:
    """Rows of the period (a month or a year) at the level, for the staff in the user's scope, by contribution."""
    parsed = evaluation.parse_period(period)
    if parsed.kind not in ("month", "year"):
        raise DomainError(f"'{period}' is not a month (YYYY-MM) or a year (YYYY)", field="period")
    if level not in LEVELS:
        raise DomainError(f"unknown level '{level}' (expected {', '.join(LEVELS)})", field="level")
    staff = list(Staff.objects.filter(scope_for(user).staff_q()).select_related("branch", "team"))
    by_no = {s.staff_no: s for s in staff}
    pay = dict(Payslip.objects.filter(run__period__in=parsed.months, staff__in=staff).values("staff__staff_no")
               .annotate(total=Sum("gross")).values_list("staff__staff_no", "total"))
    costs = dict(PayInput.objects.filter(period__in=parsed.months, name="customer_cost", staff__in=staff).values("staff__staff_no")
                 .annotate(total=Sum("value")).values_list("staff__staff_no", "total"))
    values = evaluation.staff_indicators(parsed, list(by_no)).values
    commission = {n: values.get(n, {}).get("net_commission") or ZERO for n in by_no}
    rate = product_income_rate()
    sold = products.product_sales(level="staff", date_from=parsed.start, date_to=parsed.end)
    sales = {n: to_money(sold[n].product_sales_amount * rate) if n in sold else ZERO for n in by_no}
    present = [n for n in by_no if n in pay or n in costs or commission[n] or sales[n]]
    if level == "staff":
        rows = [_row(n, by_no[n].name, commission[n], sales[n], pay.get(n) or ZERO, costs.get(n) or ZERO) for n in present]
    else:
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for n in present:
            s = by_no[n]
            if level == "branch":
                groups[(s.branch.code, s.branch.name)].append(n)
            elif s.team_id:
                groups[(f"{s.branch.code}/{s.team.code}", s.team.name)].append(n)
        rows = [_row(key, name, sum((commission[n] for n in ns), ZERO), sum((sales[n] for n in ns), ZERO),
                     sum((pay.get(n) or ZERO for n in ns), ZERO),
                     sum((costs.get(n) or ZERO for n in ns), ZERO)) for (key, name), ns in groups.items()]
    return sorted(rows, key=lambda r: (-r.contribution, r.key))


def trend(*, user, year: str) -> list[dict]:
    """Income, cost and contribution of the user's scope per month of the year (for the chart)."""
    out = []
    for month in evaluation.parse_period(year).months:
        rows = cost_benefit(user=user, period=month, level="branch")
        income, cost = sum((r.income for r in rows), ZERO), sum((r.cost for r in rows), ZERO)
        out.append({"month": month, "income": str(income), "cost": str(cost), "contribution": str(income - cost)})
    return out
