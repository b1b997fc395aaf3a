"""Incremental publish into the Parquet lake, next to a full copy of the same snapshot measured in the same run.

Builds (or reuses, under /tmp/lake-bench-<customers>x<days>) a warehouse of `--days` synthetic trading days for
`--customers` customers (generated straight into the ODS tables, as bench_marts does), builds DW and marts and
publishes it once (every partition: the full Parquet publish, the baseline); then loads `--more` days one at a time
and times, for each: build_dw, build_marts (only its month) and the incremental publish (seconds, bytes written: the
day's own fact files and its month's marts), beside
  - the full Parquet publish of the snapshot (the first publish, every partition written),
  - the previous design: the whole snapshot copied into one DuckDB file (`CREATE TABLE … AS SELECT` per table;
    skipped with `--no-old-copy`, as at a million customers, where it copies the whole warehouse),
  - the compaction a closed month gets once (its files rewritten as one sorted file), timed on the largest month,
and prints the median / p95 of the customer 360 point lookups (`reader.customer_trading`) on the lake (with the
day files of the last month) next to the same six queries on the single-file DuckDB snapshot.

Defaults: 20,000 customers × 60 days (a couple of minutes on a shared 2-core machine). Issue 18's nightly figure:
`--customers 1000000 --days 250 --no-old-copy` (the warehouse build takes most of an hour; it is cached).
"""
import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("BROKERCRM_DATA_DIR", "/tmp/lake-bench-data")

FIRST = dt.date(2025, 1, 2)


def generate_day(con, day: dt.date, customers: int, load_id: int = 1) -> None:
    """One synthetic business day in the ODS: assets and a position per customer, trades, cash flows, transfers."""
    d = f"DATE '{day}'"
    meta = f"{d} AS business_date, 2 AS source_line, {load_id} AS load_id"
    salt = day.toordinal() % 997
    con.execute(f"""INSERT INTO ods.assets SELECT {d}, CAST(10000000 + i AS VARCHAR),
                    CAST((i * 7919 + {salt}) % 500000 AS DECIMAL(18,2)), CAST((i * 104729) % 2000000 AS DECIMAL(18,2)),
                    CAST((i * 7919 + {salt}) % 500000 AS DECIMAL(18,2)) + CAST((i * 104729) % 2000000 AS DECIMAL(18,2)),
                    {meta} FROM range({customers}) t(i)""")
    con.execute(f"""INSERT INTO ods.positions SELECT {d}, CAST(10000000 + i AS VARCHAR), 'SH',
                    CAST(600000 + (i * 31) % 5000 AS VARCHAR), 100 + i % 900, CAST(1000 + i % 9000 AS DECIMAL(18,2)),
                    CAST(10.5 AS DECIMAL(18,3)), CAST(1050 + i % 9000 AS DECIMAL(18,2)), {meta} FROM range({customers}) t(i)""")
    con.execute(f"""INSERT INTO ods.deliveries SELECT {d}, 'D{salt}-' || i, CAST(10000000 + (i * 5 + {salt}) % {customers} AS VARCHAR),
                    'SH', CAST(600000 + i % 5000 AS VARCHAR), CASE WHEN i % 2 = 0 THEN 'B' ELSE 'S' END, 100,
                    CAST(12.345 AS DECIMAL(18,3)), CAST(1234.50 AS DECIMAL(18,2)), CAST(5.00 AS DECIMAL(18,2)),
                    CAST(0.04 AS DECIMAL(18,2)), CAST(0.02 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
                    CAST(0.01 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(-1239.51 AS DECIMAL(18,2)), 'app', {meta}
                    FROM range({customers // 5}) t(i)""")
    con.execute(f"""INSERT INTO ods.cash_flows SELECT {d}, 'F{salt}-' || i, CAST(10000000 + (i * 37 + {salt}) % {customers} AS VARCHAR),
                    CASE WHEN i % 3 = 0 THEN 'bank_out' ELSE 'bank_in' END,
                    CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END * CAST(1000 + i % 5000 AS DECIMAL(18,2)), 'ICBC', {meta}
                    FROM range({customers // 50}) t(i)""")
    con.execute(f"""INSERT INTO ods.security_transfers SELECT {d}, 'T{salt}-' || i,
                    CAST(10000000 + (i * 101 + {salt}) % {customers} AS VARCHAR), 'SZ', '000001',
                    CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, 100, CAST(2500 AS DECIMAL(18,2)), {meta}
                    FROM range({customers // 500}) t(i)""")
    con.execute(f"INSERT INTO ods.loaded_days (business_date, load_id, loaded_at) VALUES ({d}, {load_id}, TIMESTAMP '{day} 18:00:00')")


