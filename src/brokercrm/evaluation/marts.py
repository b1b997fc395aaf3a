"""Staff, branch and customer indicators of an evaluation period, read through the data center's facade (published marts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from brokercrm.datacenter.facade import CUSTOMER_INDICATORS, day_indicators, month_indicators
from brokercrm.evaluation.indicators import MART_INDICATORS, EvalPeriod, aggregate_months

CUSTOMER_COLUMNS = CUSTOMER_INDICATORS


def _decimal(value):
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(str(value))


@dataclass
class PeriodIndicators:
    """Indicators per key for one evaluation period, with where they came from (lineage)."""

    snapshot: str
    values: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)
    months: tuple[str, ...] = ()


def _load(level: str, period: EvalPeriod, keys: list[str] | None, columns: tuple[str, ...]) -> PeriodIndicators:
    """A day or week from the day marts (a week aggregated over its published trading days), else from the month marts."""
    if period.kind in ("day", "week"):
        published = day_indicators(level, period.start, period.end, keys)
        months = sorted(published.trading_days) if period.kind == "week" else [period.label]
    else:
        published = month_indicators(level, list(period.months), keys)
        months = list(period.months)
    days = published.trading_days
    by_key = {key: {month: {c: _decimal(row[c]) for c in columns} for month, row in per_month.items()}
              for key, per_month in published.values.items()}
    present = [m for m in months if m in days]
    result = PeriodIndicators(snapshot=published.snapshot, months=tuple(present))
    for key, per_month in by_key.items():
        if len(months) == 1:
            result.values[key] = per_month.get(months[0], {})
        else:
            ordered = [per_month.get(m, {}) for m in present]
            result.values[key] = aggregate_months(ordered, [int(days[m]) for m in present])
    return result


def staff_indicators(period: EvalPeriod, staff_nos: list[str] | None = None) -> PeriodIndicators:
    """The staff marts of the period: a day as published, a week from its days, quarters and years from their months."""
    return _load("staff", period, staff_nos, MART_INDICATORS)


def branch_indicators(period: EvalPeriod, branch_codes: list[str] | None = None) -> PeriodIndicators:
    return _load("branch", period, branch_codes, MART_INDICATORS)


def customer_indicators(period: EvalPeriod, customer_nos: list[str]) -> PeriodIndicators:
    return _load("customer", period, customer_nos, CUSTOMER_COLUMNS)
