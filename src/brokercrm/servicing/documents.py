"""The monthly customer account report (客户月度对账单) as PDF: read from the warehouse, rendered by WeasyPrint.

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
    head = con.execute("SELECT name, branch_code FROM dw.customers_current WHERE customer_no = ?", [customer_no]).fetchone()
    if head is None:
        raise DomainError(f"customer {customer_no} is not in the warehouse", field="customer_no")
    trend = [(d, Decimal(v)) for d, v in con.execute(
        "SELECT biz_date, total_assets FROM dw.fact_assets WHERE customer_no = ? AND biz_date BETWEEN ? AND ? ORDER BY biz_date",
        [customer_no, first, last]).fetchall()]
    if not trend:
        raise DomainError(f"customer {customer_no} has no assets in {month}", field="month")
    before = con.execute("SELECT total_assets FROM dw.fact_assets WHERE customer_no = ? AND biz_date < ? ORDER BY biz_date DESC LIMIT 1",
                         [customer_no, first]).fetchone()
    start = Decimal(before[0]) if before else ZERO
    end = trend[-1][1]
    cash_in = con.execute("""SELECT COALESCE(SUM(amount), 0) FROM dw.fact_cash_flows WHERE customer_no = ? AND biz_date BETWEEN ? AND ?
                             AND flow_type IN ('bank_in', 'bank_out')""", [customer_no, first, last]).fetchone()[0]
    moved = con.execute("""SELECT COALESCE(SUM(CASE WHEN direction = 'in' THEN value ELSE -value END), 0) FROM dw.fact_security_transfers
                           WHERE customer_no = ? AND biz_date BETWEEN ? AND ?""", [customer_no, first, last]).fetchone()[0]
    net_inflow = Decimal(cash_in) + Decimal(moved)
    trades = [TradeLine(d, f"{m}.{code} {name or ''}".strip(), side, int(q), Decimal(p), Decimal(a), Decimal(c))
              for d, m, code, name, side, q, p, a, c in con.execute("""
                  SELECT t.trade_date, t.market, t.security_code, s.security_name, t.side, t.quantity, t.price, t.amount, t.commission
                  FROM dw.fact_trades t LEFT JOIN dw.securities s ON s.market = t.market AND s.security_code = t.security_code
                  WHERE t.customer_no = ? AND t.trade_date BETWEEN ? AND ? ORDER BY t.trade_date, t.serial_no""",
                  [customer_no, first, last]).fetchall()]
    last_day = trend[-1][0]
    cash = con.execute("SELECT cash_balance FROM dw.fact_assets WHERE customer_no = ? AND biz_date = ?", [customer_no, last_day]).fetchone()[0]
    held = con.execute("""SELECT COALESCE(s.security_type, 'other'), SUM(p.market_value) FROM dw.fact_positions p
                          LEFT JOIN dw.securities s ON s.market = p.market AND s.security_code = p.security_code
                          WHERE p.customer_no = ? AND p.biz_date = ? GROUP BY 1 ORDER BY 1""", [customer_no, last_day]).fetchall()
    parts = [("cash", Decimal(cash))] + [(kind, Decimal(v)) for kind, v in held]
    total = sum((v for _, v in parts), ZERO)
    allocation = [AllocationLine(kind, to_money(v), quantize(v * 100 / total, 1) if total else Decimal("0.0")) for kind, v in parts]
    return AccountReport(
        customer_no=customer_no, name=head[0], branch_code=head[1], month=month, first_day=first, last_day=last_day,
        start_assets=to_money(start), end_assets=to_money(end), net_inflow=to_money(net_inflow),
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
