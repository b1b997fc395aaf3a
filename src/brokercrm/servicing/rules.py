"""Abnormal-activity rules (异动提醒) evaluated set-wise in DuckDB over the warehouse's DW facts.

Each rule is one SELECT giving (customer_no, biz_date, amount, base, ref) for the business dates
asked about. Event rules (withdrawal, deposit, closing) fire on every day the event happens; state
rules (assets drop, no trade, concentration, questionnaire) fire on the day the state begins, so a
customer who stays concentrated is not alerted again every day (deduplication by transition).
Thresholds are configuration (AlertRule.parameters over DEFAULTS); money is compared as DECIMAL.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from brokercrm.core.errors import Problem

# Parameter name → (default, kind); kinds: money (Decimal ≥ 0), percent (0–100), ratio (0–1), days (int ≥ 1).
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "large_withdrawal": {"amount": ("500000.00", "money"), "share": ("0.50", "ratio"), "share_min_amount": ("50000.00", "money")},
    "assets_drop": {"percent": ("30", "percent"), "days": ("5", "days"), "min_assets": ("100000.00", "money")},
    "no_trade": {"days": ("60", "days"), "min_assets": ("10000.00", "money")},
    "large_deposit": {"amount": ("500000.00", "money")},
    "concentration": {"percent": ("80", "percent"), "min_assets": ("100000.00", "money")},
    "account_closing": {},
    "questionnaire_expired": {"valid_days": ("730", "days")},
}
STATE_RULES = ("assets_drop", "no_trade", "concentration", "questionnaire_expired")


@dataclass(frozen=True)
class Candidate:
    customer_no: str
    rule: str
    biz_date: dt.date
    details: dict


def parse_parameters(rule: str, given: dict, *, field_prefix: str = "") -> tuple[dict, list[Problem]]:
    """The rule's parameters as Decimals/ints, defaults filling the gaps; problems name the field."""
    values, problems = {}, []
    unknown = set(given) - set(DEFAULTS[rule])
    for name in sorted(unknown):
        problems.append(Problem(f"unknown parameter (allowed: {', '.join(DEFAULTS[rule]) or 'none'})", field=f"{field_prefix}{name}"))
    for name, (default, kind) in DEFAULTS[rule].items():
        text = str(given.get(name, default)).strip()
        try:
            value = int(text) if kind == "days" else Decimal(text)
        except (ValueError, InvalidOperation):
            problems.append(Problem(f"'{text}' is not a number", field=f"{field_prefix}{name}"))
            continue
        bad = ((kind == "days" and value < 1) or (kind == "money" and value < 0) or (kind == "percent" and not 0 < value <= 100)
               or (kind == "ratio" and not 0 < value <= 1))
        if bad:
            limits = {"days": "a whole number ≥ 1", "money": "an amount ≥ 0", "percent": "between 0 and 100", "ratio": "between 0 and 1"}
            problems.append(Problem(f"must be {limits[kind]}", field=f"{field_prefix}{name}"))
            continue
        values[name] = value
    return values, problems


def _lit(value) -> str:
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return str(value)


def _window(dates: list[dt.date], lookback: int) -> str:
    """Loaded trading days indexed in order (idx), and the first index and date a rule needs to look at."""
    first = _lit(min(dates))
    return f"""
        days AS (SELECT business_date AS d, ROW_NUMBER() OVER (ORDER BY business_date) AS idx FROM dw.trading_days),
        lo0 AS (SELECT COALESCE(MAX(idx), 1) - {lookback} AS lo_idx FROM days WHERE d <= {first}),
        lo AS (SELECT lo0.lo_idx, COALESCE((SELECT MIN(d) FROM days WHERE days.idx >= lo0.lo_idx), {first}) AS lo_date FROM lo0)"""


def _in_dates(column: str, dates: list[dt.date]) -> str:
    return f"{column} IN ({', '.join(_lit(d) for d in sorted(set(dates)))})"


