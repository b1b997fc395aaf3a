"""The trading side of the 360° page, read from the published marts snapshot (read-only DuckDB).

Monthly indicators come from dm.customer_month, the same table the indicator export reads, so the
figures shown equal the export. Daily facts (assets, positions, trades, cash flows, security
transfers) are read from dw.fact_* when the snapshot carries them; a missing table or snapshot is an
empty panel, never an error.
"""
import datetime as dt
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from django.conf import settings

INDICATORS = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days", "commission",
              "net_commission", "commission_rate")
RECENT_ROWS = 50


@dataclass
class CustomerInsight:
    available: bool = False
    months: list[dict] = field(default_factory=list)
    daily_assets: list[dict] = field(default_factory=list)
    composition: list[dict] = field(default_factory=list)
    positions: list[dict] = field(default_factory=list)
    positions_date: dt.date | None = None
    trades: list[dict] = field(default_factory=list)
    cash_flows: list[dict] = field(default_factory=list)
    security_transfers: list[dict] = field(default_factory=list)


# One read-only connection per published snapshot, kept for the process: opening a snapshot costs tens of
# milliseconds, a cursor on an open one almost nothing. A new publish names a new file, so it is opened afresh.
_opened: dict[str, tuple[object, frozenset[str]]] = {}
_lock = threading.Lock()


@contextmanager
def published() -> Iterator[object | None]:
    """A cursor on the current snapshot (read-only), or None when nothing is published yet."""
    from brokercrm.core.errors import DomainError
    from brokercrm.datacenter.pipelines.publish import current_snapshot, open_published

    directory = Path(settings.WAREHOUSE_SNAPSHOT_DIR)
    try:
        path = str(current_snapshot(directory))
        with _lock:
            if path not in _opened:
                con = open_published(directory)
                tables = frozenset(f"{s}.{t}" for s, t in con.execute(
                    "SELECT schema_name, table_name FROM duckdb_tables()").fetchall())
                _opened.clear()
                _opened[path] = (con, tables)
            con, tables = _opened[path]
            cursor = con.cursor()
    except (DomainError, OSError):
        yield None
        return
    try:
        yield Published(cursor, tables)
    finally:
        cursor.close()


@dataclass(frozen=True)
class Published:
    cursor: object
    tables: frozenset[str]

    def execute(self, sql: str, params: list | None = None):
        return self.cursor.execute(sql, params or [])


def _tables(con: Published) -> frozenset[str]:
    return con.tables


def _rows(con, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def customer_insight(customer_no: str) -> CustomerInsight:
    """Everything the 360° page shows of one customer's trading, from the snapshot."""
    out = CustomerInsight()
    with published() as con:
        if con is None:
            return out
        tables = _tables(con)
        out.available = True
        if "dm.customer_month" in tables:
            out.months = _rows(con, f"SELECT period, trading_days, {', '.join(INDICATORS)} FROM dm.customer_month "
                                    "WHERE key = ? ORDER BY period", [customer_no])
        if "dw.fact_assets" in tables:
            out.daily_assets = _rows(con, "SELECT biz_date, cash_balance, market_value, total_assets FROM dw.fact_assets "
                                          "WHERE customer_no = ? ORDER BY biz_date", [customer_no])
        if "dw.fact_positions" in tables:
            last = con.execute("SELECT max(biz_date) FROM dw.fact_positions WHERE customer_no = ?", [customer_no]).fetchone()[0]
            if last is not None:
                out.positions_date = last
                out.positions = _rows(con, "SELECT market, security_code, quantity, cost_amount, close_price, market_value "
                                           "FROM dw.fact_positions WHERE customer_no = ? AND biz_date = ? "
                                           "ORDER BY market_value DESC, market, security_code", [customer_no, last])
        if "dw.fact_trades" in tables:
            out.trades = _rows(con, "SELECT trade_date, serial_no, market, security_code, side, quantity, price, amount, "
                                    "commission, channel FROM dw.fact_trades WHERE customer_no = ? "
                                    f"ORDER BY trade_date DESC, serial_no DESC LIMIT {RECENT_ROWS}", [customer_no])
        if "dw.fact_cash_flows" in tables:
            out.cash_flows = _rows(con, "SELECT biz_date, serial_no, flow_type, amount, bank_code FROM dw.fact_cash_flows "
                                        f"WHERE customer_no = ? ORDER BY biz_date DESC, serial_no DESC LIMIT {RECENT_ROWS}",
                                   [customer_no])
        if "dw.fact_security_transfers" in tables:
            out.security_transfers = _rows(con, "SELECT biz_date, serial_no, market, security_code, direction, quantity, value "
                                                "FROM dw.fact_security_transfers WHERE customer_no = ? "
                                                f"ORDER BY biz_date DESC, serial_no DESC LIMIT {RECENT_ROWS}", [customer_no])
    out.composition = composition(out)
    return out


def composition(insight: CustomerInsight) -> list[dict]:
    """Asset composition on the latest day: cash and the market value of positions by market."""
    if not insight.daily_assets:
        return []
    last = insight.daily_assets[-1]
    parts = [{"name": "cash", "value": last["cash_balance"]}]
    by_market: dict[str, Decimal] = {}
    if insight.positions and insight.positions_date == last["biz_date"]:
        for p in insight.positions:
            by_market[p["market"]] = by_market.get(p["market"], Decimal("0.00")) + p["market_value"]
    else:
        by_market["securities"] = last["market_value"]
    parts += [{"name": k, "value": v} for k, v in sorted(by_market.items())]
    return [p for p in parts if p["value"]]


def latest_month_figures() -> tuple[str, list[tuple[str, Decimal, Decimal, Decimal]]] | None:
    """The latest period of dm.customer_month: (period, [(customer_no, end_assets, avg_daily_assets, net_commission)])."""
    with published() as con:
        if con is None or "dm.customer_month" not in _tables(con):
            return None
        period = con.execute("SELECT max(period) FROM dm.customer_month").fetchone()[0]
        if period is None:
            return None
        rows = con.execute("SELECT key, end_assets, avg_daily_assets, net_commission FROM dm.customer_month "
                           "WHERE period = ? ORDER BY key", [period]).fetchall()
        return period, rows
