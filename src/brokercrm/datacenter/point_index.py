"""The point-read index of a published snapshot: the rows the 360° page reads of one customer, copied once per snapshot
into a DuckDB file sorted by customer, so a page reads a few blocks instead of decoding a row group of every monthly
Parquet file (about 130 ms of CPU a first view on the lake, a few ms here).

It is a cache, not a second warehouse: derived only from the snapshot's files, named by the snapshot's identity,
built by the first process that needs it (under a file lock, into a temporary name renamed into place), read
read-only by every process, and the reader falls back to the lake while it is missing. Indexes of older snapshots
are deleted when a newer one is built.

It copies the snapshot's trading rows, so its cost grows with the warehouse, not with the night's change: above
`WAREHOUSE_POINT_INDEX_MAX_ROWS` rows (50 million by default: a few hundred thousand customers over a year) no
index is built and the 360° page reads the lake, whose files are sorted by customer for exactly that.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from django.conf import settings

from brokercrm.datacenter.pipelines.publish import open_snapshot

log = logging.getLogger(__name__)

# Each table as the 360° page reads it (same schema and names as the snapshot's views, so the reads are the same SQL):
# only its columns, sorted by customer; positions of each customer's latest day only (the page shows no other).
TABLES = (
    ("dm.customer_month", "SELECT * FROM dm.customer_month ORDER BY key, period"),
    ("dw.fact_assets", "SELECT customer_no, biz_date, cash_balance, market_value, total_assets FROM dw.fact_assets "
                       "ORDER BY customer_no, biz_date"),
    ("dw.fact_positions", "SELECT customer_no, biz_date, market, security_code, quantity, cost_amount, close_price, market_value "
                          "FROM dw.fact_positions QUALIFY biz_date = max(biz_date) OVER (PARTITION BY customer_no) "
                          "ORDER BY customer_no, biz_date"),
    ("dw.fact_trades", "SELECT customer_no, trade_date, serial_no, market, security_code, side, quantity, price, amount, "
                       "commission, channel FROM dw.fact_trades ORDER BY customer_no, trade_date, serial_no"),
    ("dw.fact_cash_flows", "SELECT customer_no, biz_date, serial_no, flow_type, amount, bank_code FROM dw.fact_cash_flows "
                           "ORDER BY customer_no, biz_date, serial_no"),
    ("dw.fact_security_transfers", "SELECT customer_no, biz_date, serial_no, market, security_code, direction, quantity, value "
                                   "FROM dw.fact_security_transfers ORDER BY customer_no, biz_date, serial_no"),
)
_building: set[str] = set()
_building_lock = threading.Lock()


def directory() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "point-index"


def index_path(snapshot: Path) -> Path:
    """Where the index of this snapshot lives: named by its manifest's place and identity, so a rebuilt data directory
    that reuses a snapshot number never reads an older index."""
    stat = snapshot.stat()
    digest = hashlib.sha256(f"{snapshot.resolve()}:{stat.st_ino}:{stat.st_mtime_ns}".encode()).hexdigest()[:20]
    return directory() / f"{snapshot.stem}-{digest}.duckdb"


def build(snapshot: Path) -> Path | None:
    """Build the snapshot's index unless it exists or another process is building it; the index's path, or None."""
    target = index_path(snapshot)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / "build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another process builds one now
        if target.exists():
            return target
        for old in target.parent.iterdir():  # older snapshots' indexes and what an interrupted build left
            if old.is_file() and old.name != "build.lock":
                old.unlink(missing_ok=True)
        temporary = target.with_name(f"{target.stem}.{os.getpid()}.tmp")
        con = open_snapshot(snapshot)
        try:
            # Gentle beside the pages being served: one core and bounded memory (DuckDB spills the sorts to disk).
            con.execute("SET threads = 1")
            con.execute(f"SET memory_limit = '{settings.WAREHOUSE_POINT_INDEX_MEMORY}'")
            con.execute(f"SET temp_directory = '{target.parent / 'spill'}'")
            con.execute(f"ATTACH '{temporary}' AS point_index")
            for schema in sorted({table.split('.')[0] for table, _sql in TABLES}):
                con.execute(f"CREATE SCHEMA point_index.{schema}")
            for table, sql in TABLES:
                con.execute(f"CREATE TABLE point_index.{table} AS {sql}")
            con.execute("DETACH point_index")
        finally:
            con.close()
        os.replace(temporary, target)
    log.info("point-read index of %s built: %s", snapshot.name, target)
    return target


def indexed_rows(snapshot: Path) -> int:
    """The rows of the indexed tables in the snapshot, as its manifest counts them."""
    manifest = json.loads(snapshot.read_text(encoding="utf-8"))
    return sum(f["rows"] for table, _sql in TABLES for f in manifest["tables"].get(table, {}).get("files", ()))


def build_soon(snapshot: Path) -> None:
    """Build the index in a thread of this process (once at a time), so the page that noticed it missing is not kept
    waiting; settings.WAREHOUSE_POINT_INDEX: "background" (default), "inline" (tests) or "off"."""
    mode = settings.WAREHOUSE_POINT_INDEX
    if mode == "off" or indexed_rows(snapshot) > settings.WAREHOUSE_POINT_INDEX_MAX_ROWS:
        return
    if mode == "inline":
        build(snapshot)
        return
    with _building_lock:
        if str(snapshot) in _building:
            return
        _building.add(str(snapshot))

    def run() -> None:
        try:
            build(snapshot)
        except Exception:  # the lake answers meanwhile; the next read tries again
            log.exception("point-read index of %s not built", snapshot.name)
        finally:
            with _building_lock:
                _building.discard(str(snapshot))

    threading.Thread(target=run, name="point-index", daemon=True).start()
