"""A published marts snapshot written by hand for tests: the dm tables evaluation and pay read, with the marts' columns."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

from brokercrm.datacenter.pipelines.dm import COUNTS, INDICATORS

COUNT_COLUMNS = {"trade_count", "active_days", *COUNTS}


def _columns(level: str) -> list[tuple[str, str]]:
    cols = [("key", "VARCHAR"), ("period", "VARCHAR"), ("period_start", "DATE"), ("period_end", "DATE"), ("trading_days", "INTEGER")]
    names = list(INDICATORS) + (list(COUNTS) if level != "customer" else [])
    for name in names:
        kind = "BIGINT" if name in COUNT_COLUMNS else "DECIMAL(18,6)" if name == "commission_rate" else "DECIMAL(38,2)"
        cols.append((name, kind))
    return cols


def publish(directory: Path, *, months: dict[str, int], staff: list[dict] = (), branches: list[dict] = (),
            customers: list[dict] = ()) -> Path:
    """Write marts-N.duckdb with dm.staff_month/branch_month/customer_month/periods and point CURRENT at it.

    months: label → trading days; rows: {"key": ..., "period": ..., <indicator>: value}, other indicators 0.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    number = len(list(directory.glob("marts-*.duckdb"))) + 1
    path = directory / f"marts-{number}.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA dm")
    bounds = {}
    for label in months:
        year, month = int(label[:4]), int(label[5:])
        bounds[label] = (dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))
    for level, rows in (("staff", staff), ("branch", branches), ("customer", customers)):
        cols = _columns(level)
        con.execute(f"CREATE TABLE dm.{level}_month ({', '.join(f'{n} {t}' for n, t in cols)})")
        values = []
        for row in rows:
            start, end = bounds[row["period"]]
            base = {"period_start": start, "period_end": end, "trading_days": months[row["period"]]}
            values.append([row.get(n, base.get(n, None if n == "commission_rate" else Decimal(0))) for n, _ in cols])
        if values:
            con.executemany(f"INSERT INTO dm.{level}_month VALUES ({', '.join('?' for _ in cols)})", values)
    con.execute("CREATE TABLE dm.periods (grain VARCHAR, period VARCHAR, period_start DATE, period_end DATE, trading_days INTEGER, last_day DATE)")
    con.executemany("INSERT INTO dm.periods VALUES ('month', ?, ?, ?, ?, ?)",
                    [[label, *bounds[label], days, bounds[label][1]] for label, days in months.items()])
    con.close()
    (directory / "CURRENT").write_text(path.name + "\n", encoding="utf-8")
    return path
