"""The wealth report (理财报告) of a quarter or a year: assets, P&L, time-weighted return with flows removed,
allocation by asset class and industry, concentration, products held against the customer's risk tolerance.

Time-weighted return: each loaded day d with a previous total A(d−1) > 0 has the return
r(d) = (A(d) − F(d)) / A(d−1) − 1, F(d) = the day's external flows (bank transfers and securities transferred,
+ in), taken at the day's end; TWR = Π(1 + r(d)) − 1, in percent half-up to 0.01. A day after a zero total (a
new account's first deposit) has no return. Exact decimals throughout; the PDF renders with WeasyPrint.
"""
import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string

from brokercrm.core.errors import DomainError
from brokercrm.core.money import quantize, to_money
from brokercrm.datacenter.facade import period_wealth
from brokercrm.servicing.documents import ASSET_CLASSES, AllocationLine, allocation_svg

ZERO = Decimal("0.00")


def report_period(label: str) -> tuple[dt.date, dt.date]:
    """`2026-Q1` → the quarter's days; `2026` → the year's; DomainError naming the format otherwise."""
    try:
        if "-Q" in label:
            year, quarter = label.split("-Q")
            first_month = (int(quarter) - 1) * 3 + 1
            if not 1 <= int(quarter) <= 4:
                raise ValueError
            last_month = first_month + 2
            return dt.date(int(year), first_month, 1), dt.date(int(year), last_month, calendar.monthrange(int(year), last_month)[1])
        return dt.date(int(label), 1, 1), dt.date(int(label), 12, 31)
    except ValueError:
        raise DomainError(f"'{label}' is not a quarter (YYYY-Qn) or a year (YYYY)", field="period") from None


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class ProductLine:
    security: str
    name: str
    risk_level: str
    value: Decimal
    above_tolerance: bool


@dataclass(frozen=True)
class WealthReport:
    customer_no: str
    name: str
    period: str
    first_day: dt.date
    last_day: dt.date
    risk_level: str
    start_assets: Decimal
    end_assets: Decimal
    net_inflow: Decimal
    profit: Decimal
    twr_percent: Decimal
    by_class: list[AllocationLine] = field(default_factory=list)
    by_industry: list[AllocationLine] = field(default_factory=list)
    top_share: Decimal = Decimal("0.0")
    top3_share: Decimal = Decimal("0.0")
    products: list[ProductLine] = field(default_factory=list)


def time_weighted_return(start: Decimal | None, days: list[tuple[dt.date, Decimal, Decimal]]) -> Decimal:
    """Π(1 + r(d)) − 1 as a fraction, flows removed (see the module's docstring)."""
    growth, previous = Decimal(1), start
    for _, total, flow in days:
        if previous is not None and previous > 0:
            growth *= (total - flow) / previous
        previous = total
    return growth - 1


def _shares(parts: list[tuple[str, Decimal]], total: Decimal) -> list[AllocationLine]:
    return [AllocationLine(label, to_money(v), quantize(v * 100 / total, 1) if total else Decimal("0.0"))
            for label, v in sorted(parts, key=lambda p: (-p[1], p[0])) if v]


def _level(code: str) -> int:
    return int(code[1]) if len(code) == 2 and code[1].isdigit() else 0


def wealth_report_data(con, *, customer_no: str, period: str) -> WealthReport:
    """Everything the wealth report shows for a quarter (YYYY-Qn) or year (YYYY), from a warehouse connection."""
    first, last = report_period(period)
    facts = period_wealth(con, customer_no=customer_no, first=first, last=last)
    if facts is None:
        raise DomainError(f"customer {customer_no} is not in the warehouse", field="customer_no")
    if not facts.days:
        raise DomainError(f"customer {customer_no} has no assets in {period}", field="period")
    days = list(facts.days)
    start = facts.start[1] if facts.start else None
    if start is None and facts.open_date is not None and facts.open_date < days[0][0]:
        start, days = days[0][1], days[1:]  # the first loaded day of an older account: its opening snapshot
    end = facts.days[-1][1]
    inflow = sum((f for _, _, f in days), ZERO)
    twr = time_weighted_return(start, days)
    by_class: dict[str, Decimal] = {"cash": facts.cash}
    by_industry: dict[str, Decimal] = {}
    for _, _, kind, industry, _, value in facts.holdings:
        by_class[kind] = by_class.get(kind, ZERO) + value
        by_industry[industry or "—"] = by_industry.get(industry or "—", ZERO) + value
    total = facts.cash + sum((h[5] for h in facts.holdings), ZERO)
    values = [h[5] for h in facts.holdings]
    tolerance = _level(facts.risk_level)
    return WealthReport(
        customer_no=customer_no, name=facts.name, period=period, first_day=first, last_day=facts.days[-1][0],
        risk_level=facts.risk_level, start_assets=to_money(start or ZERO), end_assets=to_money(end), net_inflow=to_money(inflow),
        profit=to_money(end - (start or ZERO) - inflow), twr_percent=quantize(twr * 100, 2),
        by_class=_shares(list(by_class.items()), total), by_industry=_shares(list(by_industry.items()), sum(values, ZERO)),
        top_share=quantize(values[0] * 100 / total, 1) if values and total else Decimal("0.0"),
        top3_share=quantize(sum(values[:3], ZERO) * 100 / total, 1) if values and total else Decimal("0.0"),
        products=[ProductLine(sec, name, risk, to_money(v), _level(risk) > tolerance > 0)
                  for sec, name, _, _, risk, v in facts.holdings])


def wealth_report_html(report: WealthReport) -> str:
    labels = [AllocationLine(str(ASSET_CLASSES.get(a.label, a.label)), a.value, a.percent) for a in report.by_class]
    return render_to_string("servicing/wealth_report.html", {
        "r": report, "class_svg": allocation_svg(labels), "industry_svg": allocation_svg(report.by_industry)})


def wealth_report_pdf(report: WealthReport) -> bytes:
    from weasyprint import HTML  # WeasyPrint loads pango and fonts: only when a PDF is made

    return HTML(string=wealth_report_html(report)).write_pdf()
