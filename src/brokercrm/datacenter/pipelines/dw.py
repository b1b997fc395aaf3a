"""DW layer (数据仓库层): dimensions with history and attributed facts, built from ODS and CRM.

Dimensions are rebuilt whole on every run (they are small next to the facts). Positions, the largest
fact and used by no indicator, are a view over the ODS with the day's attribution. Other facts are rebuilt
per business date: a newly loaded later day only adds its own rows; new CRM content re-derives the rows
of the customers whose development relations changed (all facts when more than half of them did);
a reloaded or removed day, or a day loaded out of order, rebuilds every fact. Either way the result
depends only on ODS + CRM: idempotent.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from brokercrm.datacenter import calendar
from brokercrm.datacenter.pipelines import changes
from brokercrm.datacenter.pipelines.crm import crm_digest, ensure_crm_tables
from brokercrm.datacenter.pipelines.portable import FAR, Target, as_target, literal, values_table

# A CRM change touching more than this share of the customers rebuilds every fact (cheaper than row surgery).
RESTAMP_SHARE = 0.5

CUSTOMER_COLUMNS = ("name", "customer_type", "id_type", "id_no", "gender", "birth_date", "mobile", "email", "address",
                    "branch_code", "open_date", "close_date", "status", "risk_level", "risk_assessed_on")


@dataclass(frozen=True)
class Fact:
    table: str          # dw.<table>
    source: str         # ods.<source>
    date_column: str    # the fact's own date (equals the business date of its folder)
    columns: tuple[str, ...]
    view: bool = False  # a view over ODS + attribution instead of a copy


FACTS = (
    Fact("fact_trades", "deliveries", "trade_date",
         ("trade_date", "serial_no", "customer_no", "market", "security_code", "side", "quantity", "price", "amount",
          "commission", "handling_fee", "regulatory_fee", "stamp_tax", "transfer_fee", "other_fee", "settle_amount",
          "channel")),
    Fact("fact_cash_flows", "cash_flows", "biz_date",
         ("biz_date", "serial_no", "customer_no", "flow_type", "amount", "bank_code")),
    Fact("fact_security_transfers", "security_transfers", "biz_date",
         ("biz_date", "serial_no", "customer_no", "market", "security_code", "direction", "quantity", "value")),
    Fact("fact_positions", "positions", "biz_date",
         ("biz_date", "customer_no", "market", "security_code", "quantity", "cost_amount", "close_price",
          "market_value"), view=True),
    Fact("fact_assets", "assets", "biz_date",
         ("biz_date", "customer_no", "cash_balance", "market_value", "total_assets")),
)


@dataclass(frozen=True)
class DwBuild:
    """What a build did: `full` = every fact rebuilt; `dates` = business dates (re)built incrementally."""

    full: bool
    dates: tuple[dt.date, ...] = ()
    removed: tuple[dt.date, ...] = ()
    rows: dict[str, int] = field(default_factory=dict)
    restamped: int = 0  # customers whose fact rows were re-attributed after a CRM change (no full rebuild)


def build_dw(con, *, dates: Iterable[dt.date] | None = None, full: bool = False) -> DwBuild:
    """Rebuild dimensions and bring facts up to date with ODS and CRM (dates: also rebuild these)."""
    target = as_target(con)
    ensure_crm_tables(target)
    loaded = {row[0]: row[1] for row in target.fetchall("SELECT business_date, load_id FROM ods.loaded_days")}
    built, built_digest = _build_state(target)
    digest = crm_digest(target)
    requested = {d for d in (dates or ()) if d in loaded}
    changed = {d for d, load_id in loaded.items() if built.get(d) != load_id}
    removed = set(built) - set(loaded)
    todo = requested | changed
    full = (full or bool(removed) or not target.table_exists("dw", "fact_assets")
            or not target.table_exists("dw", "development_relations")
            or any(d in built for d in changed) or (bool(todo) and bool(built) and min(todo) <= max(built)))
    restamp = 0
    # What changed, by month, for the marts and the published lake (changes.py); DuckDB only, Spark marks everything.
    track = target.dialect == "duckdb"
    crm_start = None
    with target.transaction():
        if not full and built_digest != digest:
            # New CRM content: only the customers whose development relations changed get new attribution.
            restamp = _mark_restamp(target)
            full = restamp > RESTAMP_SHARE * max(target.scalar("SELECT count(DISTINCT customer_no) FROM dw.customer_days") or 0, 1)
            crm_start = changes.crm_change_start(target) if track and not full else None
        kept_versions = track and not full and changes.keep_customer_versions(target)
        _build_dimensions(target, sorted(loaded))
        if full:
            _build_facts(target, None)
        else:
            if restamp:
                _restamp_facts(target)
            if todo:
                _build_facts(target, sorted(todo))
        if track:
            _note_changes(target, full=full or not kept_versions, todo=sorted(todo), last_built=max(built, default=None),
                          crm_start=crm_start)
        target.execute("DROP TABLE IF EXISTS dw.restamp_customers")
        target.replace_table("dw.built_days", "SELECT business_date, load_id FROM ods.loaded_days")
        target.replace_table("dw.build_state", f"SELECT {literal(digest)} AS crm_digest, CURRENT_TIMESTAMP AS built_at")
        rows = {f.table: target.scalar(f"SELECT count(*) FROM {'ods.' + f.source if f.view else 'dw.' + f.table}")
                for f in FACTS}
    return DwBuild(full=full, dates=() if full else tuple(sorted(todo)), removed=tuple(sorted(removed)), rows=rows,
                   restamped=0 if full else restamp)


def _note_changes(target: Target, *, full: bool, todo: list[dt.date], last_built: dt.date | None,
                  crm_start: dt.date | None) -> None:
    """Record the months the marts must recompute and the lake must publish again (changes.py)."""
    changes.ensure_todo(target)
    if full:
        target.execute("DROP TABLE IF EXISTS dw.customer_versions_before")
        changes.mark_everything(target)
        return
    starts = [d for d in (changes.customer_change_start(target), *todo[:1], last_built if todo else None) if d is not None]
    changes.mark_months(target, levels=changes.LEVELS, months=changes.months_from(target, min(starts, default=None)))
    changes.mark_days(target, days=todo)
    crm_months = changes.months_from(target, crm_start)
    changes.mark_months(target, levels=("staff",), lake_tables=changes.FACT_TABLES, months=crm_months)


def _mark_restamp(target: Target) -> int:
    """dw.restamp_customers: customers whose relations differ between the last build's copy and the CRM now."""
    cols = "customer_no, staff_no, start_date, end_date"
    target.replace_table("dw.restamp_customers", f"""
        SELECT DISTINCT customer_no FROM (
            (SELECT {cols} FROM dw.development_relations EXCEPT SELECT {cols} FROM crm.development_relations)
            UNION ALL
            (SELECT {cols} FROM crm.development_relations EXCEPT SELECT {cols} FROM dw.development_relations)) AS c""")
    return target.scalar("SELECT count(*) FROM dw.restamp_customers")


