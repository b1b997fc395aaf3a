"""ODS ingest (validate + load) of simulated days, next to DuckDB's bare read_csv of the same files.

Default size is issue 4's: 1,000,000 customers (~200,000 deliveries, 1,000,000 assets, ~2-3M
positions a day), two trading days: the first is the opening snapshot, the second is validated
against the first through the warehouse (references, cash and position continuity).
`--quick` = 20,000 customers. `--source DIR` reuses a delivery instead of simulating one.
Prints seconds, rows/s, and the ratio to the baseline measured in the same run.
"""
import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def simulate(out: Path, customers: int) -> None:
    from brokercrm.simulator.facade import simulate as run

    run(out=out, start=dt.date(2026, 3, 2), days=2, customers=customers, staff=max(customers // 500, 60),  # each of the 20 branches needs 3
        branches=20, seed=1)


def baseline(day_dir: Path) -> tuple[float, int]:
    """DuckDB alone: read_csv of every CSV of the day into tables (types auto-detected)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    rows = 0
    started = time.perf_counter()
    for path in sorted(day_dir.glob("*.csv")):
        con.execute(f"CREATE TABLE t_{path.stem} AS SELECT * FROM read_csv(?)", [str(path)])
        rows += con.execute(f"SELECT count(*) FROM t_{path.stem}").fetchone()[0]
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 customers instead of 1,000,000")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--source", type=Path, default=None, help="an existing delivery with at least two days")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the trading calendar the rules read lives in the app database
    from brokercrm.datacenter import warehouse
    from brokercrm.datacenter.pipelines.ods import ingest_day

    customers = args.customers or (20_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        source = args.source
        if source is None:
            source = Path(tmp) / "delivery"
            started = time.perf_counter()
            simulate(source, customers)
            print(f"simulated 2 days of {customers:,} customers in {time.perf_counter() - started:.1f} s")
        days = sorted(p for p in source.iterdir() if p.is_dir() and p.name[:2] in ("19", "20"))[:2]
        con = warehouse.connect(Path(tmp) / "warehouse.duckdb")
        con.execute("SET enable_progress_bar = false")
        for day_dir in days:
            base_s, base_rows = baseline(day_dir)
            started = time.perf_counter()
            result = ingest_day(con, day_dir, root=source)
            elapsed = time.perf_counter() - started
            rows = sum(result.rows_read.values())
            status = "loaded" if result.loaded else f"REFUSED ({len(result.problems)} problems)"
            print(f"{day_dir.name}: {rows:,} rows {status}; ingest {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s; "
                  f"bare read_csv {base_s:.1f} s = {base_rows / base_s:,.0f} rows/s; ratio ingest/read_csv "
                  f"{elapsed / base_s:.1f}x")
        con.close()


if __name__ == "__main__":
    main()
