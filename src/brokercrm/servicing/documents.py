"""The monthly customer account report (客户月度对账单) as PDF: facts from the data center, rendered by WeasyPrint.

Numbers come from the DW facts (metrics.md definitions): start assets = total assets of the last loaded
day before the month (0 for a new account), end assets = of the month's last loaded day, net inflow =
bank transfers in/out + securities transferred in − out, profit and loss = end − start − net inflow.
Charts are inline SVG (WeasyPrint runs no JavaScript). Chinese text needs a CJK font (Debian fonts-noto-cjk).
The template `servicing/account_report.html` can be overridden in the project's template directory.
"""
import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from brokercrm.core.errors import DomainError
from brokercrm.core.money import quantize, to_money
from brokercrm.datacenter.facade import month_statement

ZERO = Decimal("0.00")
ASSET_CLASSES = {"cash": _("Cash"), "stock": _("Stocks"), "fund": _("Funds"), "bond": _("Bonds"), "repo": _("Repo"),
                 "wealth": _("Wealth products"), "other": _("Other")}


@dataclass(frozen=True)
class TradeLine:
    trade_date: dt.date
    security: str
    side: str
    quantity: int
    price: Decimal
    amount: Decimal
    commission: Decimal


@dataclass(frozen=True)
class AllocationLine:
    label: str
    value: Decimal
    percent: Decimal


@dataclass(frozen=True)
class AccountReport:
    customer_no: str
    name: str
    branch_code: str
    month: str
    first_day: dt.date
    last_day: dt.date
    start_assets: Decimal
    end_assets: Decimal
    net_inflow: Decimal
    profit: Decimal
    commission: Decimal
    trades: list[TradeLine] = field(default_factory=list)
    allocation: list[AllocationLine] = field(default_factory=list)
    trend: list[tuple[dt.date, Decimal]] = field(default_factory=list)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        year, number = (int(x) for x in month.split("-"))
        return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])
    except ValueError:
        raise DomainError(f"'{month}' is not a month (YYYY-MM)", field="month") from None


def account_report_data(con, *, customer_no: str, month: str) -> AccountReport:
    """Everything the report shows, as exact decimals, from a warehouse connection."""
    first, last = month_bounds(month)
    facts = month_statement(con, customer_no=customer_no, first=first, last=last)
    if facts is None:
        raise DomainError(f"customer {customer_no} is not in the warehouse", field="customer_no")
    trend = list(facts.trend)
    if not trend:
        raise DomainError(f"customer {customer_no} has no assets in {month}", field="month")
    start = facts.start_assets if facts.start_assets is not None else ZERO
    end = trend[-1][1]
    net_inflow = facts.bank_net + facts.transfers_net
    trades = [TradeLine(d, f"{m}.{code} {name or ''}".strip(), side, int(q), Decimal(p), Decimal(a), Decimal(c))
              for d, m, code, name, side, q, p, a, c in facts.trades]
    parts = [("cash", facts.cash)] + list(facts.holdings)
    total = sum((v for _, v in parts), ZERO)
    allocation = [AllocationLine(kind, to_money(v), quantize(v * 100 / total, 1) if total else Decimal("0.0")) for kind, v in parts]
    return AccountReport(
        customer_no=customer_no, name=facts.name, branch_code=facts.branch_code, month=month, first_day=first,
        last_day=trend[-1][0], start_assets=to_money(start), end_assets=to_money(end), net_inflow=to_money(net_inflow),
        profit=to_money(end - start - net_inflow), commission=to_money(sum((t.commission for t in trades), ZERO)),
        trades=trades, allocation=allocation, trend=trend)


def trend_svg(trend: list[tuple[dt.date, Decimal]], *, width: int = 520, height: int = 140) -> str:
    """A polyline of daily total assets, coordinates computed in Decimal."""
    values = [v for _, v in trend]
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = Decimal(width - 20) / max(len(values) - 1, 1)
    points = " ".join(f"{10 + step * i:.1f},{Decimal(height - 10) - (v - low) * Decimal(height - 20) / span:.1f}" for i, v in enumerate(values))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<rect width="{width}" height="{height}" fill="#f8f9fa"/>'
            f'<polyline fill="none" stroke="#0d6efd" stroke-width="2" points="{points}"/></svg>')


def allocation_svg(lines: list[AllocationLine], *, width: int = 520) -> str:
    """Horizontal bars of the month-end allocation (share of total assets)."""
    colours = ["#0d6efd", "#20c997", "#ffc107", "#dc3545", "#6f42c1", "#fd7e14"]
    rows = []
    for i, line in enumerate(lines):
        bar = Decimal(width - 200) * line.percent / 100
        rows.append(f'<text x="0" y="{22 * i + 15}" font-size="12">{escape(ASSET_CLASSES.get(line.label, line.label))}</text>'
                    f'<rect x="90" y="{22 * i + 4}" width="{bar:.1f}" height="14" fill="{colours[i % len(colours)]}"/>'
                    f'<text x="{95 + bar:.1f}" y="{22 * i + 15}" font-size="12">{line.percent}%</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{22 * len(lines) + 6}">' + "".join(rows) + "</svg>")


def account_report_html(report: AccountReport) -> str:
    return render_to_string("servicing/account_report.html", {
        "r": report, "trend_svg": trend_svg(report.trend), "allocation_svg": allocation_svg(report.allocation)})


def account_report_pdf(report: AccountReport) -> bytes:
    from weasyprint import HTML

    return HTML(string=account_report_html(report)).write_pdf()
