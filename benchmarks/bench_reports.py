"""The semantic layer's queries next to a bare DuckDB GROUP BY over the same published tables (issue 14, item 8).

Builds a published snapshot directly (no load): N customers (default 1,000,000) × 12 months, one trading day per month
(so 12 × N assets rows, 20% of the customers trading each day, 5% moving cash, 1% transferring securities), 300 staff
(5% of customers unattributed), 20 branches, every customer with a tier. Then times, as the reports app runs them:
- staff_no × month for the year, every measure of metrics.md (counts included): from the staff mart (the fast path
  of whole months, also taken with a filter on the staff and the month), and compiled from the facts (a filter on a
  dimension the mart lacks, `year`, forces it);
- branch_code × month × tier for the year, net commission, trade amount, commission rate (only the trades are read),
  and the same with every indicator of metrics.md (every fact table read);
and the baseline: the bare GROUP BY of the same facts by the same keys (sums only, no 口径: no T(P) averaging, no
counts, no exact rounding). Prints seconds and the ratio, with the load average beside them (the box is shared).
Then the home pages: an app database (SQLite, migrated: the shipped reports and role dashboards) with a user of each
role, the dashboards computed once as the worker does after a publish, and the p95 of `GET /` per role through the
Django test client (routing, scope, cache reads, template), next to the first computation.
`--customers 20000` for a quick run; `--data-dir DIR` keeps the generated snapshot there and reuses it.
"""
import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

DAYS = [dt.date(2026, month, 15) for month in range(1, 13)]


def generate(path: Path, customers: int) -> None:
    """Fill the snapshot's tables with synthetic rows (SQL range(), no Python loops)."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    days = ", ".join(f"DATE '{d}'" for d in DAYS)
    staff = "CASE WHEN i % 20 = 0 THEN NULL ELSE 'S' || lpad(CAST(i % 300 AS VARCHAR), 4, '0') END"
    branch = "lpad(CAST(i % 20 + 1 AS VARCHAR), 4, '0')"
    no = "CAST(10000000 + i AS VARCHAR)"
    con.execute(f"INSERT INTO dw.calendar BY NAME SELECT d AS business_date, TRUE AS loaded FROM (SELECT UNNEST([{days}]) AS d)")
    con.execute(f"""INSERT INTO dw.customers_current BY NAME SELECT {no} AS customer_no, '客户' AS name,
                    CASE WHEN i % 10 = 0 THEN 'institution' ELSE 'individual' END AS customer_type, {branch} AS branch_code,
                    DATE '2020-01-02' + CAST(i % 2500 AS INTEGER) AS open_date, 'normal' AS status, 'C3' AS risk_level,
                    DATE '2020-01-02' AS valid_from FROM range({customers}) t(i)""")
    con.execute(f"""INSERT INTO dw.staff_attribution BY NAME SELECT {no} AS customer_no, {staff} AS staff_no,
                    DATE '2020-01-02' + CAST(i % 2500 AS INTEGER) AS valid_from FROM range({customers}) t(i)""")
    con.execute(f"""INSERT INTO dw.branch_attribution BY NAME SELECT {no} AS customer_no, {branch} AS branch_code,
                    DATE '2020-01-02' + CAST(i % 2500 AS INTEGER) AS valid_from FROM range({customers}) t(i)""")
    facts = f"SELECT d, i FROM (SELECT UNNEST([{days}]) AS d), range({customers}) t(i)"
    con.execute(f"""INSERT INTO dw.fact_assets BY NAME SELECT d AS biz_date, {no} AS customer_no,
                    CAST((i * 7919) % 500000 AS DECIMAL(18,2)) AS total_assets, d AS business_date,
                    {branch} AS branch_code, {staff} AS staff_no FROM ({facts})""")
    con.execute(f"""INSERT INTO dw.fact_trades BY NAME SELECT d AS trade_date, 'D' || i AS serial_no, {no} AS customer_no,
                    CAST(1234.50 + i % 100 AS DECIMAL(18,2)) AS amount, CAST(5.00 AS DECIMAL(18,2)) AS commission,
                    CAST(0.04 AS DECIMAL(18,2)) AS handling_fee, CAST(0.02 AS DECIMAL(18,2)) AS regulatory_fee,
                    d AS business_date, {branch} AS branch_code, {staff} AS staff_no FROM ({facts}) WHERE i % 5 = 0""")
    con.execute(f"""INSERT INTO dw.fact_cash_flows BY NAME SELECT d AS biz_date, 'F' || i AS serial_no, {no} AS customer_no,
                    CASE WHEN i % 3 = 0 THEN 'bank_out' ELSE 'bank_in' END AS flow_type,
                    CAST(1000 + i % 5000 AS DECIMAL(18,2)) * CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END AS amount,
                    d AS business_date, {branch} AS branch_code, {staff} AS staff_no FROM ({facts}) WHERE i % 20 = 1""")
    con.execute(f"""INSERT INTO dw.fact_security_transfers BY NAME SELECT d AS biz_date, 'T' || i AS serial_no,
                    {no} AS customer_no, CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END AS direction,
                    CAST(2500 AS DECIMAL(18,2)) AS value, d AS business_date, {branch} AS branch_code, {staff} AS staff_no
                    FROM ({facts}) WHERE i % 100 = 2""")
    fill_staff_mart(con)
    con.close()


def fill_staff_mart(con) -> None:
    """dm.staff_month and dm.periods as a load's build_marts leaves them: the staff × month numbers of the facts
    (computed here by the layer's own compiled query, which the tests prove equal to the marts)."""
    from decimal import Decimal

    from brokercrm.datacenter.semantic import SemanticQuery, semantic_periods, semantic_sql

    measures = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days", "commission",
                "net_commission", "commission_rate", "customer_count", "new_customers", "effective_new_customers")
    periods = semantic_periods(DAYS, "month", DAYS[0], DAYS[-1])
    sql, relations = semantic_sql(SemanticQuery(measures=measures, by=("staff_no", "month"), date_from=DAYS[0],
                                             date_to=DAYS[-1]), periods, effective_assets=Decimal("10000.00"))
    assert not relations  # no scope, no attribute
    con.execute(f"CREATE TEMP TABLE computed AS {sql}")
    con.execute(f"""INSERT INTO dm.staff_month BY NAME SELECT staff_no AS key, month AS period, {', '.join(measures)},
                    CAST(month || '-01' AS DATE) AS period_start, CAST(month || '-15' AS DATE) AS period_end,
                    1 AS trading_days FROM computed""")
    for p in periods:
        con.execute("INSERT INTO dm.periods BY NAME SELECT 'month' AS grain, ? AS period, ? AS period_start, "
                    "? AS period_end, 1 AS trading_days, ? AS last_day", [p.label, p.start, p.end, p.last_day])


