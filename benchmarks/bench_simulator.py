"""Simulator speed: 1,000,000 customers × 1 trading day and 20,000 customers × 250 trading days.

Each size runs in its own process (time, peak memory from resource.getrusage, rows written per
second). Baselines measured in the same run on the same files: DuckDB's bare read_csv of every
produced CSV, and pyarrow's CSV writer writing the same tables again. Targets (2 cores): the 1M day
under 60 s and 4 GB, the 250-day book under 120 s.

    .venv/bin/python benchmarks/bench_simulator.py [--quick]
"""
import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

SIZES = [  # name, customers, days, staff, branches, time target (s), memory target (GB)
    ("1M customers x 1 day", 1_000_000, 1, 2_000, 100, 60, 4),
    ("20k customers x 250 days", 20_000, 250, 300, 20, 120, None),
]
QUICK = [
    ("50k customers x 1 day", 50_000, 1, 200, 10, None, None),
    ("2k customers x 20 days", 2_000, 20, 60, 5, None, None),
]


def child(out: Path, customers: int, days: int, staff: int, branches: int) -> None:
    """Run one simulation and print its figures as JSON (peak memory of this process only)."""
    from brokercrm.simulator.facade import simulate

    began = time.perf_counter()
    summary = simulate(out=out, start=date(2025, 11, 3), days=days, customers=customers, staff=staff,
                       branches=branches, seed=1)
    seconds = time.perf_counter() - began
    rows = sum(f["rows"] for folder in summary.day_folders
               for f in json.loads((folder / "manifest.json").read_text())["files"].values())
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_gb": peak_gb}))


def duckdb_read_seconds(out: Path) -> float:
    import duckdb

    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    began = time.perf_counter()
    for name in ("customers", "deliveries", "cash_flows", "security_transfers", "positions", "assets", "securities"):
        db.execute(f"SELECT count(*) FROM read_csv('{out}/*/{name}.csv', all_varchar=true)").fetchall()
    return time.perf_counter() - began


def pyarrow_write_seconds(out: Path) -> float:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    tables = [pacsv.read_csv(f) for f in sorted(out.glob("*/*.csv"))]
    began = time.perf_counter()
    for table in tables:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--child", nargs=5, metavar=("OUT", "CUSTOMERS", "DAYS", "STAFF", "BRANCHES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        out, *numbers = args.child
        child(Path(out), *map(int, numbers))
        return

    print(f"{'size':<26}{'seconds':>9}{'peak GB':>9}{'rows':>12}{'rows/s':>11}"
          f"{'duckdb read s':>15}{'ratio':>7}{'pyarrow write s':>17}{'ratio':>7}  target")
    failed = False
    sizes = QUICK if args.quick else SIZES
    work = Path(tempfile.mkdtemp(prefix="bench-simulator-"))
    try:
        # All simulations first, from a parent that has loaded nothing big: a child's ru_maxrss starts
        # from the parent's resident size at fork, so baselines run only afterwards.
        figures = []
        for index, (_, customers, days, staff, branches, _, _) in enumerate(sizes):
            result = subprocess.run([sys.executable, __file__, "--child", str(work / str(index)), str(customers),
                                     str(days), str(staff), str(branches)], capture_output=True, text=True, check=True)
            figures.append(json.loads(result.stdout.strip().splitlines()[-1]))
        for index, (name, _, _, _, _, time_target, memory_target) in enumerate(sizes):
            read = duckdb_read_seconds(work / str(index))
            write = pyarrow_write_seconds(work / str(index))
            seconds, peak, rows = figures[index]["seconds"], figures[index]["peak_gb"], figures[index]["rows"]
            verdict = []
            if time_target:
                verdict.append(f"<{time_target}s {'ok' if seconds < time_target else 'MISSED'}")
                failed |= seconds >= time_target
            if memory_target:
                verdict.append(f"<{memory_target}GB {'ok' if peak < memory_target else 'MISSED'}")
                failed |= peak >= memory_target
            print(f"{name:<26}{seconds:>9.1f}{peak:>9.2f}{rows:>12,}{rows / seconds:>11,.0f}"
                  f"{read:>15.1f}{seconds / read:>7.1f}{write:>17.1f}{seconds / write:>7.1f}  {', '.join(verdict) or '-'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
