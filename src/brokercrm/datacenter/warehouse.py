"""The warehouse (数据仓库): one DuckDB file under the data directory, written by jobs only.

Schemas: `ods` (as delivered, with load metadata), `crm` (staff and development relations copied
from the app database), `dw` (clean dimensions with history and facts), `dm` (indicator marts).
The web process never opens this file; it reads the published snapshot (see publish in pipelines).
"""
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
from django.conf import settings

SCHEMAS = ("ods", "crm", "dw", "dm")


def connect(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (":memory:" for tests) with every schema present."""
    target = str(path if path is not None else settings.WAREHOUSE_PATH)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(target, read_only=read_only)
    con.execute("SET enable_progress_bar = false")  # jobs report progress themselves
    if settings.WAREHOUSE_MEMORY_LIMIT:  # a shared node: DuckDB spills to disk beyond it instead of taking 80 % of RAM
        con.execute(f"SET memory_limit = '{settings.WAREHOUSE_MEMORY_LIMIT}'")
    if not read_only:
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return con


@contextmanager
def warehouse(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path)
    try:
        yield con
    finally:
        con.close()