STAFF_KEYS = "COALESCE(staff_no, 'UNATTRIBUTED'), strftime({d}, '%Y-%m')"
TIER_KEYS = "branch_code, strftime({d}, '%Y-%m'), customer_no % 4"
BASELINES = {
    "staff × month": STAFF_KEYS,
    "staff × month, staff filter": STAFF_KEYS,
    "staff × month (compiled)": STAFF_KEYS,
    "branch × month × tier": TIER_KEYS,
    "branch × month × tier, all": TIER_KEYS,
}
INDICATORS = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days", "commission",
              "net_commission", "commission_rate")


def baseline(path: Path, keys: str) -> float:
    """The same facts summed by the same keys with plain GROUP BYs (one per fact table), in one DuckDB connection."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    for table, date, measure in (("fact_assets", "biz_date", "total_assets"), ("fact_trades", "trade_date", "amount"),
                                 ("fact_cash_flows", "biz_date", "amount"), ("fact_security_transfers", "biz_date", "value")):
        group = keys.format(d=date).replace("customer_no % 4", "CAST(customer_no AS BIGINT) % 4")
        con.execute(f"SELECT {group}, SUM({measure}), COUNT(*) FROM dw.{table} GROUP BY ALL").fetchall()
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def cached(query, repeat: int) -> None:
    """A dashboard widget's read as the home page makes it after the first view of a snapshot: from the cache, keyed by
    the snapshot's name (reports/dashboards.py). Prints the p95 of 200 reads next to the query it saves."""
    from django.core.cache import cache

    from brokercrm.datacenter.facade import semantic_query, semantic_snapshot

    started = time.perf_counter()
    cache.set(f"bench:{semantic_snapshot()}", semantic_query(query), 3600)
    computed = time.perf_counter() - started
    reads = []
    for _ in range(200):
        started = time.perf_counter()
        assert cache.get(f"bench:{semantic_snapshot()}") is not None
        reads.append(time.perf_counter() - started)
    p95 = sorted(reads)[int(len(reads) * 0.95)]
    print(f"{'widget from the cache (p95)':<28} {p95 * 1000:6.2f} ms   computed once {computed:6.2f} s   "
          f"ratio {p95 / computed:.5f}×")


def load() -> str:
    return "load %.1f" % os.getloadavg()[0]