def _restamp_facts(target: Target) -> None:
    """Replace the fact rows of dw.restamp_customers only, re-derived from ODS with the new relations."""
    _build_facts(target, None, customers="dw.restamp_customers")


def _build_state(target: Target) -> tuple[dict[dt.date, int], str | None]:
    if not target.table_exists("dw", "built_days") or not target.table_exists("dw", "build_state"):
        return {}, None
    built = {row[0]: row[1] for row in target.fetchall("SELECT business_date, load_id FROM dw.built_days")}
    return built, target.scalar("SELECT max(crm_digest) FROM dw.build_state")


def _build_dimensions(target: Target, loaded: list[dt.date]) -> None:
    cols = ", ".join(CUSTOMER_COLUMNS)
    target.drop_relation("dw", "customers_current")  # first: PostgreSQL refuses to drop a table under a view
    # The first delivered version is in force back to open_date; each later one from its business date.
    target.replace_table("dw.customer_versions", f"""
        SELECT customer_no,
               CASE WHEN version_no = 1 AND open_date < business_date THEN open_date ELSE business_date END AS valid_from,
               valid_to, business_date AS delivered_on, {cols}
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_no ORDER BY business_date) AS version_no,
                     LEAD(business_date) OVER (PARTITION BY customer_no ORDER BY business_date) AS valid_to
              FROM ods.customers) AS v""")
    target.replace_view("dw.customers_current", f"""
        SELECT customer_no, valid_from, delivered_on, {cols} FROM dw.customer_versions WHERE valid_to IS NULL""")
    target.replace_table("dw.branches", """
        SELECT branch_code, branch_name, city, opened_on, first_delivered_on, business_date AS delivered_on
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY branch_code ORDER BY business_date DESC) AS rn,
                     MIN(business_date) OVER (PARTITION BY branch_code) AS first_delivered_on
              FROM ods.branches) AS b WHERE rn = 1""")
    target.replace_table("dw.securities", """
        SELECT market, security_code, security_name, security_type, industry, risk_level, business_date AS delivered_on
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY market, security_code ORDER BY business_date DESC) AS rn
              FROM ods.securities) AS s WHERE rn = 1""")
    target.replace_table("dw.staff", """
        SELECT staff_no, name, category, branch_code, hire_date, leave_date FROM crm.staff""")
    target.replace_table("dw.development_relations", """
        SELECT customer_no, staff_no, start_date, end_date FROM crm.development_relations""")
    target.replace_table("dw.trading_days", "SELECT business_date, load_id FROM ods.loaded_days")
    sessions = calendar.current().trading_days(loaded[0], loaded[-1]) if loaded else ()
    loaded_set = set(loaded)
    target.replace_table("dw.calendar", values_table(
        ("business_date", "loaded"), [(d, d in loaded_set) for d in sessions], (dt.date(2000, 1, 3), False)))
    _build_attribution(target)


