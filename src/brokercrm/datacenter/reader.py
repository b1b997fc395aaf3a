"""The one reader of the published snapshot: every other app's read of the warehouse's results comes through here.

The snapshot (pipelines/publish.py) always carries the same tables, so nothing here asks which tables
or columns exist. Results are plain values (dicts and tuples of Decimal/int/date/str, frozen
dataclasses) or, for the bulk reads of segmentation, Arrow tables; never a cursor.
"""
from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa
from django.conf import settings

from brokercrm.core.errors import DomainError
from brokercrm.datacenter import point_index
from brokercrm.datacenter.pipelines.dm import COUNTS, INDICATORS, mart_table
from brokercrm.datacenter.pipelines.publish import POINTER, current_snapshot, open_snapshot

# The indicators of metrics.md per level, in the export's column order.
CUSTOMER_INDICATORS = INDICATORS
STAFF_INDICATORS = (*INDICATORS, *COUNTS)
BRANCH_INDICATORS = STAFF_INDICATORS
LEVEL_INDICATORS = {"customer": CUSTOMER_INDICATORS, "staff": STAFF_INDICATORS, "branch": BRANCH_INDICATORS}

# In-process connections per published snapshot (views over its Parquet files, created once), kept for the process:
# opening a snapshot costs milliseconds, a cursor on an open one almost nothing, and Parquet footers stay cached
# (parquet_metadata_cache). A new publish names a new manifest, so it is opened afresh. Keyed by (manifest, kind):
# "lake" for set-wise reads (every core); "point" for one customer's rows, read from the snapshot's point-read index
# (point_index.py) once it is built, else from the lake on a connection of one thread (DuckDB's default of a thread
# per core costs such a read several times the CPU; threads are a setting of the whole database, not of a cursor).
_opened: dict[tuple[str, str], duckdb.DuckDBPyConnection] = {}
_lock = threading.Lock()


def _point_connection(path: Path) -> tuple[str, duckdb.DuckDBPyConnection]:
    """The point-read index of the snapshot when it is built (asking for it otherwise), else the lake on one thread."""
    index = point_index.index_path(path)
    if index.exists():
        con = duckdb.connect(str(index), read_only=True)
        con.execute("SET threads = 1")
        return "index", con
    point_index.build_soon(path)
    con = open_snapshot(path)
    con.execute("SET threads = 1")
    return "point", con


def _index_built(path: Path) -> bool:
    try:
        return point_index.index_path(path).exists()
    except FileNotFoundError:  # the snapshot was collected: the loop opens the current one
        return False


@contextmanager
def _snapshot(*, point: bool = False) -> Iterator[tuple[str, duckdb.DuckDBPyConnection]]:
    """(snapshot name, a cursor on it); DomainError when nothing is published yet. A snapshot whose files are gone
    (collected after a newer publish) is dropped and the current one opened. point: a read of one customer's rows,
    only of the tables and columns point_index.TABLES keeps."""
    directory = Path(settings.WAREHOUSE_SNAPSHOT_DIR)
    with _lock:
        for attempt in range(5):
            path = current_snapshot(directory)
            kinds = ("index", "point") if point else ("lake",)
            key = next(((str(path), kind) for kind in kinds if (str(path), kind) in _opened), None)
            if key == (str(path), "point") and _index_built(path):
                key = None  # built since: read the index from now on
            if key is not None:
                break
            try:
                kind, con = _point_connection(path) if point else ("lake", open_snapshot(path))
            except FileNotFoundError:
                if attempt == 4:
                    raise
                continue
            key = (str(path), kind)
            for stale in [k for k in _opened if k[0] != key[0] or (k[1] == "point" and kind == "index")]:
                del _opened[stale]  # a cursor still reading the old snapshot keeps its database alive until it closes
            _opened[key] = con
            break
        cursor = _opened[key].cursor()
    try:
        yield path.name, cursor
    finally:
        cursor.close()


