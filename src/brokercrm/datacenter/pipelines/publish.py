"""Publishing marts for the web process: a fresh read-only DuckDB snapshot swapped in atomically.

The warehouse file is locked by the job that writes it, so the web never opens it. Each publish
writes `marts-<n>.duckdb` under a temporary name, renames it, then replaces the one-line `CURRENT`
pointer with `os.replace` (atomic on POSIX). Readers follow `CURRENT`; a reader still holding the
previous snapshot keeps working because it is kept; older ones are deleted.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines.dm import MATERIALISED, mart_table
from brokercrm.datacenter.pipelines.portable import literal

POINTER = "CURRENT"
SNAPSHOT = re.compile(r"^marts-(\d+)\.duckdb$")
# The facts the customer 360 page and the drill-downs read, each written ORDER BY customer, date so a
# point lookup by customer reads one or two row groups (DuckDB's zone maps skip the rest).
PUBLISHED_FACTS = {
    "dw.fact_assets": "customer_no, biz_date",
    "dw.fact_positions": "customer_no, biz_date, market, security_code",
    "dw.fact_trades": "customer_no, trade_date, serial_no",
    "dw.fact_cash_flows": "customer_no, biz_date, serial_no",
    "dw.fact_security_transfers": "customer_no, biz_date, serial_no",
    "dw.staff_attribution": "customer_no, valid_from",
    "dw.branch_attribution": "customer_no, valid_from",  # the semantic layer's customer counts by branch
}
PUBLISHED_TABLES = (*(mart_table(level, grain) for level, grain in MATERIALISED), "dm.periods", "dm.build_info",
                    "dw.customers_current", "dw.branches", "dw.securities", "dw.trading_days", "dw.calendar", *PUBLISHED_FACTS)


def publish_marts(con: duckdb.DuckDBPyConnection, target_dir: Path) -> Path:
    """Copy the marts, the small dimensions and the facts the web needs into a new snapshot; make it current."""
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    numbers = _snapshot_numbers(target_dir)
    number = max(numbers, default=0) + 1
    path = target_dir / f"marts-{number}.duckdb"
    partial = target_dir / f".marts-{number}.duckdb.partial"
    partial.unlink(missing_ok=True)
    con.execute(f"ATTACH {literal(str(partial))} AS published_snapshot")
    try:
        for schema in sorted({t.split(".")[0] for t in PUBLISHED_TABLES}):
            con.execute(f"CREATE SCHEMA published_snapshot.{schema}")
        for table in PUBLISHED_TABLES:
            order = f" ORDER BY {PUBLISHED_FACTS[table]}" if table in PUBLISHED_FACTS else ""
            con.execute(f"CREATE TABLE published_snapshot.{table} AS SELECT * FROM {table}{order}")
    finally:
        con.execute("DETACH published_snapshot")
    _fsync(partial)
    os.replace(partial, path)
    pointer = target_dir / f".{POINTER}.partial"
    pointer.write_text(path.name + "\n", encoding="utf-8")
    _fsync(pointer)
    os.replace(pointer, target_dir / POINTER)
    _fsync(target_dir)
    keep = {number, max((n for n in numbers if n < number), default=0)}
    for old in numbers:
        if old not in keep:
            (target_dir / f"marts-{old}.duckdb").unlink(missing_ok=True)
    return path


def current_snapshot(target_dir: Path) -> Path:
    """The snapshot `CURRENT` names; DomainError when nothing is published yet."""
    pointer = Path(target_dir) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise DomainError("no indicators are published yet: load a delivery first (brokercrm etl run)") from None
    if not SNAPSHOT.match(name):
        raise DomainError(f"{pointer}: does not name a snapshot")
    return Path(target_dir) / name


def open_published(target_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot (tables dm.* and dw.*)."""
    for _ in range(5):
        path = current_snapshot(target_dir)
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException:
            # published and pruned twice between reading CURRENT and opening: read it again
            if current_snapshot(target_dir) == path:
                raise
    return duckdb.connect(str(current_snapshot(target_dir)), read_only=True)


def _snapshot_numbers(target_dir: Path) -> list[int]:
    return sorted(int(m.group(1)) for p in target_dir.iterdir() if (m := SNAPSHOT.match(p.name)))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