def _build_attribution(target: Target) -> None:
    """Per customer, the intervals [valid_from, valid_to) of their open period by staff and by branch.

    Open on d = open_date ≤ d ≤ close_date, i.e. [open_date, close_date + 1). Staff intervals cover
    the whole open period: development relations clipped to it, and the gaps with staff_no NULL
    (unattributed). These give customer_count and the attribution of new customers.
    """
    opened = """SELECT customer_no, open_date AS o_from,
                       CASE WHEN close_date IS NULL THEN NULL ELSE close_date + 1 END AS o_to
                FROM dw.customers_current"""
    target.replace_table("dw.branch_attribution", f"""
        WITH o AS ({opened}),
        clipped AS (
            SELECT v.customer_no, v.branch_code,
                   CASE WHEN v.valid_from > o.o_from THEN v.valid_from ELSE o.o_from END AS valid_from,
                   CASE WHEN v.valid_to IS NULL THEN o.o_to WHEN o.o_to IS NULL OR v.valid_to < o.o_to THEN v.valid_to
                        ELSE o.o_to END AS valid_to
            FROM dw.customer_versions v JOIN o ON o.customer_no = v.customer_no)
        SELECT * FROM clipped WHERE valid_to IS NULL OR valid_from < valid_to""")
    target.replace_table("dw.staff_attribution", f"""
        WITH o AS ({opened}),
        rel AS (
            SELECT r.customer_no, r.staff_no, o.o_from, o.o_to,
                   CASE WHEN r.start_date > o.o_from THEN r.start_date ELSE o.o_from END AS valid_from,
                   CASE WHEN r.end_date IS NULL THEN o.o_to WHEN o.o_to IS NULL OR r.end_date < o.o_to THEN r.end_date
                        ELSE o.o_to END AS valid_to
            FROM dw.development_relations r JOIN o ON o.customer_no = r.customer_no),
        ok AS (
            SELECT *, LAG(valid_to) OVER (PARTITION BY customer_no ORDER BY valid_from) AS prev_to,
                      ROW_NUMBER() OVER (PARTITION BY customer_no ORDER BY valid_from) AS n_from_start,
                      ROW_NUMBER() OVER (PARTITION BY customer_no ORDER BY valid_from DESC) AS n_from_end
            FROM rel WHERE valid_to IS NULL OR valid_from < valid_to),
        pieces AS (
            SELECT customer_no, staff_no, valid_from, valid_to FROM ok
            UNION ALL SELECT customer_no, NULL, o_from, valid_from FROM ok WHERE n_from_start = 1 AND o_from < valid_from
            UNION ALL SELECT customer_no, NULL, prev_to, valid_from FROM ok WHERE n_from_start > 1 AND prev_to < valid_from
            UNION ALL SELECT customer_no, NULL, valid_to, o_to FROM ok
                      WHERE n_from_end = 1 AND valid_to IS NOT NULL AND (o_to IS NULL OR valid_to < o_to)
            UNION ALL SELECT o.customer_no, NULL, o.o_from, o.o_to FROM o
                      WHERE (o.o_to IS NULL OR o.o_from < o.o_to)
                        AND NOT EXISTS (SELECT 1 FROM ok WHERE ok.customer_no = o.customer_no))
        SELECT customer_no, CAST(staff_no AS VARCHAR) AS staff_no, valid_from, valid_to FROM pieces""")