def _dicts(cursor, sql: str, params: list) -> list[dict]:
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def snapshot_published() -> bool:
    """Whether a load has published a snapshot yet."""
    return (Path(settings.WAREHOUSE_SNAPSHOT_DIR) / POINTER).exists()


@dataclass(frozen=True)
class CustomerTrading:
    """One customer's months and facts as published, newest facts first (at most `recent` rows each)."""

    months: tuple[dict, ...]
    daily_assets: tuple[dict, ...]
    positions_date: dt.date | None
    positions: tuple[dict, ...]
    trades: tuple[dict, ...]
    cash_flows: tuple[dict, ...]
    security_transfers: tuple[dict, ...]


def customer_trading(customer_no: str, *, recent: int = 50) -> CustomerTrading | None:
    """Everything the 360° page shows of one customer's trading; None when nothing is published or it cannot be read."""
    try:
        with _snapshot(point=True) as (_, cur):
            months = _dicts(cur, f"SELECT period, trading_days, {', '.join(CUSTOMER_INDICATORS)} FROM dm.customer_month "
                                 "WHERE key = ? ORDER BY period", [customer_no])
            assets = _dicts(cur, "SELECT biz_date, cash_balance, market_value, total_assets FROM dw.fact_assets "
                                 "WHERE customer_no = ? ORDER BY biz_date", [customer_no])
            last = cur.execute("SELECT max(biz_date) FROM dw.fact_positions WHERE customer_no = ?", [customer_no]).fetchone()[0]
            positions = _dicts(cur, "SELECT market, security_code, quantity, cost_amount, close_price, market_value "
                                    "FROM dw.fact_positions WHERE customer_no = ? AND biz_date = ? "
                                    "ORDER BY market_value DESC, market, security_code", [customer_no, last]) if last else []
            trades = _dicts(cur, "SELECT trade_date, serial_no, market, security_code, side, quantity, price, amount, "
                                 "commission, channel FROM dw.fact_trades WHERE customer_no = ? "
                                 "ORDER BY trade_date DESC, serial_no DESC LIMIT ?", [customer_no, recent])
            flows = _dicts(cur, "SELECT biz_date, serial_no, flow_type, amount, bank_code FROM dw.fact_cash_flows "
                                "WHERE customer_no = ? ORDER BY biz_date DESC, serial_no DESC LIMIT ?", [customer_no, recent])
            transfers = _dicts(cur, "SELECT biz_date, serial_no, market, security_code, direction, quantity, value "
                                    "FROM dw.fact_security_transfers WHERE customer_no = ? "
                                    "ORDER BY biz_date DESC, serial_no DESC LIMIT ?", [customer_no, recent])
    except (DomainError, OSError):
        return None
    return CustomerTrading(tuple(months), tuple(assets), last, tuple(positions), tuple(trades), tuple(flows), tuple(transfers))


def latest_customer_month() -> tuple[str, list[tuple[str, object, object, object]]] | None:
    """The latest month of the customer marts: (period, [(customer_no, end_assets, avg_daily_assets, net_commission)])."""
    try:
        with _snapshot() as (_, cur):
            period = cur.execute("SELECT max(period) FROM dm.customer_month").fetchone()[0]
            if period is None:
                return None
            return period, cur.execute("SELECT key, end_assets, avg_daily_assets, net_commission FROM dm.customer_month "
                                       "WHERE period = ? ORDER BY key", [period]).fetchall()
    except (DomainError, OSError):
        return None


@dataclass(frozen=True)
class MonthIndicators:
    """Monthly mart rows of one level: values[key][period] = {indicator: value}; trading days of the months published."""

    snapshot: str
    values: dict[str, dict[str, dict[str, object]]]
    trading_days: dict[str, int]


