"""The demo's load steps on a fresh data directory, next to DuckDB's bare read_csv of the same delivery.

Runs what `brokercrm demo` runs after simulating: one `etl run` of every day with staff.csv and
relations.csv beside them (ingest, the CRM files, DW, marts, publish, then the downstream steps other
apps register: segments, alerts, visits), so the chain runs once. Prints each step's
seconds, the total, ingest rows/s, and the ratio to the baseline measured in the same run: DuckDB
reading every CSV of the delivery into tables (types auto-detected), nothing else.

    .venv/bin/python benchmarks/bench_demo.py                 # simulates the demo brokerage first
    .venv/bin/python benchmarks/bench_demo.py --source DIR    # reuses a simulated delivery
    .venv/bin/python benchmarks/bench_demo.py --days 10       # issue 18's whole-load figure: 20,000 customers x 10 days

Prints the load average beside the figures: on a shared machine the ratios hold better than the seconds.
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


def baseline(source: Path) -> tuple[float, int]:
    """DuckDB alone: read_csv of every CSV of every day folder into tables."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    rows = 0
    started = time.perf_counter()
    for i, path in enumerate(sorted(source.glob("*/*.csv"))):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?)", [str(path)])
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
        con.execute(f"DROP TABLE t{i}")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=None, help="an existing simulated demo delivery")
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--days", type=int, default=None, help="trading days to simulate (default: the demo's year)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and print it")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    os.environ["BROKERCRM_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    from brokercrm.site.management.commands.demo import FIRST_DAY, LAST_DAY

    steps: list[tuple[str, float]] = []

    def step(name: str, *command, **options) -> None:
        started = time.perf_counter()
        call_command(*command, **options)
        steps.append((name, time.perf_counter() - started))

    call_command("migrate", verbosity=0)
    source = args.source
    if source is None:
        import exchange_calendars as xcals

        source = data_dir / "demo-delivery"
        days = args.days or len(xcals.get_calendar("XSHG").sessions_in_range(FIRST_DAY.isoformat(), LAST_DAY.isoformat()))
        step("simulate", "simulate", out=str(source), start=FIRST_DAY.isoformat(), days=days,
             customers=args.customers, staff=300, branches=20, seed=1)
    step("etl run", "etl", "run", source=str(source))

    from brokercrm.datacenter.models import JobRun

    base_s, base_rows = baseline(source)
    ingest_s = sum((r.finished_at - r.started_at).total_seconds() for r in JobRun.objects.filter(job="ingest"))
    ingest_rows = sum(sum((r.rows_read or {}).values()) for r in JobRun.objects.filter(job="ingest"))
    load_s = sum(s for name, s in steps if name != "simulate")
    print(f"\ndemo load on {dt.date.today()} ({os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}), "
          f"data dir {data_dir}")
    for name, seconds in steps:
        print(f"  {name:<18} {seconds:8.1f} s")
    print(f"  {'load total':<18} {load_s:8.1f} s   (simulate excluded)")
    by_job: dict[str, float] = {}
    for run in JobRun.objects.exclude(finished_at=None):
        by_job[run.job] = by_job.get(run.job, 0.0) + (run.finished_at - run.started_at).total_seconds()
    print("  recorded job steps: " + ", ".join(f"{job} {s:.1f} s" for job, s in sorted(by_job.items(), key=lambda i: -i[1])))
    print(f"  ingest: {ingest_rows:,} rows in {ingest_s:.1f} s = {ingest_rows / max(ingest_s, 1e-9):,.0f} rows/s")
    print(f"  baseline: bare DuckDB read_csv of all {base_rows:,} rows in {base_s:.1f} s = "
          f"{base_rows / base_s:,.0f} rows/s")
    print(f"  ratio load total / baseline: {load_s / base_s:.1f}x; ingest / baseline: {ingest_s / base_s:.1f}x")
    if not args.keep:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
