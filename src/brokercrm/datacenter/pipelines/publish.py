"""Publishing for the web process: a Parquet lake of month partitions and a snapshot manifest swapped in atomically.

The warehouse file is locked by the job that writes it, so the web never opens it. What the web reads
(`PUBLISHED_TABLES`) is written as plain Parquet under `lake/` beside the snapshots:

- facts and marts by month, Hive style: `lake/<schema>.<table>/month=YYYY-MM/part-<uuid>.parquet`, each file sorted
  by the table's keys (customer first, `PUBLISHED_SORT`) in row groups of `ROW_GROUP_ROWS`, so a point lookup by
  customer reads one row group per file (min/max statistics skip the rest);
- the small tables whole: `lake/<schema>.<table>/part-<uuid>.parquet`, written again only when their content changed
  (a content hash kept in the manifest).

A snapshot is `snapshot-<n>.json`: every table → its files with rows, bytes, a content digest (the sum of the rows'
hashes) and, for facts, the last business date they hold. A publish writes only what `dw.lake_todo` names (the DW
and DM steps add it in the transaction of their own writes): a new business date of the facts becomes a file of
its own in its month, the night's work growing with the day and not with the month; a changed month (a CRM change
re-attributes its facts, the marts of the month) is written again as one file; after a full rebuild (`*`) every
month's digest is compared with the lake's and only the months that differ are written, which is also how the
tables a Spark build lands are published. Every other file of the current snapshot is reused. The manifest is
written under a temporary name, then the one-line `CURRENT` pointer is replaced (os.replace and fsync; atomic on
POSIX) and only then `dw.lake_todo` emptied. A crash anywhere before the swap leaves the old snapshot current and
whole; the next publish writes those months again. Files are never rewritten: a changed month gets a new file name.

Compaction (`compact_lake`, run after a publish): a closed month (before the last month of its table) held in
several day files is written again as one sorted file, in a snapshot of its own with the same content, so the
point lookups of later readers read one file a month. It reads the lake, not the warehouse.

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
    path = _make_current(target_dir, tables, written)
    if has_todo and todo:
        con.execute("DELETE FROM dw.lake_todo")
    collect_garbage(target_dir)
    return path


def _make_current(target_dir: Path, tables: dict, written: list[Path]) -> Path:
    """The written files made durable, then a new manifest of `tables` swapped in as the current snapshot."""
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
    return path


def _publish_partitioned(con, target_dir: Path, table: str, old: dict | None, todo: set[str], written: list[Path]) -> dict:
    date_column = _date_column(table)
    if old is None:
        where, kept = "", []
    else:
        by_month = _files_by_month(old["files"])
        if ALL_MONTHS in todo:
            rewrite, append = _months_that_differ(con, table, by_month), {}
        else:
            rewrite, append = _rewrites_and_appends(todo, by_month)
        if not rewrite and not append:
            return old
        predicates = [_months_filter(table, sorted(rewrite))] if rewrite else []
        if append:
            days = sorted(d for ds in append.values() for d in ds)
            predicates.append(f"{date_column} IN ({', '.join(literal(dt.date.fromisoformat(d)) for d in days)})")
        where = " WHERE " + " OR ".join(predicates)
        kept = [f for f in old["files"] if f.get("month") not in rewrite and f["rows"]]
    # The rows to write, read once (a view such as dw.fact_positions is evaluated once) with each row's month and
    # hash (the digest the manifest keeps), then one sorted file per month from that copy.
    con.execute("DROP TABLE IF EXISTS temp.publish_rows")
    con.execute(f"CREATE TEMP TABLE publish_rows AS SELECT *, {MONTH_OF[table]} AS publish_month, hash(t) AS publish_hash "
                f"FROM {table} AS t{where}")
    try:
        files = list(kept)
        last_day = f"CAST(max({date_column}) AS VARCHAR)" if date_column else "NULL"
        months = con.execute(f"SELECT publish_month, CAST(sum(publish_hash) AS VARCHAR), {last_day} FROM temp.publish_rows "
                             "WHERE publish_month IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
        for month, digest, last in months:
            entry = _write(con, target_dir, table, "temp.publish_rows", f"WHERE publish_month = {literal(month)}", month,
                           written, columns="* EXCLUDE (publish_month, publish_hash)")
            files.append(_described(entry, digest, last))
        if not files:  # an empty table still needs one file for its columns
            files.append(_described(_write(con, target_dir, table, "temp.publish_rows", "", None, written,
                                           columns="* EXCLUDE (publish_month, publish_hash)"), "0", None))
    finally:
        con.execute("DROP TABLE IF EXISTS temp.publish_rows")
    return {"partitioned_by": "month", "files": _ordered(files)}


def _date_column(table: str) -> str | None:
    """A fact's business-date column (the one its month is computed from); None for the marts."""
    expression = MONTH_OF[table]
    return expression.removeprefix("strftime(").split(",")[0] if expression.startswith("strftime(") else None


def _files_by_month(files: list[dict]) -> dict[str, list[dict]]:
    by_month: dict[str, list[dict]] = {}
    for f in files:
        if f["rows"] and f.get("month"):
            by_month.setdefault(f["month"], []).append(f)
    return by_month


