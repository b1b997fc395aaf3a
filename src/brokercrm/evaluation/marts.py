"""Reading staff, branch and customer indicators from the published marts (read-only DuckDB snapshot)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from brokercrm.evaluation.indicators import MART_INDICATORS, EvalPeriod, aggregate_months

STAFF_MART = "dm.staff_month"
CUSTOMER_MART = "dm.customer_month"
BRANCH_MART = "dm.branch_month"
CUSTOMER_COLUMNS = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days",
                    "commission", "net_commission", "commission_rate")


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


def _connect():
    from brokercrm.datacenter.pipelines.publish import current_snapshot, open_published

    directory = Path(settings.WAREHOUSE_SNAPSHOT_DIR)
    return current_snapshot(directory).name, open_published(directory)


def _load(table: str, key_column: str, period: EvalPeriod, keys: list[str] | None, columns: tuple[str, ...]) -> PeriodIndicators:
    snapshot, con = _connect()
    try:
        months = list(period.months)
        placeholders = ", ".join("?" for _ in months)
        sql = f"SELECT key, period, {', '.join(columns)} FROM {table} WHERE period IN ({placeholders})"
        rows = con.execute(sql, list(months)).fetchall()
        if keys is not None:
            wanted = set(keys)
            rows = [r for r in rows if r[0] in wanted]
        days = dict(con.execute(f"SELECT period, trading_days FROM dm.periods WHERE grain = 'month' AND period IN ({placeholders})",
                                months).fetchall())
    finally:
        con.close()
    by_key: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_key.setdefault(row[0], {})[row[1]] = {c: _decimal(v) for c, v in zip(columns, row[2:])}
    present = [m for m in months if m in days]
    result = PeriodIndicators(snapshot=snapshot, months=tuple(present))
    for key, per_month in by_key.items():
        if len(months) == 1:
            result.values[key] = per_month.get(months[0], {})
        else:
            ordered = [per_month.get(m, {}) for m in present]
            result.values[key] = aggregate_months(ordered, [int(days[m]) for m in present])
    return result


def staff_indicators(period: EvalPeriod, staff_nos: list[str] | None = None) -> PeriodIndicators:
    """dm.staff_month for the period's months (aggregated for quarters and years)."""
    return _load(STAFF_MART, "key", period, staff_nos, MART_INDICATORS)


def branch_indicators(period: EvalPeriod, branch_codes: list[str] | None = None) -> PeriodIndicators:
    return _load(BRANCH_MART, "key", period, branch_codes, MART_INDICATORS)


def customer_indicators(period: EvalPeriod, customer_nos: list[str]) -> PeriodIndicators:
    return _load(CUSTOMER_MART, "key", period, customer_nos, CUSTOMER_COLUMNS)