def snapshot(directory: Path, customers: int) -> Path:
    """The generated snapshot in `directory`, reused when a previous run left one of the same size there."""
    from brokercrm.datacenter.pipelines.publish import current_snapshot
    from brokercrm.datacenter.tests.snapshot import write_snapshot

    marker = directory / "customers.txt"
    if marker.exists() and marker.read_text() == str(customers):
        print(f"reusing the snapshot of {customers:,} customers in {directory}")
        return current_snapshot(directory)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    path = write_snapshot(directory, {})
    generate(path, customers)
    marker.write_text(str(customers))
    print(f"generated {customers:,} customers × {len(DAYS)} months in {time.perf_counter() - started:.1f} s")
    return path


def home_pages(views: int) -> None:
    """p95 of the home page (the role's dashboard) per role with the cache warm, next to computing its widgets once."""
    from django.core.management import call_command
    from django.test import Client

    from brokercrm.org.roles import Role
    from brokercrm.org.tests.factories import BranchFactory, StaffFactory, user_for
    from brokercrm.reports.dashboards import dashboard

    call_command("migrate", verbosity=0)
    branch = BranchFactory(code="0002")  # customers i % 20 == 1, S0001's among them
    users = {
        "head office": user_for(Role.HEAD_OFFICE),
        "branch manager": user_for(Role.BRANCH_MANAGER, branch=branch),
        "broker": user_for(Role.BROKER, staff=StaffFactory(staff_no="S0001", branch=branch)),
        "compliance": user_for(Role.COMPLIANCE),
    }
    for role, user in users.items():
        started = time.perf_counter()
        _, widgets = dashboard(user)  # what dashboards_warm_task does after a publish (brokers: their first view)
        computed = time.perf_counter() - started
        assert all(w.table is not None for w in widgets), [w.error for w in widgets]
        client = Client()
        client.force_login(user)
        times = []
        for _ in range(views):
            started = time.perf_counter()
            assert client.get("/").status_code == 200
            times.append(time.perf_counter() - started)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(f"home page, {role:<15} p95 {p95 * 1000:7.1f} ms of {views}   widgets computed once {computed:6.2f} s "
              f"({len(widgets)} widgets)   ratio {p95 / computed:.3f}×   {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query; the best is reported")
    parser.add_argument("--views", type=int, default=20, help="home page views per role")
    parser.add_argument("--data-dir", type=Path, help="keep the generated snapshot here (reused by the next run)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from brokercrm.datacenter.facade import SemanticQuery, semantic_query

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with tempfile.TemporaryDirectory(prefix="reportsperf-bench-") as tmp:
        directory = args.data_dir.resolve() if args.data_dir else Path(tmp) / "published"
        settings.WAREHOUSE_SNAPSHOT_DIR = directory
        path = snapshot(directory, args.customers)
        tiers = {f"{10000000 + i}": ("钻石", "黄金", "白银", "大众")[i % 4] for i in range(args.customers)}
        queries = {
            "staff × month": SemanticQuery(
                measures=("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days",
                          "commission", "net_commission", "commission_rate", "customer_count", "new_customers",
                          "effective_new_customers"),
                by=("staff_no", "month"), date_from=DAYS[0].replace(day=1), date_to=dt.date(2026, 12, 31)),
            "staff × month, staff filter": SemanticQuery(
                measures=(*INDICATORS, "customer_count", "new_customers", "effective_new_customers"),
                by=("staff_no", "month"), date_from=DAYS[0].replace(day=1), date_to=dt.date(2026, 12, 31),
                where='staff_no != "UNATTRIBUTED" and month >= "2026-01"'),
            "staff × month (compiled)": SemanticQuery(
                measures=(*INDICATORS, "customer_count", "new_customers", "effective_new_customers"),
                by=("staff_no", "month"), date_from=DAYS[0].replace(day=1), date_to=dt.date(2026, 12, 31),
                where='year != ""'),
            "branch × month × tier": SemanticQuery(
                measures=("net_commission", "trade_amount", "commission_rate"), by=("branch_code", "month", "tier"),
                date_from=DAYS[0].replace(day=1), date_to=dt.date(2026, 12, 31), attributes={"tier": tiers}),
            "branch × month × tier, all": SemanticQuery(
                measures=INDICATORS, by=("branch_code", "month", "tier"),
                date_from=DAYS[0].replace(day=1), date_to=dt.date(2026, 12, 31), attributes={"tier": tiers}),
        }
        semantic_query(queries["staff × month"])  # opens the snapshot once, as a running web process has
        for name, query in queries.items():
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                rows = len(semantic_query(query).rows)
                times.append(time.perf_counter() - started)
            bare = min(baseline(path, BASELINES[name]) for _ in range(args.repeat))
            print(f"{name:<28} {min(times):6.2f} s ({rows} rows)   bare GROUP BY {bare:6.2f} s   "
                  f"ratio {min(times) / bare:5.1f}×   {load()}")
        cached(queries["branch × month × tier"], args.repeat)
        home_pages(args.views)


if __name__ == "__main__":
    main()
