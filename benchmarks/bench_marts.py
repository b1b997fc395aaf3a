"""DW + DM build for one synthetic business day, next to a bare DuckDB GROUP BY over the same facts.

Default size is issue 4's: 1,000,000 customers, ~200,000 deliveries, 1,000,000 assets rows,
3,000,000 positions (generated directly in the ODS tables; no CSV). `--quick` = 20,000 customers.
Prints build time and fact rows/s, and the ratio to the baseline measured in the same run.
"""
import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

DAY = dt.date(2026, 3, 2)


def generate(con, customers: int, staff: int) -> dict[str, int]:
    """Fill the ODS for one first-day snapshot; returns rows per table."""
    from brokercrm.datacenter.tests.ods_factory import create_ods_tables

    create_ods_tables(con)
    day = f"DATE '{DAY}'"
    meta = f"{day} AS business_date, 2 AS source_line, 1 AS load_id"
    branches = 20
    con.execute(f"""INSERT INTO ods.branches SELECT lpad(CAST(i + 1 AS VARCHAR), 4, '0'), '营业部' || i, '上海',
                    DATE '2015-01-05', {meta} FROM range({branches}) t(i)""")
    con.execute(f"""INSERT INTO ods.securities SELECT 'SH', CAST(600000 + i AS VARCHAR), '证券' || i, 'stock', NULL,
                    'R3', {meta} FROM range(5000) t(i)""")
    con.execute(f"""INSERT INTO ods.customers SELECT CAST(10000000 + i AS VARCHAR), '客户' || i, 'individual',
                    'id_card', '310101199001011234', 'M', DATE '1990-01-01', NULL, NULL, NULL,
                    lpad(CAST(i % {branches} + 1 AS VARCHAR), 4, '0'), DATE '2020-01-02' + CAST(i % 2000 AS INTEGER),
                    NULL, 'normal', 'C3', NULL, {meta} FROM range({customers}) t(i)""")
    con.execute(f"""INSERT INTO ods.assets SELECT {day}, CAST(10000000 + i AS VARCHAR), CAST((i * 7919) % 500000 AS DECIMAL(18,2)),
                    CAST((i * 104729) % 2000000 AS DECIMAL(18,2)) / 100 * 100,
                    CAST((i * 7919) % 500000 AS DECIMAL(18,2)) + CAST((i * 104729) % 2000000 AS DECIMAL(18,2)) / 100 * 100,
                    {meta} FROM range({customers}) t(i)""")
    con.execute(f"""INSERT INTO ods.positions SELECT {day}, CAST(10000000 + (i // 3) AS VARCHAR), 'SH',
                    CAST(600000 + (i * 31) % 5000 AS VARCHAR), 100 + i % 900, CAST(1000 + i % 9000 AS DECIMAL(18,2)),
                    CAST(10.5 AS DECIMAL(18,3)), CAST(1050 + i % 9000 AS DECIMAL(18,2)), {meta}
                    FROM range({customers * 3}) t(i)""")
    con.execute(f"""INSERT INTO ods.deliveries SELECT {day}, 'D' || i, CAST(10000000 + (i * 5) % {customers} AS VARCHAR),
                    'SH', CAST(600000 + i % 5000 AS VARCHAR), CASE WHEN i % 2 = 0 THEN 'B' ELSE 'S' END, 100,
                    CAST(12.345 AS DECIMAL(18,3)), CAST(1234.50 AS DECIMAL(18,2)), CAST(5.00 AS DECIMAL(18,2)),
                    CAST(0.04 AS DECIMAL(18,2)), CAST(0.02 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
                    CAST(0.01 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(-1239.51 AS DECIMAL(18,2)), 'app', {meta}
                    FROM range({customers // 5}) t(i)""")
    con.execute(f"""INSERT INTO ods.cash_flows SELECT {day}, 'F' || i, CAST(10000000 + (i * 37) % {customers} AS VARCHAR),
                    CASE WHEN i % 3 = 0 THEN 'bank_out' ELSE 'bank_in' END,
                    CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END * CAST(1000 + i % 5000 AS DECIMAL(18,2)), 'ICBC', {meta}
                    FROM range({customers // 50}) t(i)""")
    con.execute(f"""INSERT INTO ods.security_transfers SELECT {day}, 'T' || i,
                    CAST(10000000 + (i * 101) % {customers} AS VARCHAR), 'SZ', '000001',
                    CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, 100, CAST(2500 AS DECIMAL(18,2)), {meta}
                    FROM range({customers // 500}) t(i)""")
    con.execute(f"INSERT INTO ods.loaded_days VALUES ({day}, 1, TIMESTAMP '2026-03-02 18:00:00')")
    return {t: con.execute(f"SELECT count(*) FROM ods.{t}").fetchone()[0]
            for t in ("customers", "deliveries", "cash_flows", "security_transfers", "positions", "assets")}