def sql_large_withdrawal(dates, p) -> str:
    """Compared with total assets on the previous loaded trading day (no row then, e.g. a new account: amount only)."""
    return f"""
        WITH {_window(dates, 1)},
        w AS (SELECT customer_no, biz_date, -SUM(amount) AS amount FROM dw.fact_cash_flows
              WHERE flow_type = 'bank_out' AND {_in_dates('biz_date', dates)} GROUP BY customer_no, biz_date),
        prev AS (SELECT w.customer_no, w.biz_date, w.amount, a.total_assets AS base
                 FROM w JOIN days cur ON cur.d = w.biz_date LEFT JOIN days pd ON pd.idx = cur.idx - 1
                 LEFT JOIN dw.fact_assets a ON a.customer_no = w.customer_no AND a.biz_date = pd.d)
        SELECT customer_no, biz_date, amount, base, NULL AS ref FROM prev
        WHERE amount >= {p['amount']}
           OR (amount >= {p['share_min_amount']} AND base > 0 AND amount >= base * {p['share']})"""


def sql_large_deposit(dates, p) -> str:
    return f"""
        SELECT customer_no, biz_date, SUM(amount) AS amount, NULL AS base, NULL AS ref FROM dw.fact_cash_flows
        WHERE flow_type = 'bank_in' AND {_in_dates('biz_date', dates)}
        GROUP BY customer_no, biz_date HAVING SUM(amount) >= {p['amount']}"""


def sql_account_closing(dates, p) -> str:
    return f"""
        SELECT customer_no, close_date AS biz_date, NULL AS amount, NULL AS base, NULL AS ref FROM dw.customers_current
        WHERE close_date IS NOT NULL AND {_in_dates('close_date', dates)}"""


def _transition(dates, lookback: int, condition_rows: str) -> str:
    """Rows of `condition_rows` (customer_no, biz_date, idx, hit, amount, base, ref) where hit begins."""
    return f"""
        WITH {_window(dates, lookback)},
        c AS ({condition_rows}),
        t AS (SELECT *, LAG(hit) OVER (PARTITION BY customer_no ORDER BY biz_date) AS was FROM c)
        SELECT customer_no, biz_date, amount, base, ref FROM t
        WHERE hit AND NOT COALESCE(was, FALSE) AND {_in_dates('biz_date', dates)}"""


def sql_assets_drop(dates, p) -> str:
    n = p["days"]
    rows = f"""
        SELECT a.customer_no, a.biz_date, a.total_assets AS amount,
               LAG(a.total_assets, {n}) OVER (PARTITION BY a.customer_no ORDER BY a.biz_date) AS base, NULL AS ref,
               COALESCE(LAG(a.total_assets, {n}) OVER (PARTITION BY a.customer_no ORDER BY a.biz_date) >= {p['min_assets']}
                        AND a.total_assets * 100 <= LAG(a.total_assets, {n}) OVER (PARTITION BY a.customer_no ORDER BY a.biz_date)
                            * (100 - {p['percent']}), FALSE) AS hit
        FROM dw.fact_assets a JOIN days ON days.d = a.biz_date CROSS JOIN lo WHERE a.biz_date >= lo.lo_date"""
    return _transition(dates, n + 1, rows)


def sql_concentration(dates, p) -> str:
    rows = f"""
        SELECT a.customer_no, a.biz_date, top.market_value AS amount, a.total_assets AS base, top.ref,
               COALESCE(a.total_assets >= {p['min_assets']} AND top.market_value * 100 >= a.total_assets * {p['percent']}, FALSE) AS hit
        FROM dw.fact_assets a JOIN days ON days.d = a.biz_date CROSS JOIN lo
        LEFT JOIN (SELECT customer_no, biz_date, market || '.' || security_code AS ref, market_value,
                          ROW_NUMBER() OVER (PARTITION BY customer_no, biz_date ORDER BY market_value DESC, market, security_code) AS rn
                   FROM dw.fact_positions, lo WHERE biz_date >= lo.lo_date) top ON top.customer_no = a.customer_no AND top.biz_date = a.biz_date AND top.rn = 1
        WHERE a.biz_date >= lo.lo_date"""
    return _transition(dates, 1, rows)