def month_indicators(level: str, months: list[str], keys: list[str] | None = None) -> MonthIndicators:
    """The level's monthly indicators (LEVEL_INDICATORS) for the months (and keys; all when None); DomainError when unpublished."""
    columns = LEVEL_INDICATORS[level]
    sql = f"SELECT key, period, {', '.join(columns)} FROM {mart_table(level, 'month')} WHERE period IN (SELECT UNNEST(?))"
    params: list = [list(months)]
    if keys is not None:
        sql += " AND key IN (SELECT UNNEST(?))"
        params.append(list(keys))
    with _snapshot() as (name, cur):
        rows = cur.execute(sql, params).fetchall()
        days = dict(cur.execute("SELECT period, trading_days FROM dm.periods WHERE grain = 'month' AND period IN (SELECT UNNEST(?))",
                                [list(months)]).fetchall())
    values: dict[str, dict[str, dict[str, object]]] = {}
    for row in rows:
        values.setdefault(row[0], {})[row[1]] = dict(zip(columns, row[2:]))
    return MonthIndicators(name, values, days)


def day_indicators(level: str, date_from: dt.date, date_to: dt.date, keys: list[str] | None = None) -> MonthIndicators:
    """The level's day marts (staff or branch) for the trading days in [date_from, date_to]: values[key][YYYY-MM-DD];
    trading_days maps each published day to 1 (a day counts once when a week is weighted); DomainError when unpublished."""
    columns = LEVEL_INDICATORS[level]
    sql = f"SELECT key, period, {', '.join(columns)} FROM {mart_table(level, 'day')} WHERE period BETWEEN ? AND ?"
    params: list = [date_from.isoformat(), date_to.isoformat()]
    if keys is not None:
        sql += " AND key IN (SELECT UNNEST(?))"
        params.append(list(keys))
    with _snapshot() as (name, cur):
        rows = cur.execute(sql, params).fetchall()
        days = dict(cur.execute("SELECT period, trading_days FROM dm.periods WHERE grain = 'day' AND period BETWEEN ? AND ?",
                                params[:2]).fetchall())
    values: dict[str, dict[str, dict[str, object]]] = {}
    for row in rows:
        values.setdefault(row[0], {})[row[1]] = dict(zip(columns, row[2:]))
    return MonthIndicators(name, values, days)