def crm_rows(customers: int, staff: int):
    from brokercrm.datacenter.pipelines.crm import RelationRow, StaffRow

    staff_rows = [StaffRow(f"S{i:05d}", f"员工{i}", "account_manager", f"{i % 20 + 1:04d}", dt.date(2015, 1, 5))
                  for i in range(staff)]
    # 80% of customers have a development relation; every tenth of those started today.
    relations = [RelationRow(str(10000000 + i), f"S{i % staff:05d}", DAY if i % 10 == 0 else dt.date(2020, 1, 2))
                 for i in range(customers) if i % 5]
    return staff_rows, relations


def baseline(con) -> float:
    """A bare DuckDB aggregation over the same fact rows: assets, positions, trades per customer."""
    start = time.perf_counter()
    for sql in ("SELECT customer_no, sum(total_assets) FROM ods.assets GROUP BY 1",
                "SELECT customer_no, count(*), sum(market_value) FROM ods.positions GROUP BY 1",
                "SELECT customer_no, sum(amount), count(*), sum(commission) FROM ods.deliveries GROUP BY 1",
                "SELECT customer_no, sum(amount) FROM ods.cash_flows GROUP BY 1",
                "SELECT customer_no, sum(value) FROM ods.security_transfers GROUP BY 1"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE bench_baseline AS {sql}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 customers instead of 1,000,000")
    parser.add_argument("--customers", type=int, help="override the number of customers")
    args = parser.parse_args()
    customers = args.customers or (20_000 if args.quick else 1_000_000)
    staff = max(10, customers // 3000)

    import django

    django.setup()
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dm import build_marts
    from brokercrm.datacenter.pipelines.dw import build_dw
    from brokercrm.datacenter.warehouse import connect

    with tempfile.TemporaryDirectory(prefix="bench-marts-") as tmp:
        con = connect(Path(tmp) / "warehouse.duckdb")
        t0 = time.perf_counter()
        rows = generate(con, customers, staff)
        generated = time.perf_counter() - t0
        facts = sum(v for k, v in rows.items() if k != "customers")
        print(f"customers {customers:,}; fact rows {facts:,} "
              + ", ".join(f"{k} {v:,}" for k, v in rows.items()) + f" (generated in {generated:.1f}s)")

        base = baseline(con)
        staff_rows, relations = crm_rows(customers, staff)
        t0 = time.perf_counter()
        ingest_crm(con, staff=staff_rows, development_relations=relations)
        t_crm = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_dw(con)
        t_dw = time.perf_counter() - t0
        t0 = time.perf_counter()
        marts = build_marts(con, effective_assets=Decimal("10000.00"))
        t_dm = time.perf_counter() - t0
        total = t_dw + t_dm
        print(f"baseline  bare GROUP BY over the facts: {base:7.2f}s  {facts / base:12,.0f} rows/s")
        print(f"crm       {len(relations):,} relations copied:   {t_crm:7.2f}s")
        print(f"build_dw                               : {t_dw:7.2f}s  {facts / t_dw:12,.0f} rows/s")
        sizes = ", ".join(f"{k.split('.')[1]} {v:,}" for k, v in marts.items())
        print(f"build_marts                            : {t_dm:7.2f}s  ({sizes})")
        print(f"DW+DM     {total:7.2f}s  {facts / total:12,.0f} rows/s  = {total / base:.1f}× the baseline time")
        con.close()


if __name__ == "__main__":
    main()
