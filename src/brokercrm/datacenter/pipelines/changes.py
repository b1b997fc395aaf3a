"""What changed in the warehouse since the marts were built and since the lake was published, by month.

Two small tables, each written in the transaction of the writes it describes, each emptied by the step that
consumes it once that step's own writes are durable, so a crash between two steps only means work done again:

- `dw.mart_todo (level, month)`: the months whose mart rows of `level` (customer, staff, branch) must be computed
  again; written by `build_dw`, consumed by `build_marts`;
- `dw.lake_todo (tbl, month)`: the months of a published table (facts, marts) whose Parquet partition must be
  written again, or the new days of a fact table to append to their month; written by `build_dw` (facts) and
  `build_marts` (marts), consumed by `publish_marts`.

`month` is `YYYY-MM`, `YYYY-MM-DD` for a new business date of the facts (appended to its month as a file of its own,
so a night writes its day and not its whole month), or `*` for every month (a full rebuild: the publish compares each
month's content with the lake and writes only the months that differ). Which months a change touches:

- new business dates: the facts of those days; every level's marts from the month of the previous last loaded day
  (its period now ends later) to the last month;
- a customer's delivered version (a new customer, a new branch, a changed open or close date): every level's marts
  from the month that change takes effect on;
- new CRM content (staff, development relations): the staff marts and every fact from the first day on which a
  relation in force or a staff member's employment differs; customer and branch marts do not read the CRM.
"""
from __future__ import annotations

import datetime as dt

from brokercrm.datacenter.pipelines.portable import FAR, Target, literal

LEVELS = ("customer", "staff", "branch")
ALL = "*"
# The published tables partitioned by month, as publish.MONTH_OF names them (kept here to avoid an import cycle).
FACT_TABLES = ("dw.fact_assets", "dw.fact_positions", "dw.fact_trades", "dw.fact_cash_flows", "dw.fact_security_transfers")


def ensure_todo(target: Target) -> None:
    """Create the two tables when missing (DuckDB only: Spark's steps mark everything, see `mark_everything`)."""
    target.execute("CREATE TABLE IF NOT EXISTS dw.mart_todo (level VARCHAR NOT NULL, month VARCHAR NOT NULL)")
    target.execute("CREATE TABLE IF NOT EXISTS dw.lake_todo (tbl VARCHAR NOT NULL, month VARCHAR NOT NULL)")


def mark_everything(target: Target, *, marts: bool = True, lake_tables=FACT_TABLES) -> None:
    """Every month of every level and of these published tables changed (a full rebuild)."""
    ensure_todo(target)
    if marts:
        target.execute("INSERT INTO dw.mart_todo " + _pairs(LEVELS, [ALL]))
    if lake_tables:
        target.execute("INSERT INTO dw.lake_todo " + _pairs(lake_tables, [ALL]))


def mark_months(target: Target, *, levels=(), lake_tables=(), months: list[str]) -> None:
    """These months of these levels' marts and of these published tables changed."""
    if not months:
        return
    if levels:
        target.execute("INSERT INTO dw.mart_todo " + _pairs(levels, months))
    if lake_tables:
        target.execute("INSERT INTO dw.lake_todo " + _pairs(lake_tables, months))


def mark_days(target: Target, *, lake_tables=FACT_TABLES, days) -> None:
    """These new business dates of these fact tables are to be appended to the lake."""
    if days:
        target.execute("INSERT INTO dw.lake_todo " + _pairs(lake_tables, [d.isoformat() for d in days]))


def months_from(target: Target, start: dt.date | None) -> list[str]:
    """Every loaded month (dw.calendar) from the month of `start` on; none when start is None."""
    if start is None:
        return []
    first = f"{start.year:04d}-{start.month:02d}"
    return [r[0] for r in target.fetchall(
        f"SELECT DISTINCT strftime(business_date, '%Y-%m') AS m FROM dw.calendar ORDER BY 1") if r[0] >= first]


def keep_customer_versions(target: Target) -> bool:
    """Before the dimensions are rebuilt: the mart-relevant columns of the customer versions, to diff afterwards."""
    target.execute("DROP TABLE IF EXISTS dw.customer_versions_before")
    if not target.table_exists("dw", "customer_versions"):
        return False
    target.execute("CREATE TABLE dw.customer_versions_before AS SELECT customer_no, valid_from, valid_to, branch_code, "
                   "open_date, close_date FROM dw.customer_versions")
    return True