def _rewrites_and_appends(todo: set[str], by_month: dict[str, list[dict]]) -> tuple[set[str], dict[str, list[str]]]:
    """The months to write again, and the new days to append as a file to their month: a day is appended only when it
    is later than every day its month's files hold (otherwise, or when they do not say, the month is written again)."""
    rewrite = {m for m in todo if len(m) == 7}
    days_by_month: dict[str, list[str]] = {}
    for day in sorted(d for d in todo if len(d) == 10):
        days_by_month.setdefault(day[:7], []).append(day)
    append = {}
    for month, days in days_by_month.items():
        if month in rewrite:
            continue
        files = by_month.get(month, [])
        if files and all(f.get("last_day") for f in files) and days[0] > max(f["last_day"] for f in files):
            append[month] = days
        else:
            rewrite.add(month)
    return rewrite, append


def _months_that_differ(con, table: str, by_month: dict[str, list[dict]]) -> set[str]:
    """After a full rebuild: the months whose rows (count and summed row hashes) differ from the files of the lake,
    including months that are gone from the warehouse."""
    now = {month: (rows, int(digest)) for month, rows, digest in con.execute(
        f"SELECT {MONTH_OF[table]} AS m, count(*), CAST(sum(hash(t)) AS VARCHAR) FROM {table} AS t "
        "WHERE m IS NOT NULL GROUP BY 1").fetchall()}
    published = {month: _digest(files) for month, files in by_month.items()}
    return {m for m in now.keys() | published.keys() if now.get(m) != published.get(m)}


def _digest(files: list[dict]) -> tuple[int, int] | None:
    """A month's rows and summed row hashes from its files; None when a file does not carry its digest."""
    if not all("hash" in f for f in files):
        return None
    return sum(f["rows"] for f in files), sum(int(f["hash"]) for f in files)


def _described(entry: dict, digest: str | int | None, last_day: str | None) -> dict:
    """A written file's entry with its digest (the sum of its rows' hashes; none when unknown) and last business date."""
    if digest is not None:
        entry["hash"] = str(digest)
    if last_day:
        entry["last_day"] = last_day
    return entry


def _ordered(files: list[dict]) -> list[dict]:
    return sorted(files, key=lambda f: (f.get("month") or "", f.get("last_day") or "", f["path"]))


def _months_filter(table: str, months: list[str]) -> str:
    """A predicate selecting the rows of these months: date ranges on a fact's date column (DuckDB pushes them down
    to the scan, through a view's joins, and skips row groups by their min/max), the month expression otherwise."""
    column = _date_column(table)
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
    return {"partitioned_by": None, "hash": digest, "files": [_write(con, target_dir, table, table, "", None, written)]}


def _write(con, target_dir: Path, table: str, source: str, where: str, month: str | None, written: list[Path], *,
           columns: str = "*") -> dict:
    """One Parquet file of the rows of `source` that `where` selects (the table's columns), sorted by the table's keys."""
    directory = Path(LAKE) / table / (f"month={month}" if month else "")
    (target_dir / directory).mkdir(parents=True, exist_ok=True)
    relative = directory / f"part-{uuid.uuid4().hex}.parquet"
    order = f" ORDER BY {PUBLISHED_SORT[table]}" if table in PUBLISHED_SORT else ""
    rows = con.execute(f"COPY (SELECT {columns} FROM {source} {where}{order}) TO {literal(str(target_dir / relative))} "
                       f"(FORMAT parquet, COMPRESSION {COMPRESSION}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})").fetchone()[0]
    written.append(target_dir / relative)
    entry = {"path": relative.as_posix(), "rows": int(rows), "bytes": (target_dir / relative).stat().st_size}
    if month:
        entry["month"] = month
    return entry


def compact_lake(target_dir: Path) -> Path | None:
    """Every closed month (before its table's last month) held in several files written again as one sorted file, in a
    new current snapshot of the same content; the new manifest, or None when there was nothing to compact."""
    target_dir = Path(target_dir)
    manifest = _load_manifest(target_dir)
    if manifest is None:
        return None
    plan = {}
    for table, entry in manifest["tables"].items():
        if entry.get("partitioned_by") == "month":
            by_month = _files_by_month(entry["files"])
            months = [m for m, files in by_month.items() if len(files) > 1 and m < max(by_month)]
            if months:
                plan[table] = (by_month, months)
    if not plan:
        return None
    tables, written = dict(manifest["tables"]), []
    with duckdb.connect(":memory:") as con:
        con.execute("SET enable_progress_bar = false")
        for table, (by_month, months) in plan.items():
            files = [f for f in tables[table]["files"] if f.get("month") not in months]
            for month in months:
                parts = by_month[month]
                source = "read_parquet([" + ", ".join(literal(str(target_dir / f["path"])) for f in parts) + "], " \
                         "hive_partitioning = false)"
                digest = _digest(parts)
                last_days = [f["last_day"] for f in parts if f.get("last_day")]
                files.append(_described(_write(con, target_dir, table, source, "", month, written),
                                        digest[1] if digest else None, max(last_days, default=None)))
            tables[table] = {**tables[table], "files": _ordered(files)}
    path = _make_current(target_dir, tables, written)
    collect_garbage(target_dir)
    return path


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
