"""DW + DM for one synthetic business day on Apache Spark (local mode) next to DuckDB, the same day, the same SQL.

The day is bench_marts.py's (generated in the ODS; default 20,000 customers, `--quick` 2,000, `--customers N`).
DuckDB builds it in one warehouse file; Spark builds it from a copy of that file through the engine's own path
(ODS handed over as Parquet, tables landed back into the warehouse). Prints both times, Spark's session start
apart, checks the marts agree row for row, and prints Spark / DuckDB: on one machine Spark is the slower.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(Path(__file__).resolve().parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

MARTS = ("dm.customer_month", "dm.staff_month", "dm.branch_month", "dm.staff_day", "dm.branch_day")


def marts_digest(con) -> dict[str, tuple]:
    """Rows and an order-free checksum of every materialised mart."""
    return {t: con.execute(f"SELECT count(*), sum(hash(m)) FROM (SELECT * "
                           f"FROM {t}) AS m").fetchone() for t in MARTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 customers instead of 20,000")
    parser.add_argument("--customers", type=int, help="override the number of customers")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    args = parser.parse_args()
    customers = args.customers or (2_000 if args.quick else 20_000)

    import django

    os.environ.setdefault("BROKERCRM_DATA_DIR", tempfile.mkdtemp(prefix="bench-spark-data-"))
    django.setup()
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", verbosity=0)  # the trading calendar DW reads lives in the app database

    from bench_marts import crm_rows, generate
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dm import build_marts
    from brokercrm.datacenter.pipelines.dw import build_dw
    from brokercrm.datacenter.pipelines.spark import spark_build_dw, spark_build_marts, spark_session
    from brokercrm.datacenter.warehouse import connect

    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        duck_path, spark_path = Path(tmp) / "duckdb" / "warehouse.duckdb", Path(tmp) / "spark" / "warehouse.duckdb"
        con = connect(duck_path)
        rows = generate(con, customers, max(10, customers // 3000))
        staff_rows, relations = crm_rows(customers, max(10, customers // 3000))
        ingest_crm(con, staff=staff_rows, development_relations=relations)
        con.close()
        spark_path.parent.mkdir()
        shutil.copy(duck_path, spark_path)
        facts = sum(v for k, v in rows.items() if k != "customers")
        print(f"customers {customers:,}; fact rows {facts:,}; Spark master {args.master}")

        con = connect(duck_path)
        t0 = time.perf_counter()
        build_dw(con)
        build_marts(con, effective_assets=Decimal("10000.00"))
        t_duck = time.perf_counter() - t0
        on_duckdb = marts_digest(con)
        con.close()

        with override_settings(WAREHOUSE_PATH=spark_path, BROKERCRM_SPARK_MASTER=args.master,
                               BROKERCRM_SPARK_SHUFFLE_PARTITIONS=4):
            t0 = time.perf_counter()
            spark_session()
            t_start = time.perf_counter() - t0
            con = connect(spark_path)
            t0 = time.perf_counter()
            spark_build_dw(con)
            t_dw = time.perf_counter() - t0
            t0 = time.perf_counter()
            spark_build_marts(con, effective_assets=Decimal("10000.00"))
            t_dm = time.perf_counter() - t0
            on_spark = marts_digest(con)
            con.close()
        t_spark = t_dw + t_dm
        print(f"DuckDB    DW+DM                        : {t_duck:7.2f}s  {facts / t_duck:12,.0f} rows/s")
        print(f"Spark     session start (JVM)          : {t_start:7.2f}s")
        print(f"Spark     DW {t_dw:.2f}s + DM {t_dm:.2f}s           : {t_spark:7.2f}s  {facts / t_spark:12,.0f} rows/s")
        print(f"marts identical on both engines: {on_spark == on_duckdb}")
        print(f"Spark local / DuckDB = {t_spark / t_duck:.1f}× ({(t_spark + t_start) / t_duck:.1f}× with the JVM start)")
        if on_spark != on_duckdb:
            sys.exit(1)


if __name__ == "__main__":
    main()
