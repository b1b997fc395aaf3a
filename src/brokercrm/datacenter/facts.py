"""Set-wise reads of the warehouse's DW facts for the steps that run in the writer process (alerts, visits, reports).

The writer holds the warehouse open, so these take its connection (DuckDB shares the open database
within a process) and run whole queries there; only results leave. The alert conditions are the
rules of servicing/rules.py (异动提醒) over the facts: one SELECT per rule giving (customer_no,
biz_date, amount, base, ref) for the dates asked about; state rules fire on the day the state begins.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import duckdb
from django.conf import settings

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines.portable import literal
from brokercrm.datacenter.pipelines.spark import spark_fetch, warehouse_engine


def _lit(value) -> str:
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return str(value)


def _lo(dates: list[dt.date], lookback: int, days: list[dt.date]) -> tuple[int, str]:
    """The 1-based index among loaded days and the literal date of the first day a rule looks at."""
    first = min(dates)
    idx = max((i for i, d in enumerate(days, start=1) if d <= first), default=1) - lookback
    lo_date = days[idx - 1] if 1 <= idx <= len(days) else (days[0] if days and idx < 1 else first)
    return idx, _lit(lo_date)


# Loaded trading days indexed in order (idx).
_DAYS = "days AS (SELECT business_date AS d, ROW_NUMBER() OVER (ORDER BY business_date) AS idx FROM dw.calendar)"


def _in_dates(column: str, dates: list[dt.date]) -> str:
    return f"{column} IN ({', '.join(_lit(d) for d in sorted(set(dates)))})"


def sql_large_withdrawal(dates, p, days) -> str:
    """Compared with total assets on the previous loaded trading day (no row then, e.g. a new account: amount only)."""
    return f"""
        WITH {_DAYS},
        w AS (SELECT customer_no, biz_date, -SUM(amount) AS amount FROM dw.fact_cash_flows
              WHERE flow_type = 'bank_out' AND {_in_dates('biz_date', dates)} GROUP BY customer_no, biz_date),
        prev AS (SELECT w.customer_no, w.biz_date, w.amount, a.total_assets AS base
                 FROM w JOIN days cur ON cur.d = w.biz_date LEFT JOIN days pd ON pd.idx = cur.idx - 1
                 LEFT JOIN dw.fact_assets a ON a.customer_no = w.customer_no AND a.biz_date = pd.d)
        SELECT customer_no, biz_date, amount, base, NULL AS ref FROM prev
        WHERE amount >= {p['amount']}
           OR (amount >= {p['share_min_amount']} AND base > 0 AND amount >= base * {p['share']})"""


def sql_large_deposit(dates, p, days) -> str:
    return f"""
        SELECT customer_no, biz_date, SUM(amount) AS amount, NULL AS base, NULL AS ref FROM dw.fact_cash_flows
        WHERE flow_type = 'bank_in' AND {_in_dates('biz_date', dates)}
        GROUP BY customer_no, biz_date HAVING SUM(amount) >= {p['amount']}"""


def sql_account_closing(dates, p, days) -> str:
    return f"""
        SELECT customer_no, close_date AS biz_date, NULL AS amount, NULL AS base, NULL AS ref FROM dw.customers_current
        WHERE close_date IS NOT NULL AND {_in_dates('close_date', dates)}"""


def _span(dates: list[dt.date], lookback: int, days: list[dt.date]) -> str:
    """`biz_date` limited to the days a state rule reads: from `lookback` loaded days before the first date to the last
    (a state on a day depends on no later day, so a reload of an old day reads no more of the year after it)."""
    return f"BETWEEN {_lo(dates, lookback, days)[1]} AND {_lit(max(dates))}"


def _began(dates, days, hits: str, began: str) -> str:
    """The rows of the CTE `hits` (customer_no, biz_date, …: the customer-days in the state) where the state begins:
    the customer's previous assets row from the day before the dates on is not in it (as LAG over every row would say,
    but only customers with a hit are ordered by day). `began` selects the output FROM began (its rows: biz_date among
    `dates`)."""
    return f"""
        WITH {_DAYS},
        {hits},
        seq AS (SELECT a.customer_no, a.biz_date, LAG(a.biz_date) OVER (PARTITION BY a.customer_no ORDER BY a.biz_date) AS prev_date
                FROM dw.fact_assets a JOIN days ON days.d = a.biz_date
                WHERE a.biz_date {_span(dates, 1, days)} AND a.customer_no IN (SELECT customer_no FROM hits)),
        began AS (SELECT h.* FROM hits h JOIN seq ON seq.customer_no = h.customer_no AND seq.biz_date = h.biz_date
                  LEFT JOIN hits was ON was.customer_no = h.customer_no AND was.biz_date = seq.prev_date
                  WHERE was.customer_no IS NULL AND {_in_dates('h.biz_date', dates)})
        {began}"""


def sql_assets_drop(dates, p, days) -> str:
    """The day's assets against those n rows earlier; the previous row's state from the same ordering (n + 1 and 1 rows
    back), so one pass over the window finds where a drop begins."""
    n = p["days"]
    order = "OVER (PARTITION BY customer_no ORDER BY biz_date)"
    return f"""
        SELECT customer_no, biz_date, amount, base, NULL AS ref
        FROM (SELECT customer_no, biz_date, total_assets AS amount, LAG(total_assets, {n}) {order} AS base,
                     LAG(total_assets, 1) {order} AS prev_amount, LAG(total_assets, {n + 1}) {order} AS prev_base
              FROM dw.fact_assets WHERE biz_date {_span(dates, n + 1, days)}) AS w
        WHERE base >= {p['min_assets']} AND amount * 100 <= base * (100 - {p['percent']})
          AND NOT COALESCE(prev_base >= {p['min_assets']} AND prev_amount * 100 <= prev_base * (100 - {p['percent']}), FALSE)
          AND {_in_dates('biz_date', dates)}"""


# The state rules read positions from the ODS: they need no attribution (dw.fact_positions is a view adding it by a join
# as long as the positions), and MAX, MIN and arg_max read the same values from either.
def sql_concentration(dates, p, days) -> str:
    """A day is concentrated when one position holds the share of total assets; the top position is the largest of those
    that pass the share (the largest of all whenever any passes), so only they are grouped, and none worth less than the
    share of the minimum assets is read."""
    hits = f"""
        hits AS (SELECT a.customer_no, a.biz_date, MAX(pos.market_value) AS amount, a.total_assets AS base,
                        arg_max(pos.market || '.' || pos.security_code, pos.market_value) AS ref
                 FROM dw.fact_assets a JOIN days ON days.d = a.biz_date
                 JOIN ods.positions pos ON pos.customer_no = a.customer_no AND pos.biz_date = a.biz_date
                 WHERE a.biz_date {_span(dates, 1, days)} AND pos.biz_date {_span(dates, 1, days)}
                   AND pos.market_value * 100 >= {p['min_assets']} * {p['percent']}
                   AND a.total_assets >= {p['min_assets']} AND pos.market_value * 100 >= a.total_assets * {p['percent']}
                 GROUP BY a.customer_no, a.biz_date, a.total_assets)"""
    return _began(dates, days, hits, "SELECT customer_no, biz_date, amount, base, ref FROM began")


def _rated_positions(where: str) -> str:
    return f"""ods.positions pos JOIN dw.securities s ON s.market = pos.market AND s.security_code = pos.security_code
                   AND s.risk_level IS NOT NULL AND {where}"""


def sql_questionnaire_expired(dates, p, days) -> str:
    """Holding a rated product above the customer's level while the questionnaire is missing or stale: only the positions
    of the customer-days with such a questionnaire are grouped. The security named is the first rated one held that day
    (by market and code), looked up for the days the state begins only."""
    hits = f"""
        due AS (SELECT a.customer_no, a.biz_date, COALESCE(CAST(SUBSTRING(v.risk_level, 2, 1) AS INTEGER), 0) AS level
                FROM dw.fact_assets a JOIN days ON days.d = a.biz_date
                LEFT JOIN dw.customer_versions v ON v.customer_no = a.customer_no AND v.valid_from <= a.biz_date
                                                 AND a.biz_date < COALESCE(v.valid_to, DATE '9999-12-31')
                WHERE a.biz_date {_span(dates, 1, days)}
                  AND (v.risk_assessed_on IS NULL OR DATE_DIFF('day', v.risk_assessed_on, a.biz_date) > {p['valid_days']})),
        hits AS (SELECT due.customer_no, due.biz_date
                 FROM {_rated_positions(f"pos.biz_date {_span(dates, 1, days)}")}
                 JOIN due ON due.customer_no = pos.customer_no AND due.biz_date = pos.biz_date
                 GROUP BY due.customer_no, due.biz_date, due.level
                 HAVING MAX(CAST(SUBSTRING(s.risk_level, 2, 1) AS INTEGER)) > due.level)"""
    return _began(dates, days, hits, f"""
        SELECT b.customer_no, b.biz_date, NULL AS amount, NULL AS base, MIN(pos.market || '.' || pos.security_code) AS ref
        FROM began b JOIN ods.positions pos ON pos.customer_no = b.customer_no AND pos.biz_date = b.biz_date
             JOIN dw.securities s ON s.market = pos.market AND s.security_code = pos.security_code
                  AND s.risk_level IS NOT NULL AND {_in_dates('pos.biz_date', dates)}
        GROUP BY b.customer_no, b.biz_date""")


def sql_no_trade(dates, p, days) -> str:
    """Fires on the N-th loaded trading day without a trade, counted from the last trade or the first assets row.

    Only the last N + 1 days before the dates are read: an older last event makes the gap longer than N.
    The first assets row is on open_date (or the first loaded day for older accounts). A day N days after a trade
    fires when the customer's next trade is later than that day; N days after the day before the first row, when no
    trade comes between. Equality joins only (a day joined to every earlier trade day grew with their product over a
    long load); portable SQL: Spark runs it too (DuckDB's ASOF join is not in SQLGlot's Spark dialect).
    """
    n = p["days"]
    lo_idx, lo_date = _lo(dates, n + 1, days)
    return f"""
        WITH {_DAYS},
        target AS (SELECT a.customer_no, a.biz_date, a.total_assets, days.idx FROM dw.fact_assets a JOIN days ON days.d = a.biz_date
                   WHERE {_in_dates('a.biz_date', dates)} AND a.total_assets >= {p['min_assets']}),
        traded AS (SELECT DISTINCT t.customer_no, days.idx AS trade_idx FROM dw.fact_trades t JOIN days ON days.d = t.trade_date
                   WHERE t.trade_date BETWEEN {lo_date} AND {_lit(max(dates))}),
        gaps AS (SELECT customer_no, trade_idx, LEAD(trade_idx) OVER (PARTITION BY customer_no ORDER BY trade_idx) AS next_idx
                 FROM traded),
        firsts AS (SELECT c.customer_no, CASE WHEN fd.idx > {lo_idx} THEN fd.idx - 1 ELSE 0 END AS before_first
                   FROM dw.customers_current c
                   LEFT JOIN days fd ON fd.d = GREATEST(c.open_date, (SELECT MIN(d) FROM days))),
        after_first AS (SELECT x.customer_no, MIN(x.trade_idx) AS trade_idx FROM traded x
                        LEFT JOIN firsts f ON f.customer_no = x.customer_no
                        WHERE x.trade_idx > COALESCE(f.before_first, 0) GROUP BY x.customer_no)
        SELECT t.customer_no, t.biz_date, t.total_assets AS amount, NULL AS base, NULL AS ref
        FROM target t
        LEFT JOIN firsts f ON f.customer_no = t.customer_no
        LEFT JOIN gaps g ON g.customer_no = t.customer_no AND g.trade_idx = t.idx - {n}
        LEFT JOIN after_first af ON af.customer_no = t.customer_no
        WHERE COALESCE(f.before_first, 0) <= t.idx - {n}
          AND ((g.customer_no IS NOT NULL AND (g.next_idx IS NULL OR g.next_idx > t.idx))
               OR (COALESCE(f.before_first, 0) = t.idx - {n} AND (af.trade_idx IS NULL OR af.trade_idx > t.idx)))"""


def sql_suitability_breach(dates, p, days) -> str:
    """An event rule: every day a customer buys a product sold off the exchange (PRODUCT_SALES_MARKETS) whose risk level R
    is above their tolerance C in force that day, or with a missing or stale questionnaire (older than valid_days) — a
    sale the suitability rules forbid."""
    markets = ", ".join(literal(m) for m in settings.PRODUCT_SALES_MARKETS)
    return f"""
        SELECT t.customer_no, t.trade_date AS biz_date, SUM(t.amount) AS amount, NULL AS base,
               MIN(t.market || '.' || t.security_code) AS ref
        FROM dw.fact_trades t
        JOIN dw.securities s ON s.market = t.market AND s.security_code = t.security_code AND s.risk_level IS NOT NULL
        LEFT JOIN dw.customer_versions v ON v.customer_no = t.customer_no AND v.valid_from <= t.trade_date
                                         AND t.trade_date < COALESCE(v.valid_to, DATE '9999-12-31')
        WHERE t.side = 'B' AND t.market IN ({markets}) AND {_in_dates('t.trade_date', dates)}
          AND (v.risk_level IS NULL OR v.risk_assessed_on IS NULL OR DATE_DIFF('day', v.risk_assessed_on, t.trade_date) > {p['valid_days']}
               OR CAST(SUBSTRING(s.risk_level, 2, 1) AS INTEGER) > CAST(SUBSTRING(v.risk_level, 2, 1) AS INTEGER))
        GROUP BY t.customer_no, t.trade_date"""


SQL = {
    "large_withdrawal": sql_large_withdrawal, "assets_drop": sql_assets_drop, "no_trade": sql_no_trade,
    "large_deposit": sql_large_deposit, "concentration": sql_concentration, "account_closing": sql_account_closing,
    "questionnaire_expired": sql_questionnaire_expired, "suitability_breach": sql_suitability_breach,
}


def alert_hits(con, *, dates: list[dt.date], rules: dict[str, dict]) -> list[tuple[str, str, dt.date, object, object, object]]:
    """(rule, customer_no, biz_date, amount, base, ref) of every enabled rule ({code: parsed parameters}) on `dates`."""
    if not dates:
        return []
    days = [r[0] for r in con.execute("SELECT business_date FROM dw.calendar ORDER BY 1").fetchall()]
    queries = [(rule, SQL[rule](dates, params, days)) for rule, params in rules.items()]
    if warehouse_engine() == "spark":
        found = spark_fetch(con, [sql for _, sql in queries])
    else:
        found = [con.execute(sql).fetchall() for _, sql in queries]
    return [(rule, *row) for (rule, _), rows in zip(queries, found) for row in rows]


def dormant_customers(con, *, day: dt.date) -> set[str]:
    """Customers dormant (休眠) on `day` as far as the loaded history shows: no position, cash below 100, no trade for 3 years."""
    rows = con.execute("""
        WITH last AS (SELECT customer_no, MAX(biz_date) AS d FROM dw.fact_assets WHERE biz_date <= ? GROUP BY customer_no)
        SELECT a.customer_no FROM dw.fact_assets a JOIN last ON last.customer_no = a.customer_no AND last.d = a.biz_date
        WHERE a.market_value = 0 AND a.cash_balance < 100
          AND NOT EXISTS (SELECT 1 FROM dw.fact_trades t WHERE t.customer_no = a.customer_no
                          AND t.trade_date > CAST(? AS DATE) - INTERVAL 3 YEAR AND t.trade_date <= ?)""", [day, day, day]).fetchall()
    return {r[0] for r in rows}


@dataclass(frozen=True)
class MonthStatement:
    """One customer's facts for a statement month [first, last], as exact decimals (the account report's inputs)."""

    name: str
    branch_code: str
    trend: tuple[tuple[dt.date, Decimal], ...]
    start_assets: Decimal | None
    bank_net: Decimal
    transfers_net: Decimal
    trades: tuple[tuple, ...]
    cash: Decimal | None
    holdings: tuple[tuple[str, Decimal], ...]


def month_statement(con, *, customer_no: str, first: dt.date, last: dt.date) -> MonthStatement | None:
    """Name, daily assets, flows, trades (with security names) and month-end holdings by security type; None for an unknown customer.

    start_assets is the total of the last day before `first`; when there is none and the account was opened before
    its first assets row (the first loaded month of an older account), the month starts from that opening snapshot:
    start_assets is the first day's total and the flows are counted after it, so no profit is invented. A new account
    starts from None (0). Cash and holdings are of the last day with assets in the month (None and empty when none).
    """
    head = con.execute("SELECT name, branch_code, open_date FROM dw.customers_current WHERE customer_no = ?", [customer_no]).fetchone()
    if head is None:
        return None
    trend = tuple((d, Decimal(v)) for d, v in con.execute(
        "SELECT biz_date, total_assets FROM dw.fact_assets WHERE customer_no = ? AND biz_date BETWEEN ? AND ? ORDER BY biz_date",
        [customer_no, first, last]).fetchall())
    before = con.execute("SELECT total_assets FROM dw.fact_assets WHERE customer_no = ? AND biz_date < ? ORDER BY biz_date DESC LIMIT 1",
                         [customer_no, first]).fetchone()
    flows_from = first
    if before is None and trend and head[2] is not None and head[2] < trend[0][0]:
        before, flows_from = (trend[0][1],), trend[0][0] + dt.timedelta(days=1)
    cash_in = con.execute("""SELECT COALESCE(SUM(amount), 0) FROM dw.fact_cash_flows WHERE customer_no = ? AND biz_date BETWEEN ? AND ?
                             AND flow_type IN ('bank_in', 'bank_out')""", [customer_no, flows_from, last]).fetchone()[0]
    moved = con.execute("""SELECT COALESCE(SUM(CASE WHEN direction = 'in' THEN value ELSE -value END), 0) FROM dw.fact_security_transfers
                           WHERE customer_no = ? AND biz_date BETWEEN ? AND ?""", [customer_no, flows_from, last]).fetchone()[0]
    trades = tuple(con.execute("""
        SELECT t.trade_date, t.market, t.security_code, s.security_name, t.side, t.quantity, t.price, t.amount, t.commission
        FROM dw.fact_trades t LEFT JOIN dw.securities s ON s.market = t.market AND s.security_code = t.security_code
        WHERE t.customer_no = ? AND t.trade_date BETWEEN ? AND ? ORDER BY t.trade_date, t.serial_no""",
        [customer_no, first, last]).fetchall())
    cash, holdings = None, ()
    if trend:
        last_day = trend[-1][0]
        cash = Decimal(con.execute("SELECT cash_balance FROM dw.fact_assets WHERE customer_no = ? AND biz_date = ?",
                                   [customer_no, last_day]).fetchone()[0])
        holdings = tuple((kind, Decimal(v)) for kind, v in con.execute("""
            SELECT COALESCE(s.security_type, 'other'), SUM(p.market_value) FROM dw.fact_positions p
            LEFT JOIN dw.securities s ON s.market = p.market AND s.security_code = p.security_code
            WHERE p.customer_no = ? AND p.biz_date = ? GROUP BY 1 ORDER BY 1""", [customer_no, last_day]).fetchall())
    return MonthStatement(head[0], head[1], trend, Decimal(before[0]) if before else None, Decimal(cash_in), Decimal(moved),
                          trades, cash, holdings)


@dataclass(frozen=True)
class WealthFacts:
    """One customer's facts for a wealth report over [first, last]: the daily totals with the day's external flows
    (bank and securities transfers, + in), the total before the period, and the holdings of the last day."""

    name: str
    risk_level: str
    open_date: dt.date | None
    start: tuple[dt.date, Decimal] | None
    days: tuple[tuple[dt.date, Decimal, Decimal], ...]
    cash: Decimal
    holdings: tuple[tuple[str, str, str, str, str, Decimal], ...]  # security, name, type, industry, risk level, value


def period_wealth(con, *, customer_no: str, first: dt.date, last: dt.date) -> WealthFacts | None:
    """The wealth report's facts; None for an unknown customer."""
    head = con.execute("SELECT name, risk_level, open_date FROM dw.customers_current WHERE customer_no = ?", [customer_no]).fetchone()
    if head is None:
        return None
    before = con.execute("""SELECT biz_date, total_assets FROM dw.fact_assets WHERE customer_no = ? AND biz_date < ?
                            ORDER BY biz_date DESC LIMIT 1""", [customer_no, first]).fetchone()
    days = tuple((d, Decimal(v), Decimal(f)) for d, v, f in con.execute("""
        WITH flows AS (
            SELECT biz_date, SUM(amount) AS amount FROM dw.fact_cash_flows
            WHERE customer_no = ? AND biz_date BETWEEN ? AND ? AND flow_type IN ('bank_in', 'bank_out') GROUP BY 1
            UNION ALL
            SELECT biz_date, SUM(CASE WHEN direction = 'in' THEN value ELSE -value END) FROM dw.fact_security_transfers
            WHERE customer_no = ? AND biz_date BETWEEN ? AND ? GROUP BY 1)
        SELECT a.biz_date, a.total_assets, COALESCE((SELECT SUM(amount) FROM flows WHERE flows.biz_date = a.biz_date), 0)
        FROM dw.fact_assets a WHERE a.customer_no = ? AND a.biz_date BETWEEN ? AND ? ORDER BY a.biz_date""",
        [customer_no, first, last, customer_no, first, last, customer_no, first, last]).fetchall())
    cash, holdings = Decimal("0.00"), ()
    if days:
        last_day = days[-1][0]
        cash = Decimal(con.execute("SELECT cash_balance FROM dw.fact_assets WHERE customer_no = ? AND biz_date = ?",
                                   [customer_no, last_day]).fetchone()[0])
        holdings = tuple((f"{m}.{code}", name or code, kind or "other", industry or "", risk or "", Decimal(v))
                         for m, code, name, kind, industry, risk, v in con.execute("""
            SELECT p.market, p.security_code, s.security_name, s.security_type, s.industry, s.risk_level, p.market_value
            FROM dw.fact_positions p LEFT JOIN dw.securities s ON s.market = p.market AND s.security_code = p.security_code
            WHERE p.customer_no = ? AND p.biz_date = ? ORDER BY p.market_value DESC, p.market, p.security_code""",
            [customer_no, last_day]).fetchall())
    return WealthFacts(head[0], head[1] or "", head[2], (before[0], Decimal(before[1])) if before else None, days, cash, holdings)


@contextmanager
def warehouse_read() -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse opened read-only, for a command run beside the jobs; DomainError when absent or being written."""
    path = Path(settings.WAREHOUSE_PATH)
    if not path.exists():
        raise DomainError(f"{path}: no warehouse yet; load a delivery first (brokercrm etl run)")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise DomainError(f"{path}: the warehouse is being written by a running load; retry when it ends ({exc})") from exc
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class SecurityRow:
    """A delivered security (securities.csv, latest version): what the product shelf is synced from."""

    market: str
    security_code: str
    security_name: str
    security_type: str
    industry: str | None
    risk_level: str | None


def securities_with_risk(con) -> list[SecurityRow]:
    """Every delivered security that carries a risk level (R1–R5), latest version, by market and code."""
    rows = con.execute("SELECT market, security_code, security_name, security_type, industry, risk_level FROM dw.securities "
                       "WHERE risk_level IS NOT NULL ORDER BY market, security_code").fetchall()
    return [SecurityRow(*r) for r in rows]
