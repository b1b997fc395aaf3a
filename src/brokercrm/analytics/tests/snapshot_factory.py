"""Hand-made published snapshots (dm.customer_month, dm.periods, dw.customers_current) for segmentation tests.

Columns follow the data center's published tables (datacenter/pipelines/dm.py, dw.py); tests name only
the indicators their case is about, the others are 0.
"""
from __future__ import annotations

import calendar
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb

from brokercrm.analytics.engine.build import segment_engine
from brokercrm.datacenter.reader import customer_month_sql
from brokercrm.datacenter.tests.snapshot import open_snapshot, write_snapshot

M = "DECIMAL(38,2)"
MONTH_COLUMNS = [("key", "VARCHAR"), ("period", "VARCHAR"), ("period_start", "DATE"), ("period_end", "DATE"),
                 ("trading_days", "INTEGER"), ("avg_daily_assets", M), ("end_assets", M), ("net_inflow", M),
                 ("trade_amount", M), ("trade_count", "BIGINT"), ("active_days", "BIGINT"), ("commission", M),
                 ("net_commission", M), ("commission_rate", "DECIMAL(18,6)")]


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    year, month = map(int, period.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


class SnapshotFactory:
    """Collect customers and their months, then `connect()` (in memory) or `publish(dir)` (a snapshot file)."""

    def __init__(self):
        self.customers: dict[str, dict] = {}
        self.months: list[dict] = []
        self.assets_rows: list[dict] = []

    def customer(self, customer_no: str, **profile) -> str:
        row = {"customer_no": customer_no, "name": f"客户{customer_no}", "customer_type": "individual", "id_type": "id_card",
               "branch_code": "0001", "open_date": dt.date(2020, 1, 2), "status": "normal", "risk_level": "C3"}
        row.update(profile)
        self.customers[customer_no] = row
        return customer_no

    def month(self, customer_no: str, period: str, *, end_cash=None, end_market_value=None, **indicators) -> None:
        """A customer month; end_cash / end_market_value add the month-end assets row (dw.fact_assets) they come from."""
        if customer_no not in self.customers:
            self.customer(customer_no)
        start, end = month_bounds(period)
        if end_cash is not None or end_market_value is not None:
            cash, value = Decimal(str(end_cash or 0)), Decimal(str(end_market_value or 0))
            self.assets_rows.append({"biz_date": end, "customer_no": customer_no, "cash_balance": cash,
                                     "market_value": value, "total_assets": cash + value})
        row = {"key": customer_no, "period": period, "period_start": start, "period_end": end, "trading_days": 20}
        for name, kind in MONTH_COLUMNS[5:]:
            value = indicators.pop(name, 0)
            row[name] = Decimal(str(value)) if kind.startswith("DECIMAL") and value is not None else value
        if indicators:
            raise TypeError(f"unknown indicators {sorted(indicators)}")
        if row["commission_rate"] == 0:
            row["commission_rate"] = None
        self.months.append(row)

    def assets(self, customer_no: str, periods: list[str], values: list) -> None:
        """A run of months where only average daily (and month-end) assets matter."""
        for period, value in zip(periods, values):
            self.month(customer_no, period, avg_daily_assets=value, end_assets=value)

    def _tables(self) -> dict[str, list[dict]]:
        periods = []
        for period in sorted({r["period"] for r in self.months}):
            start, end = month_bounds(period)
            periods.append({"grain": "month", "period": period, "period_start": start, "period_end": end, "trading_days": 20})
        return {"dm.customer_month": self.months, "dw.customers_current": list(self.customers.values()), "dm.periods": periods,
                "dw.fact_assets": self.assets_rows}

    def connect(self) -> duckdb.DuckDBPyConnection:
        """The segmentation engine over these rows, as segments_build makes it from the published snapshot."""
        with tempfile.TemporaryDirectory() as directory:
            path = write_snapshot(Path(directory), self._tables())
            con = open_snapshot(path)
            months = con.execute(customer_month_sql()).to_arrow_table()
            periods = con.execute("SELECT period, period_end FROM dm.periods ORDER BY period").fetchall()
            profiles = con.execute("SELECT * FROM dw.customers_current").to_arrow_table()
            con.close()
        return segment_engine(months, periods, profiles)

    def publish(self, directory: Path) -> Path:
        """Publish the rows as the data center's publish does (a new snapshot-<n>.json made CURRENT)."""
        return write_snapshot(Path(directory), self._tables())