def generate_dimensions(con, customers: int) -> None:
    d = f"DATE '{FIRST}'"
    meta = f"{d} AS business_date, 2 AS source_line, 1 AS load_id"
    con.execute(f"""INSERT INTO ods.branches SELECT lpad(CAST(i + 1 AS VARCHAR), 4, '0'), '营业部' || i, '上海',
                    DATE '2015-01-05', {meta} FROM range(20) t(i)""")
    con.execute(f"""INSERT INTO ods.securities SELECT 'SH', CAST(600000 + i AS VARCHAR), '证券' || i, 'stock', NULL,
                    'R3', {meta} FROM range(5000) t(i)""")
    con.execute(f"""INSERT INTO ods.customers SELECT CAST(10000000 + i AS VARCHAR), '客户' || i, 'individual',
                    'id_card', '310101199001011234', 'M', DATE '1990-01-01', NULL, NULL, NULL,
                    lpad(CAST(i % 20 + 1 AS VARCHAR), 4, '0'), DATE '2020-01-02' + CAST(i % 1500 AS INTEGER),
                    NULL, 'normal', 'C3', NULL, {meta} FROM range({customers}) t(i)""")


def crm_rows(customers: int):
    from brokercrm.datacenter.pipelines.crm import RelationRow, StaffRow

    staff = max(10, customers // 3000)
    staff_rows = [StaffRow(f"S{i:05d}", f"员工{i}", "account_manager", f"{i % 20 + 1:04d}", dt.date(2015, 1, 5))
                  for i in range(staff)]
    relations = [RelationRow(str(10000000 + i), f"S{i % staff:05d}", dt.date(2020, 1, 2)) for i in range(customers) if i % 5]
    return staff_rows, relations


def old_copy(con, path: Path) -> tuple[float, int]:
    """The previous publish: every published table copied into one new DuckDB file, facts ordered by customer."""
    from brokercrm.datacenter.pipelines.publish import PUBLISHED_SORT, PUBLISHED_TABLES

    path.unlink(missing_ok=True)
    started = time.perf_counter()
    con.execute(f"ATTACH '{path}' AS old_snapshot")
    for schema in ("dm", "dw"):
        con.execute(f"CREATE SCHEMA old_snapshot.{schema}")
    for table in PUBLISHED_TABLES:
        order = f" ORDER BY {PUBLISHED_SORT[table]}" if table in PUBLISHED_SORT and table.startswith("dw.fact") else ""
        con.execute(f"CREATE TABLE old_snapshot.{table} AS SELECT * FROM {table}{order}")
    con.execute("DETACH old_snapshot")
    return time.perf_counter() - started, path.stat().st_size


# The queries of reader.customer_trading (the positions of the last day apart, which needs the previous answer).
LOOKUPS = (
    "SELECT * FROM dm.customer_month WHERE key = ? ORDER BY period",
    "SELECT biz_date, cash_balance, market_value, total_assets FROM dw.fact_assets WHERE customer_no = ? ORDER BY biz_date",
    "SELECT max(biz_date) FROM dw.fact_positions WHERE customer_no = ?",
    "SELECT trade_date, serial_no, amount FROM dw.fact_trades WHERE customer_no = ? ORDER BY trade_date DESC, serial_no DESC LIMIT 50",
    "SELECT biz_date, serial_no, amount FROM dw.fact_cash_flows WHERE customer_no = ? ORDER BY biz_date DESC LIMIT 50",
    "SELECT biz_date, serial_no, value FROM dw.fact_security_transfers WHERE customer_no = ? ORDER BY biz_date DESC LIMIT 50",
)


def timed(fn, keys: list[str]) -> list[float]:
    out = []
    for key in keys:
        started = time.perf_counter()
        fn(key)
        out.append((time.perf_counter() - started) * 1000)
    return out


def describe(label: str, ms: list[float]) -> str:
    ms = sorted(ms)
    return f"{label:<44} median {statistics.median(ms):7.1f} ms   p95 {ms[int(len(ms) * 0.95) - 1]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--more", type=int, default=3, help="days loaded and published one at a time after the first publish")
    parser.add_argument("--no-old-copy", action="store_true", help="skip the previous design's single-file copy")
    parser.add_argument("--fresh", action="store_true", help="build the warehouse again even when one is cached")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the trading calendar lives in the app database

    from brokercrm.datacenter import calendar, reader
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dm import build_marts
    from brokercrm.datacenter.pipelines.dw import build_dw
    from brokercrm.datacenter.pipelines.ods import ensure_ods_schema
    from brokercrm.datacenter.pipelines.publish import (FACT_TABLES, PUBLISHED_SORT, compact_lake, current_snapshot,
                                                         open_snapshot, publish_marts)
    from brokercrm.datacenter.tests.ods_factory import create_ods_tables
    from brokercrm.datacenter.warehouse import connect

    import duckdb
    import json

    sessions = list(calendar.current().trading_days(FIRST, FIRST + dt.timedelta(days=args.days * 2 + 30)))
    days, extras = sessions[: args.days], sessions[args.days: args.days + args.more]
    root = Path(f"/tmp/lake-bench-{args.customers}x{args.days}")
    cache = root / "warehouse-base.duckdb"
    if args.fresh or not cache.exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        started = time.perf_counter()
        con = connect(root / "building.duckdb")
        ensure_ods_schema(con)
        create_ods_tables(con)
        generate_dimensions(con, args.customers)
        for day in days:
            generate_day(con, day, args.customers)
        staff_rows, relations = crm_rows(args.customers)
        ingest_crm(con, staff=staff_rows, development_relations=relations)
        build_dw(con)
        build_marts(con)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(root / "building.duckdb", cache)
        print(f"warehouse built: {args.customers:,} customers × {args.days} days in {time.perf_counter() - started:.0f} s")
    work = root / "warehouse.duckdb"
    shutil.copyfile(cache, work)
    lake = root / "published"
    shutil.rmtree(lake, ignore_errors=True)
    con = connect(work)
    facts = con.execute("SELECT (SELECT count(*) FROM dw.fact_assets) + (SELECT count(*) FROM ods.positions) + "
                        "(SELECT count(*) FROM dw.fact_trades) + (SELECT count(*) FROM dw.fact_cash_flows)").fetchone()[0]
    print(f"warehouse: {args.customers:,} customers, {len(days)} days {days[0]} … {days[-1]}, {facts:,} fact rows")

    started = time.perf_counter()
    first = publish_marts(con, lake)
    t_first = time.perf_counter() - started
    manifest = json.loads(first.read_text())
    lake_bytes = sum(f["bytes"] for t in manifest["tables"].values() for f in t["files"])

    nights = []
    for extra in extras:
        generate_day(con, extra, args.customers)
        started = time.perf_counter()
        build_dw(con)
        t_dw = time.perf_counter() - started
        started = time.perf_counter()
        build_marts(con)
        t_dm = time.perf_counter() - started
        before = {f["path"] for t in manifest["tables"].values() for f in t["files"]}
        started = time.perf_counter()
        path = publish_marts(con, lake)
        t_inc = time.perf_counter() - started
        started = time.perf_counter()
        compacted = compact_lake(lake)
        t_compact = time.perf_counter() - started
        manifest = json.loads((compacted or path).read_text())
        new = [f for t in manifest["tables"].values() for f in t["files"] if f["path"] not in before]
        nights.append((extra, t_dw, t_dm, t_inc, sum(f["bytes"] for f in new), len(new), t_compact if compacted else None))

    months = {}
    for f in manifest["tables"]["dw.fact_positions"]["files"]:
        months.setdefault(f["month"], []).append(f)
    largest = max(months, key=lambda m: sum(f["rows"] for f in months[m]))
    scratch = duckdb.connect(":memory:")
    started = time.perf_counter()
    month_rows = 0
    for table in FACT_TABLES:
        files = [f for f in manifest["tables"][table]["files"] if f.get("month") == largest]
        if files:
            source = "read_parquet([" + ", ".join(f"'{lake / f['path']}'" for f in files) + "])"
            month_rows += scratch.execute(
                f"COPY (SELECT * FROM {source} ORDER BY {PUBLISHED_SORT[table]}) TO '{root / 'compaction.parquet'}' "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)").fetchone()[0]
    t_month = time.perf_counter() - started
    scratch.close()
    (root / "compaction.parquet").unlink(missing_ok=True)
    if not args.no_old_copy:
        t_old, old_bytes = old_copy(con, root / "old-snapshot.duckdb")
    con.close()

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{args.customers:,} customers × {args.days} days, then {len(extras)} more, on {os.cpu_count()} cores, load average {load}")
    print(f"full Parquet publish (first, every partition): {t_first:7.2f} s  {lake_bytes / 1e6:9.1f} MB")
    for extra, t_dw, t_dm, t_inc, inc_bytes, files, t_compact in nights:
        print(f"one more day {extra}: build_dw {t_dw:.2f} s, build_marts (its month) {t_dm:.2f} s; incremental publish "
              f"{t_inc:.2f} s, {inc_bytes / 1e6:.1f} MB in {files} files = {t_inc / t_first:.3f}× the full publish's "
              f"time, {inc_bytes / lake_bytes:.4f}× its bytes" + (f"; compaction {t_compact:.2f} s" if t_compact else ""))
    print(f"compaction of a closed month ({largest}, {month_rows:,} fact rows rewritten as one file per table): {t_month:.2f} s, "
          f"once per month, after that night's publish")
    if not args.no_old_copy:
        print(f"old single-file DuckDB copy of the snapshot    : {t_old:7.2f} s  {old_bytes / 1e6:9.1f} MB  "
              f"→ the last incremental publish = {nights[-1][3] / t_old:.3f}× its time, {nights[-1][4] / old_bytes:.4f}× its bytes")

    keys = [str(10000000 + random.Random(i).randrange(args.customers)) for i in range(args.lookups)]
    views = open_snapshot(current_snapshot(lake))

    def lookup(con):
        def run(key):
            cur = con.cursor()
            for sql in LOOKUPS:
                cur.execute(sql, [key]).fetchall()
            cur.close()
        return run

    settings.WAREHOUSE_SNAPSHOT_DIR = str(lake)
    reader.customer_trading(keys[0])  # opens the snapshot (views created once per process)
    lookup(views)(keys[0])
    new_ms = timed(lookup(views), keys)
    reader_ms = timed(reader.customer_trading, keys)
    print(describe("360 queries, lake views", new_ms))
    print(describe("reader.customer_trading on the lake", reader_ms))
    if not args.no_old_copy:
        old = duckdb.connect(str(root / "old-snapshot.duckdb"), read_only=True)
        lookup(old)(keys[0])
        old_ms = timed(lookup(old), keys)
        print(describe("360 queries, old single-file DuckDB", old_ms))
        print(f"lake / old median: {statistics.median(new_ms) / statistics.median(old_ms):.2f}×")
    print(f"snapshot: {current_snapshot(lake)}")


if __name__ == "__main__":
    main()