def customer_change_start(target: Target) -> dt.date | None:
    """After the dimensions are rebuilt: the first day on which a customer's version, branch, open or close date differs
    from before (None when nothing does); drops the copy `keep_customer_versions` made."""
    cols = "customer_no, valid_from, branch_code, open_date, close_date"
    start = target.scalar(f"""
        WITH n AS (SELECT {cols}, valid_to FROM dw.customer_versions),
             o AS (SELECT {cols}, valid_to FROM dw.customer_versions_before),
             added AS (SELECT {cols} FROM n EXCEPT SELECT {cols} FROM o),
             gone AS (SELECT {cols} FROM o EXCEPT SELECT {cols} FROM n),
             nc AS (SELECT * FROM n WHERE valid_to IS NULL),
             oc AS (SELECT * FROM o WHERE valid_to IS NULL)
        SELECT MIN(d) FROM (
            SELECT valid_from AS d FROM added
            UNION ALL SELECT valid_from FROM gone
            UNION ALL SELECT CASE WHEN COALESCE(oc.close_date, {FAR}) < COALESCE(nc.close_date, {FAR})
                                  THEN oc.close_date ELSE nc.close_date END
                      FROM oc JOIN nc ON nc.customer_no = oc.customer_no
                      WHERE COALESCE(oc.close_date, {FAR}) <> COALESCE(nc.close_date, {FAR})
            UNION ALL SELECT CASE WHEN oc.open_date < nc.open_date THEN oc.open_date ELSE nc.open_date END
                      FROM oc JOIN nc ON nc.customer_no = oc.customer_no WHERE oc.open_date <> nc.open_date) AS c""")
    target.execute("DROP TABLE IF EXISTS dw.customer_versions_before")
    return start


def crm_change_start(target: Target) -> dt.date | None:
    """Before the dimensions are rebuilt: the first day on which the relation in force for some customer, or some staff
    member's employment, differs between the last build's copy (dw.*) and the CRM now (crm.*); None when none does."""
    if not target.table_exists("dw", "development_relations") or not target.table_exists("dw", "staff"):
        return dt.date(1900, 1, 1)
    rel = "customer_no, staff_no, start_date, end_date"
    staff = "staff_no, hire_date, leave_date"
    return target.scalar(f"""
        WITH added AS (SELECT {rel} FROM crm.development_relations EXCEPT SELECT {rel} FROM dw.development_relations),
             gone AS (SELECT {rel} FROM dw.development_relations EXCEPT SELECT {rel} FROM crm.development_relations),
             -- the same relation with another end: it differs from the earlier end on
             moved AS (SELECT CASE WHEN COALESCE(a.end_date, {FAR}) < COALESCE(g.end_date, {FAR}) THEN a.end_date
                                   ELSE g.end_date END AS d, a.customer_no, a.staff_no, a.start_date
                       FROM added a JOIN gone g ON g.customer_no = a.customer_no AND g.staff_no = a.staff_no
                                               AND g.start_date = a.start_date),
             s_added AS (SELECT {staff} FROM crm.staff EXCEPT SELECT {staff} FROM dw.staff),
             s_gone AS (SELECT {staff} FROM dw.staff EXCEPT SELECT {staff} FROM crm.staff)
        SELECT MIN(d) FROM (
            SELECT d FROM moved
            UNION ALL SELECT x.start_date FROM (SELECT * FROM added UNION ALL SELECT * FROM gone) AS x
                      WHERE NOT EXISTS (SELECT 1 FROM moved m WHERE m.customer_no = x.customer_no
                                        AND m.staff_no = x.staff_no AND m.start_date = x.start_date)
            -- a staff member added or removed: from the hire date; else from the earlier differing hire or leave date
            UNION ALL SELECT CASE
                WHEN a.staff_no IS NULL THEN g.hire_date
                WHEN g.staff_no IS NULL THEN a.hire_date
                WHEN COALESCE(a.hire_date, {FAR}) <> COALESCE(g.hire_date, {FAR})
                    THEN CASE WHEN COALESCE(a.hire_date, {FAR}) < COALESCE(g.hire_date, {FAR}) THEN a.hire_date ELSE g.hire_date END
                ELSE CASE WHEN COALESCE(a.leave_date, {FAR}) < COALESCE(g.leave_date, {FAR}) THEN a.leave_date ELSE g.leave_date END
                END
                      FROM s_added a FULL OUTER JOIN s_gone g ON g.staff_no = a.staff_no) AS c""")


def _pairs(names, months) -> str:
    rows = ", ".join(f"({literal(n)}, {literal(m)})" for n in names for m in months)
    return f"SELECT * FROM (VALUES {rows}) AS v(a, b)"
