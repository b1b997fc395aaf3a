"""Publishing for the web process: a Parquet lake of month partitions and a snapshot manifest swapped in atomically.

The warehouse file is locked by the job that writes it, so the web never opens it. What the web reads
(`PUBLISHED_TABLES`) is written as plain Parquet under `lake/` beside the snapshots:

- facts and marts by month, Hive style: `lake/<schema>.<table>/month=YYYY-MM/part-<uuid>.parquet`, each file sorted
  by the table's keys (customer first, `PUBLISHED_SORT`) in row groups of `ROW_GROUP_ROWS`, so a point lookup by
  customer reads one row group per file (min/max statistics skip the rest);
- the small tables whole: `lake/<schema>.<table>/part-<uuid>.parquet`, written again only when their content changed
  (a content hash kept in the manifest).

A snapshot is `snapshot-<n>.json`: every table → its files with rows and bytes. A publish writes only the months
`dw.lake_todo` names (the DW and DM steps add them in the transaction of their own writes: a new day, its month; a
CRM change, the months of the re-attributed facts), reuses every other file of the current snapshot, writes the
manifest under a temporary name, then replaces the one-line `CURRENT` pointer (os.replace and fsync; atomic on
POSIX) and only then empties `dw.lake_todo`. A crash anywhere before the swap leaves the old snapshot current and
whole; the next publish writes those months again. Files are never rewritten: a changed month gets a new file name.

Garbage: a file no kept snapshot names is removed. Kept: the current and the previous snapshot, and every snapshot
superseded less than `READER_GRACE_SECONDS` ago, so a reader in another process finishes its query on the files it
opened; a reader that finds its snapshot gone opens the current one (`reader.py`).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import uuid
from pathlib import Path
from typing import Callable

import duckdb

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines.dm import MATERIALISED, mart_table
from brokercrm.datacenter.pipelines.portable import literal

POINTER = "CURRENT"
LAKE = "lake"
SNAPSHOT = re.compile(r"^snapshot-(\d+)\.json$")
ROW_GROUP_ROWS = 16384
COMPRESSION = "zstd"
READER_GRACE_SECONDS = 120
ALL_MONTHS = "*"
# The facts the customer 360 page and the drill-downs read, each written ORDER BY customer, date so a
# point lookup by customer reads one or two row groups (Parquet min/max statistics skip the rest).
PUBLISHED_FACTS = {
    "dw.fact_assets": "customer_no, biz_date",
    "dw.fact_positions": "customer_no, biz_date, market, security_code",
    "dw.fact_trades": "customer_no, trade_date, serial_no",
    "dw.fact_cash_flows": "customer_no, biz_date, serial_no",
    "dw.fact_security_transfers": "customer_no, biz_date, serial_no",
    "dw.staff_attribution": "customer_no, valid_from",
    "dw.branch_attribution": "customer_no, valid_from",  # the semantic layer's customer counts by branch
}
MARTS = tuple(mart_table(level, grain) for level, grain in MATERIALISED)
PUBLISHED_TABLES = (*MARTS, "dm.periods", "dm.build_info",
                    "dw.customers_current", "dw.branches", "dw.securities", "dw.trading_days", "dw.calendar", *PUBLISHED_FACTS)
# Partitioned by month: table → the SQL of a row's month (YYYY-MM). The others are written whole.
MONTH_OF = {
    "dw.fact_assets": "strftime(biz_date, '%Y-%m')",
    "dw.fact_positions": "strftime(biz_date, '%Y-%m')",
    "dw.fact_trades": "strftime(trade_date, '%Y-%m')",
    "dw.fact_cash_flows": "strftime(biz_date, '%Y-%m')",
    "dw.fact_security_transfers": "strftime(biz_date, '%Y-%m')",
    **{table: "substr(period, 1, 7)" for table in MARTS},
}
PUBLISHED_SORT = {**PUBLISHED_FACTS, **{table: "key, period" for table in MARTS}}
FACT_TABLES = tuple(t for t in MONTH_OF if t.startswith("dw."))

# A test seam: called after the partition files are written, before the manifest and the pointer swap.
_after_partitions: Callable[[], None] = lambda: None  # noqa: E731


def publish_marts(con: duckdb.DuckDBPyConnection, target_dir: Path, *, full: bool = False) -> Path:
    """Write the changed partitions and a new manifest of the published tables; make it current. Returns the manifest.

    full: write every table again (as when nothing was published before or the warehouse has no dw.lake_todo)."""
    target_dir = Path(target_dir)
    (target_dir / LAKE).mkdir(parents=True, exist_ok=True)
    previous = _load_manifest(target_dir)
    has_todo = bool(con.execute("SELECT count(*) FROM information_schema.tables "
                                "WHERE table_schema = 'dw' AND table_name = 'lake_todo'").fetchone()[0])
    todo: dict[str, set[str]] = {}
    if has_todo:
        for table, month in con.execute("SELECT DISTINCT tbl, month FROM dw.lake_todo").fetchall():
            todo.setdefault(table, set()).add(month)
    full = full or previous is None or not has_todo
    written: list[Path] = []
    tables = {}
    for table in PUBLISHED_TABLES:
        old = None if full or previous is None else previous["tables"].get(table)
        if table in MONTH_OF:
            tables[table] = _publish_partitioned(con, target_dir, table, old, todo.get(table, set()), written)
        else:
            tables[table] = _publish_whole(con, target_dir, table, old, written)
    for path in written:
        _fsync(path)
    for directory in sorted({p.parent for p in written}):
        _fsync(directory)
    _after_partitions()
    number = max(_snapshot_numbers(target_dir), default=0) + 1
    manifest = {"snapshot": number, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "format": "parquet", "tables": tables}
    path = target_dir / f"snapshot-{number}.json"
    partial = target_dir / f".{path.name}.partial"
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    _fsync(partial)
    os.replace(partial, path)
    pointer = target_dir / f".{POINTER}.partial"
    pointer.write_text(path.name + "\n", encoding="utf-8")
    _fsync(pointer)
    os.replace(pointer, target_dir / POINTER)
    _fsync(target_dir)
    if has_todo and todo:
        con.execute("DELETE FROM dw.lake_todo")
    collect_garbage(target_dir)
    return path


def _publish_partitioned(con, target_dir: Path, table: str, old: dict | None, todo: set[str], written: list[Path]) -> dict:
    month_of = MONTH_OF[table]
    if old is None or ALL_MONTHS in todo:
        where, kept = "", []
    else:
        if not todo:
            return old
        where = f" WHERE {_months_filter(table, sorted(todo))}"
        kept = [f for f in old["files"] if f.get("month") not in todo and f["rows"]]
    # The rows of the months to write, read once (a view such as dw.fact_positions is evaluated once), then one
    # sorted file per month from that copy.
    con.execute("DROP TABLE IF EXISTS temp.publish_rows")
    con.execute(f"CREATE TEMP TABLE publish_rows AS SELECT *, {month_of} AS publish_month FROM {table}{where}")
    try:
        files = list(kept)
        months = [m for (m,) in con.execute("SELECT DISTINCT publish_month FROM temp.publish_rows "
                                            "WHERE publish_month IS NOT NULL ORDER BY 1").fetchall()]
        for month in months:
            files += _write(con, target_dir, table, "temp.publish_rows", f"WHERE publish_month = {literal(month)}", month,
                            written)
        if not files:  # an empty table still needs one file for its columns
            files = _write(con, target_dir, table, "temp.publish_rows", "", None, written)
    finally:
        con.execute("DROP TABLE IF EXISTS temp.publish_rows")
    return {"partitioned_by": "month", "files": sorted(files, key=lambda f: (f.get("month") or "", f["path"]))}


def _months_filter(table: str, months: list[str]) -> str:
    """A predicate selecting the rows of these months: date ranges on a fact's date column (DuckDB pushes them down
    to the scan, through a view's joins, and skips row groups by their min/max), the month expression otherwise."""
    column = MONTH_OF[table].removeprefix("strftime(").split(",")[0] if MONTH_OF[table].startswith("strftime(") else None
    if column is None:
        return f"{MONTH_OF[table]} IN ({', '.join(literal(m) for m in months)})"
    ranges = []
    for month in months:
        start = dt.date(int(month[:4]), int(month[5:7]), 1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        ranges.append(f"({column} >= {literal(start)} AND {column} < {literal(end)})")
    return "(" + " OR ".join(ranges) + ")"


def _publish_whole(con, target_dir: Path, table: str, old: dict | None, written: list[Path]) -> dict:
    rows, digest = con.execute(f"SELECT count(*), CAST(COALESCE(sum(hash(t)), 0) AS VARCHAR) FROM {table} AS t").fetchone()
    digest = f"{rows}:{digest}"
    if old is not None and old.get("hash") == digest:
        return old
    return {"partitioned_by": None, "hash": digest, "files": _write(con, target_dir, table, table, "", None, written)}


def _write(con, target_dir: Path, table: str, source: str, where: str, month: str | None, written: list[Path]) -> list[dict]:
    """One Parquet file of the rows of `source` that `where` selects (the table's columns), sorted by the table's keys."""
    directory = Path(LAKE) / table / (f"month={month}" if month else "")
    (target_dir / directory).mkdir(parents=True, exist_ok=True)
    relative = directory / f"part-{uuid.uuid4().hex}.parquet"
    order = f" ORDER BY {PUBLISHED_SORT[table]}" if table in PUBLISHED_SORT else ""
    columns = "* EXCLUDE (publish_month)" if source != table else "*"
    rows = con.execute(f"COPY (SELECT {columns} FROM {source} {where}{order}) TO {literal(str(target_dir / relative))} "
                       f"(FORMAT parquet, COMPRESSION {COMPRESSION}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})").fetchone()[0]
    written.append(target_dir / relative)
    entry = {"path": relative.as_posix(), "rows": int(rows), "bytes": (target_dir / relative).stat().st_size}
    if month:
        entry["month"] = month
    return [entry]


def collect_garbage(target_dir: Path, *, now: float | None = None) -> list[Path]:
    """Remove the snapshots no reader needs any more and every lake file no kept snapshot names; the removed paths."""
    target_dir = Path(target_dir)
    now = time.time() if now is None else now
    numbers = _snapshot_numbers(target_dir)
    current = _current_number(target_dir)
    keep = set(numbers[-2:]) | ({current} if current is not None else set())
    for older, newer in zip(numbers, numbers[1:]):
        superseded_at = (target_dir / f"snapshot-{newer}.json").stat().st_mtime
        if now - superseded_at < READER_GRACE_SECONDS:
            keep.add(older)
    removed = []
    live: set[str] = set()
    for number in numbers:
        path = target_dir / f"snapshot-{number}.json"
        if number in keep:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            live |= {f["path"] for t in manifest["tables"].values() for f in t["files"]}
        else:
            path.unlink(missing_ok=True)
            removed.append(path)
    lake = target_dir / LAKE
    if lake.exists():
        for file in lake.rglob("*.parquet"):
            if file.relative_to(target_dir).as_posix() not in live:
                file.unlink(missing_ok=True)
                removed.append(file)
        for directory in sorted((d for d in lake.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts)):
            if not any(directory.iterdir()):
                directory.rmdir()
    return removed


def _current_number(target_dir: Path) -> int | None:
    try:
        match = SNAPSHOT.match((target_dir / POINTER).read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        return None
    return int(match.group(1)) if match else None


def _load_manifest(target_dir: Path) -> dict | None:
    try:
        return json.loads(current_snapshot(target_dir).read_text(encoding="utf-8"))
    except (DomainError, FileNotFoundError):
        return None


def current_snapshot(target_dir: Path) -> Path:
    """The snapshot manifest `CURRENT` names; DomainError when nothing is published yet."""
    pointer = Path(target_dir) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise DomainError("no indicators are published yet: load a delivery first (brokercrm etl run)") from None
    if not SNAPSHOT.match(name):
        raise DomainError(f"{pointer}: does not name a snapshot")
    return Path(target_dir) / name


def open_snapshot(manifest_path: Path) -> duckdb.DuckDBPyConnection:
    """An in-process DuckDB connection with one view per published table (dm.*, dw.*) over the manifest's files.

    FileNotFoundError when the manifest or one of its files is gone (removed as garbage)."""
    manifest_path = Path(manifest_path)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    root = manifest_path.parent
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("SET parquet_metadata_cache = true")
        for schema in sorted({t.split(".")[0] for t in manifest["tables"]}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for table, entry in manifest["tables"].items():
            paths = [root / f["path"] for f in entry["files"]]
            for p in paths:
                if not p.exists():
                    raise FileNotFoundError(p)
            files = ", ".join(literal(str(p)) for p in paths)
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{files}], hive_partitioning = false)")
    except BaseException:
        con.close()
        raise
    return con


def open_published(target_dir: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the current snapshot (views dm.* and dw.*); DomainError when nothing is published yet."""
    for _ in range(5):
        path = current_snapshot(target_dir)
        try:
            return open_snapshot(path)
        except FileNotFoundError:
            # published and collected between reading CURRENT and opening: read it again
            if current_snapshot(target_dir) == path:
                raise
    return open_snapshot(current_snapshot(target_dir))


def _snapshot_numbers(target_dir: Path) -> list[int]:
    return sorted(int(m.group(1)) for p in target_dir.iterdir() if (m := SNAPSHOT.match(p.name)))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
