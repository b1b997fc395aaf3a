"""Bytes per row of every warehouse table of a real load, the figures docs/scale.md multiplies.

Opens a warehouse (read-only; e.g. the one `bench_demo.py --keep` leaves) and writes each table of the
ods, dw and dm schemas as Parquet (zstd, DuckDB's default row groups) into a temporary directory: rows,
bytes and bytes/row per table, next to the DuckDB file's own size. Parquet is the open format the data
center's lake and Spark read, so its bytes are the ones to plan disks and networks with.

    .venv/bin/python benchmarks/bench_sizes.py DATA_DIR/warehouse/warehouse.duckdb
"""
import argparse
import tempfile
from pathlib import Path

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    args = parser.parse_args()
    con = duckdb.connect(str(args.warehouse), read_only=True)
    con.execute("SET enable_progress_bar = false")
    tables = con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                            WHERE schema_name IN ('ods', 'dw', 'dm') ORDER BY 1, 2""").fetchall()
    days = con.execute("SELECT count(*) FROM ods.loaded_days").fetchone()[0]
    customers = con.execute("SELECT count(DISTINCT customer_no) FROM ods.customers").fetchone()[0]
    print(f"{args.warehouse}: {args.warehouse.stat().st_size / 1e6:,.1f} MB as a DuckDB file; "
          f"{days} loaded days, {customers:,} customers")
    print(f"{'table':<34} {'rows':>12} {'parquet MB':>11} {'bytes/row':>10} {'rows/customer/day':>18}")
    total = 0
    with tempfile.TemporaryDirectory(prefix="bench-sizes-") as tmp:
        for schema, table in tables:
            rows = con.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0]
            if not rows:
                continue
            out = Path(tmp) / f"{schema}.{table}.parquet"
            con.execute(f"COPY (SELECT * FROM {schema}.\"{table}\") TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
            size = out.stat().st_size
            total += size
            print(f"{schema + '.' + table:<34} {rows:>12,} {size / 1e6:>11.2f} {size / rows:>10.1f} "
                  f"{rows / max(customers, 1) / max(days, 1):>18.4f}")
    print(f"{'all tables':<34} {'':>12} {total / 1e6:>11.1f}")
    con.close()


if __name__ == "__main__":
    main()
