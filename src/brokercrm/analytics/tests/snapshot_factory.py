"""Hand-made published snapshots (dm.customer_month, dm.periods, dw.customers_current) for segmentation tests.

Columns follow the data center's published tables (datacenter/pipelines/dm.py, dw.py); tests name only
the indicators their case is about, the others are 0.
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

M = "DECIMAL(38,2)"
MONTH_COLUMNS = [("key", "VARCHAR"), ("period", "VARCHAR"), ("period_start", "DATE"), ("period_end", "DATE"),
                 ("trading_days", "INTEGER"), ("avg_daily_assets", M), ("end_assets", M), ("net_inflow", M),
                 ("trade_amount", M), ("trade_count", "BIGINT"), ("active_days", "BIGINT"), ("commission", M),
                 ("net_commission", M), ("commission_rate", "DECIMAL(18,6)")]
CUSTOMER_COLUMNS = [("customer_no", "VARCHAR"), ("valid_from", "DATE"), ("delivered_on", "DATE"), ("name", "VARCHAR"),
                    ("customer_type", "VARCHAR"), ("id_type", "VARCHAR"), ("id_no", "VARCHAR"), ("gender", "VARCHAR"),
                    ("birth_date", "DATE"), ("mobile", "VARCHAR"), ("email", "VARCHAR"), ("address", "VARCHAR"),
                    ("branch_code", "VARCHAR"), ("open_date", "DATE"), ("close_date", "DATE"), ("status", "VARCHAR"),
                    ("risk_level", "VARCHAR"), ("risk_assessed_on", "DATE")]


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    year, month = map(int, period.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


class SnapshotFactory:
    """Collect customers and their months, then `connect()` (in memory) or `publish(dir)` (a snapshot file)."""

    def __init__(self):
        self.customers: dict[str, dict] = {}
        self.months: list[dict] = []

    def customer(self, customer_no: str, **profile) -> str:
        row = {"customer_no": customer_no, "name": f"客户{customer_no}", "customer_type": "individual", "id_type": "id_card",
               "branch_code": "0001", "open_date": dt.date(2020, 1, 2), "status": "normal", "risk_level": "C3"}
        row.update(profile)
        self.customers[customer_no] = row
        return customer_no

    def month(self, customer_no: str, period: str, **indicators) -> None:
        if customer_no not in self.customers:
            self.customer(customer_no)
        start, end = month_bounds(period)
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

    def _fill(self, con) -> None:
        con.execute("CREATE SCHEMA IF NOT EXISTS dm")
        con.execute("CREATE SCHEMA IF NOT EXISTS dw")
        con.execute(f"CREATE TABLE dm.customer_month ({', '.join(f'{n} {k}' for n, k in MONTH_COLUMNS)})")
        con.execute(f"CREATE TABLE dw.customers_current ({', '.join(f'{n} {k}' for n, k in CUSTOMER_COLUMNS)})")
        con.execute("CREATE TABLE dm.periods (grain VARCHAR, period VARCHAR, period_start DATE, period_end DATE, "
                    "trading_days INTEGER, last_day DATE)")
        names = [n for n, _ in MONTH_COLUMNS]
        if self.months:
            con.executemany(f"INSERT INTO dm.customer_month VALUES ({', '.join('?' * len(names))})",
                            [[r[n] for n in names] for r in self.months])
        cnames = [n for n, _ in CUSTOMER_COLUMNS]
        if self.customers:
            con.executemany(f"INSERT INTO dw.customers_current VALUES ({', '.join('?' * len(cnames))})",
                            [[r.get(n) for n in cnames] for r in self.customers.values()])
        for period in sorted({r["period"] for r in self.months}):
            start, end = month_bounds(period)
            con.execute("INSERT INTO dm.periods VALUES ('month', ?, ?, ?, 20, ?)", [period, start, end, end])

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        self._fill(con)
        return con

    def publish(self, directory: Path, number: int = 1) -> Path:
        """Write marts-<number>.duckdb and point CURRENT at it, as the data center's publish does."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"marts-{number}.duckdb"
        path.unlink(missing_ok=True)
        con = duckdb.connect(str(path))
        self._fill(con)
        con.close()
        (directory / "CURRENT").write_text(path.name + "\n", encoding="utf-8")
        return path
