"""Context of a day: what earlier days delivered, as the temp tables the rules read.

- vd_ctx_branches / vd_ctx_customers / vd_ctx_securities: the latest version of every row
  delivered before the day (references, new accounts);
- vd_ctx_prev_assets / vd_ctx_prev_positions: the previous delivered day (continuity).

Three sources fill them with the same shape: a running validation (absorbing each day checked),
earlier day folders (one folder validated alone), and the warehouse's ODS tables (ingest).
"""
from __future__ import annotations

from datetime import date

import duckdb

from brokercrm.datacenter.checks.sql import date_lit

CONTEXT_TABLES = {
    "vd_ctx_branches": "branch_code VARCHAR",
    "vd_ctx_customers": "customer_no VARCHAR, open_date DATE, close_date DATE",
    "vd_ctx_securities": "market VARCHAR, security_code VARCHAR, security_type VARCHAR",
    "vd_ctx_prev_assets": "customer_no VARCHAR, cash_balance DECIMAL(18,2)",
    "vd_ctx_prev_positions": "customer_no VARCHAR, market VARCHAR, security_code VARCHAR, quantity BIGINT",
}


def empty_context(con: duckdb.DuckDBPyConnection) -> None:
    for name, columns in CONTEXT_TABLES.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")


def build_known(con: duckdb.DuckDBPyConnection) -> None:
    """vd_known_*: the context overlaid with the day's staged rows (same key = newer version)."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE vd_known_branches AS
        SELECT DISTINCT branch_code FROM vd_branches WHERE branch_code IS NOT NULL
        UNION SELECT branch_code FROM vd_ctx_branches"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE vd_known_customers AS
        WITH today AS (SELECT customer_no, open_date, close_date FROM vd_customers WHERE customer_no IS NOT NULL
                       QUALIFY row_number() OVER (PARTITION BY customer_no ORDER BY line DESC) = 1)
        SELECT t.customer_no, t.open_date, t.close_date FROM today t
        UNION ALL
        SELECT c.customer_no, c.open_date, c.close_date FROM vd_ctx_customers c
          ANTI JOIN today t ON t.customer_no = c.customer_no"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE vd_known_securities AS
        WITH today AS (SELECT market, security_code, security_type FROM vd_securities
                       WHERE market IS NOT NULL AND security_code IS NOT NULL
                       QUALIFY row_number() OVER (PARTITION BY market, security_code ORDER BY line DESC) = 1)
        SELECT * FROM today
        UNION ALL
        SELECT c.market, c.security_code, c.security_type FROM vd_ctx_securities c
          ANTI JOIN today t ON t.market = c.market AND t.security_code = c.security_code"""
    )


def absorb_day(con: duckdb.DuckDBPyConnection, *, previous: bool = True) -> None:
    """After a day is checked, it becomes context: known rows, and (optionally) the previous day."""
    con.execute("CREATE OR REPLACE TEMP TABLE vd_ctx_branches AS SELECT branch_code FROM vd_known_branches")
    con.execute("CREATE OR REPLACE TEMP TABLE vd_ctx_customers AS SELECT * FROM vd_known_customers")
    con.execute("CREATE OR REPLACE TEMP TABLE vd_ctx_securities AS SELECT * FROM vd_known_securities")
    if not previous:
        return
    con.execute(
        """CREATE OR REPLACE TEMP TABLE vd_ctx_prev_assets AS
        SELECT customer_no, cash_balance FROM vd_assets WHERE customer_no IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY customer_no ORDER BY line DESC) = 1"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE vd_ctx_prev_positions AS
        SELECT customer_no, market, security_code, quantity FROM vd_positions
        WHERE customer_no IS NOT NULL AND market IS NOT NULL AND security_code IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY customer_no, market, security_code ORDER BY line DESC) = 1"""
    )


def _target(name: str, into: str | None) -> str:
    return f"TEMP TABLE {name}" if into is None else f"TABLE {into}.main.{name}"


def _create(con: duckdb.DuckDBPyConnection, name: str, select: str, into: str | None) -> None:
    con.execute(f"CREATE OR REPLACE {_target(name, into)} AS {select}")


def warehouse_context(
    con: duckdb.DuckDBPyConnection, business_date: date, previous_day: date | None, *, into: str | None = None
) -> None:
    """The context from the ODS: every version loaded before the day, and the previous loaded day.

    `into` names an attached database to hold the tables (shared by the cursors of an ingest) instead of temp ones.
    """
    d = date_lit(business_date)
    _create(con, "vd_ctx_branches", f"SELECT DISTINCT branch_code FROM ods.branches WHERE business_date < {d}", into)
    _create(con, "vd_ctx_customers", f"""SELECT customer_no, open_date, close_date FROM ods.customers WHERE business_date < {d}
        QUALIFY row_number() OVER (PARTITION BY customer_no ORDER BY business_date DESC, source_line DESC) = 1""", into)
    _create(con, "vd_ctx_securities", f"""SELECT market, security_code, security_type FROM ods.securities WHERE business_date < {d}
        QUALIFY row_number() OVER (PARTITION BY market, security_code ORDER BY business_date DESC, source_line DESC) = 1""",
            into)
    if previous_day is None:
        for name in ("vd_ctx_prev_assets", "vd_ctx_prev_positions"):
            con.execute(f"CREATE OR REPLACE {_target(name, into)} ({CONTEXT_TABLES[name]})")
        return
    _previous(con, previous_day, into)


def _previous(con: duckdb.DuckDBPyConnection, day: date, into: str | None) -> None:
    p = date_lit(day)
    _create(con, "vd_ctx_prev_assets", f"SELECT customer_no, cash_balance FROM ods.assets WHERE business_date = {p}", into)
    _create(con, "vd_ctx_prev_positions",
            f"SELECT customer_no, market, security_code, quantity FROM ods.positions WHERE business_date = {p}", into)


def roll_context(con: duckdb.DuckDBPyConnection, loaded_day: date, *, into: str) -> None:
    """Turn the context of `loaded_day` (in `into`) into the next day's: the day's ODS rows become the newest versions
    and the previous day. Equal to warehouse_context for a next day whose latest loaded day is `loaded_day`, without
    re-reading every earlier day's versions (a cost that grew with the warehouse)."""
    d = date_lit(loaded_day)
    ctx = f"{into}.main"
    _create(con, "vd_ctx_branches", f"""SELECT branch_code FROM {ctx}.vd_ctx_branches
        UNION SELECT branch_code FROM ods.branches WHERE business_date = {d}""", into)
    _create(con, "vd_ctx_customers", f"""SELECT customer_no, open_date, close_date FROM (
          SELECT customer_no, open_date, close_date, 0 AS newer, 0 AS source_line FROM {ctx}.vd_ctx_customers
          UNION ALL SELECT customer_no, open_date, close_date, 1, source_line FROM ods.customers WHERE business_date = {d})
        QUALIFY row_number() OVER (PARTITION BY customer_no ORDER BY newer DESC, source_line DESC) = 1""", into)
    _create(con, "vd_ctx_securities", f"""SELECT market, security_code, security_type FROM (
          SELECT market, security_code, security_type, 0 AS newer, 0 AS source_line FROM {ctx}.vd_ctx_securities
          UNION ALL SELECT market, security_code, security_type, 1, source_line FROM ods.securities WHERE business_date = {d})
        QUALIFY row_number() OVER (PARTITION BY market, security_code ORDER BY newer DESC, source_line DESC) = 1""", into)
    _previous(con, loaded_day, into)