def attributed_trades(*, customer_no: str, staff_no: str, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """The customer's trades in [date_from, date_to] attributed to the staff member, with their fees; DomainError when unpublished."""
    with _snapshot() as (_, cur):
        return _dicts(cur, "SELECT trade_date, serial_no, market, security_code, side, quantity, price, amount, commission, "
                           "handling_fee, regulatory_fee, channel FROM dw.fact_trades "
                           "WHERE customer_no = ? AND trade_date BETWEEN ? AND ? AND staff_no = ? ORDER BY trade_date, serial_no",
                      [customer_no, date_from, date_to, staff_no])


def month_periods() -> list[tuple[str, dt.date]]:
    """The months the marts were built for: [(period, period_end)] in order; DomainError when unpublished."""
    with _snapshot() as (_, cur):
        return cur.execute("SELECT period, period_end FROM dm.periods WHERE grain = 'month' ORDER BY period").fetchall()


def customer_month_sql() -> str:
    """Customer months with the indicators and the month-end cash and position value (the customer's last assets row
    of the month; NULL without one), which the dormant rule reads: "no position and cash below 100" (SPEC)."""
    return f"""
        SELECT c.key, c.period, {', '.join('c.' + name for name in CUSTOMER_INDICATORS)},
               h.end_cash, h.end_market_value
        FROM dm.customer_month c
        LEFT JOIN (SELECT p.period, f.customer_no, arg_max(f.cash_balance, f.biz_date) AS end_cash,
                          arg_max(f.market_value, f.biz_date) AS end_market_value
                   FROM dw.fact_assets f JOIN dm.periods p
                     ON p.grain = 'month' AND f.biz_date BETWEEN p.period_start AND p.period_end
                   GROUP BY 1, 2) h ON h.customer_no = c.key AND h.period = c.period"""


def customer_month_table() -> pa.Table:
    """Every customer month (key, period, the customer indicators, month-end cash and position value) as one Arrow
    table, for set-wise analysis."""
    with _snapshot() as (_, cur):
        return cur.execute(customer_month_sql()).to_arrow_table()


def customer_profile_table() -> pa.Table:
    """The current version of every customer's profile (customers.csv columns) as one Arrow table."""
    with _snapshot() as (_, cur):
        return cur.execute("SELECT * FROM dw.customers_current").to_arrow_table()


def holders_of_securities(*, securities: list[tuple[str, str]] = (), industries: list[str] = ()) -> dict[str, tuple[str, ...]]:
    """Who holds the securities, or any security of the industries, on the latest published positions day.

    Answer: customer no. → the held securities (as "SH600519") that matched, sorted; {} when nothing is published.
    """
    if not securities and not industries:
        return {}
    try:
        with _snapshot() as (_, cur):
            rows = cur.execute(
                "SELECT p.customer_no, p.market || p.security_code FROM dw.fact_positions AS p "
                "LEFT JOIN dw.securities AS s ON s.market = p.market AND s.security_code = p.security_code "
                "WHERE p.biz_date = (SELECT max(biz_date) FROM dw.fact_positions) AND p.quantity > 0 "
                "AND (p.market || p.security_code IN (SELECT UNNEST(?)) OR s.industry IN (SELECT UNNEST(?))) "
                "ORDER BY p.customer_no, p.market, p.security_code",
                [[m + c for m, c in securities], list(industries)]).fetchall()
    except (DomainError, OSError):
        return {}
    holders: dict[str, list[str]] = {}
    for customer_no, security in rows:
        holders.setdefault(customer_no, []).append(security)
    return {no: tuple(held) for no, held in holders.items()}
def _securities_values(securities: list[tuple[str, str]]) -> tuple[str, list]:
    """A VALUES list of (market, security_code) pairs as SQL and its parameters (never an empty list)."""
    pairs = securities or [("", "")]
    return ", ".join("(?, ?)" for _ in pairs), [v for pair in pairs for v in pair]


def security_holders(*, market: str, security_code: str) -> tuple[dt.date | None, list[dict]]:
    """(day, holders) of one security on the last published positions day: customer_no, quantity, market_value."""
    try:
        with _snapshot() as (_, cur):
            last = cur.execute("SELECT max(biz_date) FROM dw.fact_positions").fetchone()[0]
            if last is None:
                return None, []
            return last, _dicts(cur, "SELECT customer_no, quantity, market_value FROM dw.fact_positions "
                                      "WHERE biz_date = ? AND market = ? AND security_code = ? AND quantity > 0 "
                                      "ORDER BY market_value DESC, customer_no", [last, market, security_code])
    except (DomainError, OSError):
        return None, []


def security_buys(*, securities: list[tuple[str, str]], date_from: dt.date, date_to: dt.date,
                  customer_nos: list[str] | None = None) -> list[dict]:
    """Buys (side B) of these securities in [date_from, date_to] (of these customers when given), attributed like every
    fact: trade_date, serial_no, customer_no, market, security_code, amount, branch_code, staff_no (NULL = unattributed)."""
    values, params = _securities_values(securities)
    params += [date_from, date_to]
    only = ""
    if customer_nos is not None:
        nos = list(customer_nos) or [""]
        only = f" AND t.customer_no IN ({', '.join('?' for _ in nos)})"
        params += nos
    try:
        with _snapshot() as (_, cur):
            return _dicts(cur, f"""
                SELECT t.trade_date, t.serial_no, t.customer_no, t.market, t.security_code, t.amount, t.branch_code, t.staff_no
                FROM dw.fact_trades t JOIN (VALUES {values}) AS p(market, security_code)
                  ON p.market = t.market AND p.security_code = t.security_code
                WHERE t.side = 'B' AND t.trade_date BETWEEN ? AND ?{only}
                ORDER BY t.trade_date, t.serial_no""", params)
    except (DomainError, OSError):
        return []