def _build_facts(target: Target, dates: list[dt.date] | None, *, customers: str | None = None) -> None:
    """Facts with the branch of the customer version and the staff of the relation in force on their date.

    dates: only these business dates (appended); customers: only the customers listed in that table
    (their rows replaced); neither: every fact rebuilt.
    """
    def only(column: str) -> str:
        if customers is not None:
            prefix = column.rsplit(".", 1)[0] + "." if "." in column else ""
            return f" WHERE {prefix}customer_no IN (SELECT customer_no FROM {customers})"
        return "" if dates is None else f" WHERE {column} IN ({', '.join(literal(d) for d in dates)})"

    keys = " UNION ".join(f"SELECT customer_no, {f.date_column} AS d, business_date FROM ods.{f.source}"
                          f"{only('business_date')}" for f in FACTS)
    customer_days = f"""
        SELECT k.customer_no, k.d, k.business_date, v.branch_code, r.staff_no
        FROM ({keys}) AS k
        LEFT JOIN dw.customer_versions v ON v.customer_no = k.customer_no AND v.valid_from <= k.d
                                         AND k.d < COALESCE(v.valid_to, {FAR})
        LEFT JOIN dw.development_relations r ON r.customer_no = k.customer_no AND r.start_date <= k.d
                                             AND k.d < COALESCE(r.end_date, {FAR})"""
    for fact in FACTS:
        if fact.view:
            target.drop_relation("dw", fact.table)
    _replace_rows(target, "dw.customer_days", customer_days, dates, customers)
    for fact in FACTS:
        cols = ", ".join(f"f.{c}" for c in fact.columns)
        select = f"""
            SELECT {cols}, f.business_date, cd.branch_code, cd.staff_no
            FROM ods.{fact.source} f
            LEFT JOIN dw.customer_days cd ON cd.customer_no = f.customer_no AND cd.d = f.{fact.date_column}
                                          AND cd.business_date = f.business_date"""
        if fact.view:
            target.replace_view(f"dw.{fact.table}", select)
        else:
            _replace_rows(target, f"dw.{fact.table}", select + only("f.business_date"), dates, customers)


def _replace_rows(target: Target, table: str, select: str, dates: list[dt.date] | None, customers: str | None = None) -> None:
    if customers is not None:
        target.execute(f"DELETE FROM {table} WHERE customer_no IN (SELECT customer_no FROM {customers})")
        target.execute(f"INSERT INTO {table} {select}")
        return
    if dates is None:
        target.replace_table(table, select)
        return
    target.execute(f"DELETE FROM {table} WHERE business_date IN ({', '.join(literal(d) for d in dates)})")
    target.execute(f"INSERT INTO {table} {select}")
