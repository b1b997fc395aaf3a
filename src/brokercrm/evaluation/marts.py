"""Staff, branch and customer indicators of an evaluation period, read through the data center's facade (published marts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from brokercrm.datacenter.facade import CUSTOMER_INDICATORS, month_indicators
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
    months = list(period.months)
    published = month_indicators(level, months, keys)
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
    """The staff marts' months of the period (aggregated for quarters and years)."""
    return _load("staff", period, staff_nos, MART_INDICATORS)


def branch_indicators(period: EvalPeriod, branch_codes: list[str] | None = None) -> PeriodIndicators:
    return _load("branch", period, branch_codes, MART_INDICATORS)


def customer_indicators(period: EvalPeriod, customer_nos: list[str]) -> PeriodIndicators:
    return _load("customer", period, customer_nos, CUSTOMER_COLUMNS)
