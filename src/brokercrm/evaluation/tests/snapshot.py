"""A published marts snapshot written by hand for tests: the dm tables evaluation and pay read, with the marts' columns."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from pathlib import Path

from brokercrm.datacenter.pipelines.dm import COUNTS, INDICATORS
from brokercrm.datacenter.tests.snapshot import write_snapshot

def _names(level: str) -> list[str]:
    return ["key", "period", "period_start", "period_end", "trading_days", *INDICATORS, *(COUNTS if level != "customer" else ())]


def publish(directory: Path, *, months: dict[str, int], staff: list[dict] = (), branches: list[dict] = (),
            customers: list[dict] = (), staff_days: list[dict] = (), extra: dict[str, list[dict]] | None = None) -> Path:
    """Publish dm.staff_month/branch_month/customer_month/staff_day/periods (a new snapshot-<n>.json made CURRENT).

    months: label → trading days; rows: {"key": ..., "period": ..., <indicator>: value}, other indicators 0;
    staff_days: rows whose period is a trading day YYYY-MM-DD (each day published with 1 trading day);
    extra: rows of further published tables (e.g. dw.fact_trades), as write_snapshot takes them.
    """
    bounds = {}
    for label in months:
        year, month = int(label[:4]), int(label[5:])
        bounds[label] = (dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))
    tables = {}
    for level, rows in (("staff", staff), ("branch", branches), ("customer", customers)):
        names = _names(level)
        tables[f"dm.{level}_month"] = []
        for row in rows:
            start, end = bounds[row["period"]]
            base = {"period_start": start, "period_end": end, "trading_days": months[row["period"]]}
            tables[f"dm.{level}_month"].append(
                {n: row.get(n, base.get(n, None if n == "commission_rate" else Decimal(0))) for n in names})
    days = sorted({row["period"] for row in staff_days})
    tables["dm.staff_day"] = [
        {n: row.get(n, {"period_start": dt.date.fromisoformat(row["period"]), "period_end": dt.date.fromisoformat(row["period"]),
                        "trading_days": 1}.get(n, None if n == "commission_rate" else Decimal(0))) for n in _names("staff")}
        for row in staff_days]
    tables["dm.periods"] = [{"grain": "day", "period": d, "period_start": dt.date.fromisoformat(d),
                             "period_end": dt.date.fromisoformat(d), "trading_days": 1, "last_day": dt.date.fromisoformat(d)}
                            for d in days] + [{"grain": "month", "period": label, "period_start": bounds[label][0], "period_end": bounds[label][1],
                             "trading_days": days, "last_day": bounds[label][1]} for label, days in months.items()]
    return write_snapshot(Path(directory), tables | (extra or {}))
