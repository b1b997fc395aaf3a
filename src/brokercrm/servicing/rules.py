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


def _lo(dates: list[dt.date], lookback: int, days: list[dt.date]) -> tuple[int, str]:
    """The 1-based index among loaded days and the literal date of the first day a rule looks at."""
    first = min(dates)
    idx = max((i for i, d in enumerate(days, start=1) if d <= first), default=1) - lookback
    lo_date = days[idx - 1] if 1 <= idx <= len(days) else (days[0] if days and idx < 1 else first)
    return idx, _lit(lo_date)


def _window(dates: list[dt.date], lookback: int, days: list[dt.date]) -> str:
    """Loaded trading days indexed in order (idx), with constants the planner can push into the scans."""
    lo_idx, lo_date = _lo(dates, lookback, days)
    return f"""
        days AS (SELECT business_date AS d, ROW_NUMBER() OVER (ORDER BY business_date) AS idx FROM dw.calendar),
        lo AS (SELECT {lo_idx} AS lo_idx, {lo_date} AS lo_date)"""


def _in_dates(column: str, dates: list[dt.date]) -> str:
    return f"{column} IN ({', '.join(_lit(d) for d in sorted(set(dates)))})"


def sql_large_withdrawal(dates, p, days) -> str:
    """Compared with total assets on the previous loaded trading day (no row then, e.g. a new account: amount only)."""
    return f"""
        WITH {_window(dates, 1, days)},
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


def _transition(dates, lookback: int, condition_rows: str, days) -> str:
    """Rows of `condition_rows` (customer_no, biz_date, idx, hit, amount, base, ref) where hit begins."""
    return f"""
        WITH {_window(dates, lookback, days)},
        c AS ({condition_rows}),
        t AS (SELECT *, LAG(hit) OVER (PARTITION BY customer_no ORDER BY biz_date) AS was FROM c)
        SELECT customer_no, biz_date, amount, base, ref FROM t
        WHERE hit AND NOT COALESCE(was, FALSE) AND {_in_dates('biz_date', dates)}"""


def sql_assets_drop(dates, p, days) -> str:
    lo_date = _lo(dates, p["days"] + 1, days)[1]
    n = p["days"]
    rows = f"""
        SELECT customer_no, biz_date, amount, base, ref,
               COALESCE(base >= {p['min_assets']} AND amount * 100 <= base * (100 - {p['percent']}), FALSE) AS hit
        FROM (SELECT customer_no, biz_date, total_assets AS amount, NULL AS ref,
                     LAG(total_assets, {n}) OVER (PARTITION BY customer_no ORDER BY biz_date) AS base
              FROM dw.fact_assets WHERE biz_date >= {lo_date}) AS w"""
    return _transition(dates, n + 1, rows, days)


def sql_concentration(dates, p, days) -> str:
    lo_date = _lo(dates, 1, days)[1]
    rows = f"""
        SELECT a.customer_no, a.biz_date, top.market_value AS amount, a.total_assets AS base, top.ref,
               COALESCE(a.total_assets >= {p['min_assets']} AND top.market_value * 100 >= a.total_assets * {p['percent']}, FALSE) AS hit
        FROM dw.fact_assets a JOIN days ON days.d = a.biz_date CROSS JOIN lo
        LEFT JOIN (SELECT customer_no, biz_date, MAX(market_value) AS market_value,
                          arg_max(market || '.' || security_code, market_value) AS ref
                   FROM dw.fact_positions WHERE biz_date >= {lo_date} GROUP BY customer_no, biz_date) top
               ON top.customer_no = a.customer_no AND top.biz_date = a.biz_date
        WHERE a.biz_date >= {lo_date}"""
    return _transition(dates, 1, rows, days)


def sql_questionnaire_expired(dates, p, days) -> str:
    lo_date = _lo(dates, 1, days)[1]
    rows = f"""
        SELECT a.customer_no, a.biz_date, NULL AS amount, NULL AS base, held.ref,
               COALESCE(held.ref IS NOT NULL
                        AND (v.risk_assessed_on IS NULL OR a.biz_date - v.risk_assessed_on > {p['valid_days']}), FALSE) AS hit
        FROM dw.fact_assets a JOIN days ON days.d = a.biz_date CROSS JOIN lo
        LEFT JOIN (SELECT customer_no, valid_from, COALESCE(valid_to, DATE '9999-12-31') AS valid_to, risk_level, risk_assessed_on
                   FROM dw.customer_versions) v
               ON v.customer_no = a.customer_no AND v.valid_from <= a.biz_date AND a.biz_date < v.valid_to
        LEFT JOIN (SELECT pos.customer_no, pos.biz_date, MIN(pos.market || '.' || pos.security_code) AS ref,
                          MAX(CAST(SUBSTRING(s.risk_level, 2, 1) AS INTEGER)) AS risk
                   FROM dw.fact_positions pos JOIN dw.securities s ON s.market = pos.market AND s.security_code = pos.security_code
                   WHERE s.risk_level IS NOT NULL AND pos.biz_date >= {lo_date}
                   GROUP BY pos.customer_no, pos.biz_date) held
               ON held.customer_no = a.customer_no AND held.biz_date = a.biz_date
              AND held.risk > COALESCE(CAST(SUBSTRING(v.risk_level, 2, 1) AS INTEGER), 0)
        WHERE a.biz_date >= {lo_date}"""
    return _transition(dates, 1, rows, days)


def sql_no_trade(dates, p, days) -> str:
    """Fires on the N-th loaded trading day without a trade, counted from the last trade or the first assets row.

    Only the last N + 1 days before the dates are read: an older last event makes the gap longer than N.
    The first assets row is on open_date (or the first loaded day for older accounts). The last
    trade on or before each day is found with an ASOF join (DuckDB), not a running window.
    """
    n = p["days"]
    lo_idx, lo_date = _lo(dates, n + 1, days)
    return f"""
        WITH days AS (SELECT business_date AS d, ROW_NUMBER() OVER (ORDER BY business_date) AS idx FROM dw.calendar),
        traded AS (SELECT DISTINCT t.customer_no, t.trade_date, days.idx AS trade_idx
                   FROM dw.fact_trades t JOIN days ON days.d = t.trade_date WHERE t.trade_date >= {lo_date}),
        firsts AS (SELECT customer_no, GREATEST(open_date, (SELECT MIN(d) FROM days)) AS first_date FROM dw.customers_current),
        target AS (SELECT a.customer_no, a.biz_date, a.total_assets, days.idx FROM dw.fact_assets a JOIN days ON days.d = a.biz_date
                   WHERE {_in_dates('a.biz_date', dates)} AND a.total_assets >= {p['min_assets']}),
        joined AS (SELECT target.*, traded.trade_idx FROM target
                   ASOF LEFT JOIN traded ON traded.customer_no = target.customer_no AND traded.trade_date <= target.biz_date)
        SELECT j.customer_no, j.biz_date, j.total_assets AS amount, NULL AS base, NULL AS ref
        FROM joined j LEFT JOIN firsts f ON f.customer_no = j.customer_no LEFT JOIN days fd ON fd.d = f.first_date
        WHERE j.idx - GREATEST(COALESCE(j.trade_idx, 0), CASE WHEN COALESCE(fd.idx, 0) > {lo_idx} THEN fd.idx - 1 ELSE 0 END) = {n}"""


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
    days = [r[0] for r in con.execute("SELECT business_date FROM dw.calendar ORDER BY 1").fetchall()]
    found: list[Candidate] = []
    for rule, params in rules.items():
        for customer_no, biz_date, amount, base, ref in con.execute(SQL[rule](dates, params, days)).fetchall():
            found.append(Candidate(customer_no, rule, biz_date, _details(rule, amount, base, ref)))
    return sorted(found, key=lambda c: (c.biz_date, c.customer_no, c.rule))
