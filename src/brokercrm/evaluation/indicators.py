"""The indicator library (指标库): every indicator of metrics.md plus work indicators, and how periods aggregate.

Monthly staff indicators come from the published marts (datacenter facade month_indicators), daily ones from the day
marts (day_indicators); quarters and years are computed from the months, ISO weeks from their trading days, by the
rules of metrics.md (sums; end-of-period values from the last month or day; averages weighted by trading days;
commission_rate as the ratio of the sums).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from django.utils.translation import gettext_lazy as _

from brokercrm.core.errors import DomainError
from brokercrm.core.money import quantize


@dataclass(frozen=True)
class Indicator:
    name: str
    name_zh: str
    label: object  # lazy translation
    definition: str
    kind: str  # money, count, rate
    aggregation: str  # sum, last, weighted_avg, ratio
    source: str  # mart or work


INDICATORS: tuple[Indicator, ...] = (
    Indicator("avg_daily_assets", "日均资产", _("Average daily assets"),
              "Σ over the trading days of the period of the total assets attributed that day ÷ number of trading days",
              "money", "weighted_avg", "mart"),
    Indicator("end_assets", "期末资产", _("End-of-period assets"),
              "total assets attributed on the last trading day of the period", "money", "last", "mart"),
    Indicator("net_inflow", "资产净流入", _("Net inflow"),
              "bank transfers in − out + securities transferred in − out", "money", "sum", "mart"),
    Indicator("trade_amount", "交易量", _("Trade amount"), "Σ deliveries.amount", "money", "sum", "mart"),
    Indicator("trade_count", "成交笔数", _("Trade count"), "number of deliveries", "count", "sum", "mart"),
    Indicator("active_days", "交易天数", _("Active days"),
              "number of (customer, trade date) pairs with at least one delivery", "count", "sum", "mart"),
    Indicator("commission", "佣金", _("Commission"), "Σ deliveries.commission", "money", "sum", "mart"),
    Indicator("net_commission", "净佣金", _("Net commission"),
              "Σ (commission − handling fee − regulatory fee)", "money", "sum", "mart"),
    Indicator("commission_rate", "佣金率", _("Commission rate"),
              "commission ÷ trade amount (empty without trades), 6 decimals", "rate", "ratio", "mart"),
    Indicator("customer_count", "客户数", _("Customers"),
              "customers open on the last trading day of the period whose development relation that day is this staff member",
              "count", "last", "mart"),
    Indicator("new_customers", "新开户数", _("New customers"),
              "customers opened in the period, attributed on their open date", "count", "sum", "mart"),
    Indicator("effective_new_customers", "新增有效户", _("Effective new customers"),
              "new customers whose total assets reached the effective threshold (10,000.00 by default) on some day",
              "count", "sum", "mart"),
    Indicator("visits", "回访/拜访次数", _("Visits"), "visit records of the staff member in the period (service module)",
              "count", "sum", "work"),
    Indicator("service_tasks_done", "完成服务任务数", _("Service tasks done"),
              "service tasks the staff member completed in the period (service module)", "count", "sum", "work"),
    Indicator("research_pushes", "资讯推送次数", _("Research pushes"),
              "research reports pushed to customers (one per customer and report) whose responsible staff is the staff member, "
              "by sent date in the period (research library)", "count", "sum", "work"),
    Indicator("product_sales_amount", "产品销售额", _("Product sales"),
              "Σ amount of the buys (side B) of the shelf's products in the deliveries, attributed on the trade date (products)",
              "money", "sum", "products"),
    Indicator("product_sales_count", "产品销售笔数", _("Product sales count"),
              "number of those buys (products)", "count", "sum", "products"),
)
BY_NAME = {i.name: i for i in INDICATORS}
INDICATOR_NAMES = tuple(i.name for i in INDICATORS)
MART_INDICATORS = tuple(i.name for i in INDICATORS if i.source == "mart")
WORK_INDICATORS = tuple(i.name for i in INDICATORS if i.source == "work")
PRODUCT_INDICATORS = tuple(i.name for i in INDICATORS if i.source == "products")


@dataclass(frozen=True)
class EvalPeriod:
    """A day (2026-03-02), ISO week (2026-W10), month (2026-03), quarter (2026-Q1) or year (2026); the months it spans
    (none for a day or a week, which are read from the day marts)."""

    label: str
    kind: str
    start: dt.date
    end: dt.date
    months: tuple[str, ...]

    def shifted_year(self, years: int = -1) -> "EvalPeriod":
        return parse_period(_shift_label(self.label, years))


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
PERIOD_FORMATS = "YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY"
# An example period of each kind, for messages.
PERIOD_EXAMPLES = {"day": "2026-03-02", "week": "2026-W10", "month": "2026-03", "quarter": "2026-Q1", "year": "2026"}


def _shift_label(label: str, years: int) -> str:
    return f"{int(label[:4]) + years:04d}{label[4:]}"


def parse_period(label: str, *, field: str = "period") -> EvalPeriod:
    """YYYY-MM-DD, YYYY-Www (ISO week), YYYY-MM, YYYY-Qn or YYYY; anything else is refused naming the field."""
    label = (label or "").strip()
    if m := _DAY.match(label):
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise DomainError(f"'{label}' is not a day (YYYY-MM-DD)", field=field) from None
        return EvalPeriod(label, "day", day, day, ())
    if m := _WEEK.match(label):
        try:
            monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise DomainError(f"'{label}' is not an ISO week (YYYY-Www)", field=field) from None
        return EvalPeriod(label, "week", monday, monday + dt.timedelta(days=6), ())
    if m := _MONTH.match(label):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise DomainError(f"'{label}' is not a month (YYYY-MM)", field=field)
        months = [(year, month)]
        kind = "month"
    elif m := _QUARTER.match(label):
        year, q = int(m.group(1)), int(m.group(2))
        months = [(year, 3 * (q - 1) + i) for i in (1, 2, 3)]
        kind = "quarter"
    elif m := _YEAR.match(label):
        year = int(m.group(1))
        months = [(year, i) for i in range(1, 13)]
        kind = "year"
    else:
        raise DomainError(f"'{label}' is not a period ({PERIOD_FORMATS})", field=field)
    start = dt.date(months[0][0], months[0][1], 1)
    end = dt.date(months[-1][0], months[-1][1], calendar.monthrange(months[-1][0], months[-1][1])[1])
    return EvalPeriod(label, kind, start, end, tuple(f"{y:04d}-{mo:02d}" for y, mo in months))


def aggregate_months(months: list[Mapping[str, Decimal | None]], trading_days: list[int]) -> dict[str, Decimal | None]:
    """Indicators of a quarter or year from its months, or of a week from its days (in date order), by metrics.md.

    avg_daily_assets is weighted by the parts' trading days (1 for a day); end-of-period values are the last part's;
    commission_rate is recomputed from the summed commission and trade amount.
    """
    if not months:
        return {}
    out: dict[str, Decimal | None] = {}
    total_days = sum(trading_days)
    for ind in INDICATORS:
        values = [m.get(ind.name) for m in months]
        if ind.aggregation == "sum":
            present = [v for v in values if v is not None]
            out[ind.name] = sum(present, Decimal(0)) if present else None
        elif ind.aggregation == "last":
            out[ind.name] = values[-1]
        elif ind.aggregation == "weighted_avg":
            weighted = sum(((v or Decimal(0)) * n for v, n in zip(values, trading_days)), Decimal(0))
            out[ind.name] = quantize(weighted / total_days, 2) if total_days else None
    amount, commission = out.get("trade_amount"), out.get("commission")
    out["commission_rate"] = (None if not amount else
                              quantize(commission / amount, 6))
    return out
