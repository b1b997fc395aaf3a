"""Alert rules for one new business day over a synthetic warehouse, next to a bare DuckDB scan of the same rows.

Default size is the mid-size brokerage of SPEC.md: 1,000,000 customers, with the 62 loaded trading days of
assets history the default no-trade rule (60 days) looks back over; 3 positions per customer on the last two
days (the rules that read positions look at d and d−1 only, and DuckDB skips older row groups by date),
~200,000 trades a day, 20,000 cash flows a day with some large ones. `--quick` = 20,000 customers.
Prints the evaluation time, alerts per rule, and the ratio to the baseline measured in the same run.
"""
import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def sessions(count: int) -> list[dt.date]:
    import exchange_calendars as xcals

    cal = xcals.get_calendar("XSHG")
    return [d.date() for d in cal.sessions_in_range("2026-01-05", "2026-06-30")][:count]


def generate(con, customers: int, days: list[dt.date]) -> dict[str, int]:
    for schema in ("dw",):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    values = ", ".join(f"(DATE '{d}')" for d in days)
    con.execute(f"CREATE TABLE dw.trading_days AS SELECT col0 AS business_date, 1 AS load_id FROM (VALUES {values})")
    con.execute("""CREATE TABLE dw.customer_versions AS SELECT CAST(10000000 + i AS VARCHAR) AS customer_no, DATE '2020-01-02' AS valid_from,
                   CAST(NULL AS DATE) AS valid_to, 'C' || CAST(1 + i % 5 AS VARCHAR) AS risk_level,
                   DATE '2022-01-04' + CAST(i % 1500 AS INTEGER) AS risk_assessed_on FROM range(?) t(i)""", [customers])
    con.execute(f"""CREATE TABLE dw.customers_current AS SELECT customer_no, valid_from, risk_level, risk_assessed_on,
                   DATE '2020-01-02' AS open_date, CASE WHEN CAST(customer_no AS BIGINT) % 5000 = 0 THEN DATE '{days[-1]}' END AS close_date
                   FROM dw.customer_versions""")
    con.execute("""CREATE TABLE dw.securities AS SELECT 'SH' AS market, CAST(600000 + i AS VARCHAR) AS security_code,
                   'R' || CAST(1 + i % 5 AS VARCHAR) AS risk_level FROM range(5000) t(i)""")
    # Assets by day (inserted in date order, as the loads do): a slow drift, and every 97th customer down 40 % on the last day.
    con.execute("CREATE TABLE dw.fact_assets (biz_date DATE, customer_no VARCHAR, cash_balance DECIMAL(18,2), market_value DECIMAL(18,2), total_assets DECIMAL(18,2))")
    for k, d in enumerate(days):
        drop = "CASE WHEN i % 97 = 0 THEN 0.6 ELSE 1 END" if k == len(days) - 1 else "1"
        con.execute(f"""INSERT INTO dw.fact_assets SELECT DATE '{d}', CAST(10000000 + i AS VARCHAR),
                        CAST(((i * 7919) % 500000) * {drop} AS DECIMAL(18,2)), CAST(((i * 104729) % 2000000 + {k} * 100) * {drop} AS DECIMAL(18,2)),
                        CAST(((i * 7919) % 500000) * {drop} AS DECIMAL(18,2)) + CAST(((i * 104729) % 2000000 + {k} * 100) * {drop} AS DECIMAL(18,2))
                        FROM range({customers}) t(i)""")
    con.execute("CREATE TABLE dw.fact_positions (biz_date DATE, customer_no VARCHAR, market VARCHAR, security_code VARCHAR, market_value DECIMAL(18,2))")
    for d in days[-2:]:
        con.execute(f"""INSERT INTO dw.fact_positions SELECT DATE '{d}', CAST(10000000 + (i // 3) AS VARCHAR), 'SH',
                        CAST(600000 + (i * 31) % 5000 AS VARCHAR), CAST(1000 + (i * 13) % 900000 AS DECIMAL(18,2)) FROM range({customers * 3}) t(i)""")
    con.execute("CREATE TABLE dw.fact_trades (trade_date DATE, customer_no VARCHAR)")
    for k, d in enumerate(days):
        con.execute(f"""INSERT INTO dw.fact_trades SELECT DATE '{d}', CAST(10000000 + (i * 5 + {k}) % {customers} AS VARCHAR)
                        FROM range({customers // 5}) t(i) WHERE (i * 5 + {k}) % {customers} % 7 <> 0""")
    con.execute("CREATE TABLE dw.fact_cash_flows (biz_date DATE, customer_no VARCHAR, flow_type VARCHAR, amount DECIMAL(18,2))")
    for d in days:
        con.execute(f"""INSERT INTO dw.fact_cash_flows SELECT DATE '{d}', CAST(10000000 + (i * 37) % {customers} AS VARCHAR),
                        CASE WHEN i % 3 = 0 THEN 'bank_out' ELSE 'bank_in' END,
                        CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END * CAST(CASE WHEN i % 1000 = 0 THEN 600000 ELSE 1000 + i % 5000 END AS DECIMAL(18,2))
                        FROM range({customers // 50}) t(i)""")
    return {t: con.execute(f"SELECT count(*) FROM dw.{t}").fetchone()[0]
            for t in ("fact_assets", "fact_positions", "fact_trades", "fact_cash_flows")}


def baseline(con, day: dt.date) -> float:
    """A bare scan of the rows the rules read: assets of the window, the day's positions, trades and cash flows, grouped."""
    start = time.perf_counter()
    for sql in ("SELECT customer_no, max(total_assets), min(total_assets) FROM dw.fact_assets GROUP BY 1",
                f"SELECT customer_no, max(market_value) FROM dw.fact_positions WHERE biz_date >= DATE '{day}' - 7 GROUP BY 1",
                "SELECT customer_no, max(trade_date) FROM dw.fact_trades GROUP BY 1",
                f"SELECT customer_no, sum(amount) FROM dw.fact_cash_flows WHERE biz_date = DATE '{day}' GROUP BY 1"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE bench_baseline AS {sql}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 customers instead of 1,000,000")
    parser.add_argument("--customers", type=int, help="override the number of customers")
    args = parser.parse_args()
    customers = args.customers or (20_000 if args.quick else 1_000_000)

    import django

    django.setup()
    import duckdb

    from brokercrm.servicing import rules

    days = sessions(62)
    con = duckdb.connect(":memory:")
    t0 = time.perf_counter()
    rows = generate(con, customers, days)
    print(f"customers {customers:,}; {len(days)} days; " + ", ".join(f"{k} {v:,}" for k, v in rows.items())
          + f" (generated in {time.perf_counter() - t0:.1f}s)")
    base = baseline(con, days[-1])
    params = {code: rules.parse_parameters(code, {})[0] for code in rules.DEFAULTS}
    t0 = time.perf_counter()
    found = rules.evaluate(con, dates=[days[-1]], rules=params)
    elapsed = time.perf_counter() - t0
    per_rule = Counter(c.rule for c in found)
    print(f"baseline  bare scan of the same rows : {base:7.2f}s")
    print(f"alerts    7 rules for {days[-1]}    : {elapsed:7.2f}s  = {elapsed / base:.1f}× the baseline; "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(per_rule.items())))
    con.close()


if __name__ == "__main__":
    main()