def sql_questionnaire_expired(dates, p) -> str:
    rows = f"""
        SELECT a.customer_no, a.biz_date, NULL AS amount, NULL AS base, held.ref,
               COALESCE(held.ref IS NOT NULL
                        AND (v.risk_assessed_on IS NULL OR a.biz_date - v.risk_assessed_on > {p['valid_days']}), FALSE) AS hit
        FROM dw.fact_assets a JOIN days ON days.d = a.biz_date CROSS JOIN lo
        LEFT JOIN dw.customer_versions v ON v.customer_no = a.customer_no AND v.valid_from <= a.biz_date
                                          AND (v.valid_to IS NULL OR a.biz_date < v.valid_to)
        LEFT JOIN (SELECT pos.customer_no, pos.biz_date, MIN(pos.market || '.' || pos.security_code) AS ref,
                          MAX(CAST(SUBSTRING(s.risk_level, 2, 1) AS INTEGER)) AS risk
                   FROM dw.fact_positions pos JOIN dw.securities s ON s.market = pos.market AND s.security_code = pos.security_code
                   CROSS JOIN lo WHERE s.risk_level IS NOT NULL AND pos.biz_date >= lo.lo_date
                   GROUP BY pos.customer_no, pos.biz_date) held
               ON held.customer_no = a.customer_no AND held.biz_date = a.biz_date
              AND held.risk > COALESCE(CAST(SUBSTRING(v.risk_level, 2, 1) AS INTEGER), 0)
        WHERE a.biz_date >= lo.lo_date"""
    return _transition(dates, 1, rows)


def sql_no_trade(dates, p) -> str:
    """Fires on the N-th loaded trading day without a trade, counted from the last trade or the first assets row.

    Only the last N + 1 days before the dates are read: an older last event makes the gap longer than N.
    A customer whose rows reach back to the window's first day has their first row before it.
    """
    n = p["days"]
    return f"""
        WITH {_window(dates, n + 1)},
        traded AS (SELECT DISTINCT customer_no, trade_date FROM dw.fact_trades CROSS JOIN lo WHERE trade_date >= lo.lo_date),
        rows AS (SELECT a.customer_no, a.biz_date, a.total_assets, days.idx, lo.lo_idx,
                        MAX(CASE WHEN t.customer_no IS NOT NULL THEN days.idx END)
                            OVER (PARTITION BY a.customer_no ORDER BY a.biz_date ROWS UNBOUNDED PRECEDING) AS traded_idx,
                        MIN(days.idx) OVER (PARTITION BY a.customer_no) AS first_idx
                 FROM dw.fact_assets a JOIN days ON days.d = a.biz_date CROSS JOIN lo
                 LEFT JOIN traded t ON t.customer_no = a.customer_no AND t.trade_date = a.biz_date
                 WHERE a.biz_date >= lo.lo_date)
        SELECT customer_no, biz_date, total_assets AS amount, NULL AS base, NULL AS ref FROM rows
        WHERE idx - GREATEST(COALESCE(traded_idx, 0), CASE WHEN first_idx > lo_idx THEN first_idx - 1 ELSE 0 END) = {n}
          AND total_assets >= {p['min_assets']} AND {_in_dates('biz_date', dates)}"""


SQL = {
    "large_withdrawal": sql_large_withdrawal, "assets_drop": sql_assets_drop, "no_trade": sql_no_trade,
    "large_deposit": sql_large_deposit, "concentration": sql_concentration, "account_closing": sql_account_closing,
    "questionnaire_expired": sql_questionnaire_expired,
}


def _details(rule: str, amount, base, ref) -> dict:
    details: dict = {}
    if amount is not None:
        details["amount"] = f"{Decimal(amount):.2f}"
    if base is not None:
        details["base"] = f"{Decimal(base):.2f}"
    if ref is not None:
        details["security"] = ref
    return details


def evaluate(con, *, dates: list[dt.date], rules: dict[str, dict]) -> list[Candidate]:
    """Every alert the enabled `rules` ({code: parsed parameters}) raise on `dates`, in a stable order."""
    if not dates:
        return []
    found: list[Candidate] = []
    for rule, params in rules.items():
        for customer_no, biz_date, amount, base, ref in con.execute(SQL[rule](dates, params)).fetchall():
            found.append(Candidate(customer_no, rule, biz_date, _details(rule, amount, base, ref)))
    return sorted(found, key=lambda c: (c.biz_date, c.customer_no, c.rule))
